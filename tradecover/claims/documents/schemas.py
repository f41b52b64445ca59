"""API shapes of claim documents and their checklist."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tradecover.claims.documents.checklist import Checklist, DocumentKind, ItemStatus
from tradecover.claims.documents.model import ClaimDocumentRow
from tradecover.kit.inputs import InputModel


class DocumentOut(BaseModel):
    """One uploaded document: what it is, its fingerprint and the handler's review."""

    id: int
    claim_id: int
    kind: DocumentKind
    filename: str = Field(description="The name it was uploaded under (shown only)")
    content_type: str = Field(description="Media type sniffed from the content")
    size_bytes: int
    sha256: str = Field(description="SHA-256 of the content, hex")
    status: Literal["received", "accepted", "missing"]
    uploaded_at: datetime
    uploaded_by: str
    reviewed_at: datetime | None
    reviewed_by: str | None
    review_note: str | None

    @classmethod
    def of(cls, row: ClaimDocumentRow) -> DocumentOut:
        """From the row."""
        return cls(
            id=row.id,
            claim_id=row.claim_id,
            kind=DocumentKind(row.kind),
            filename=row.filename,
            content_type=row.content_type,
            size_bytes=row.size_bytes,
            sha256=row.sha256,
            status=row.status,
            uploaded_at=row.uploaded_at,
            uploaded_by=row.uploaded_by,
            reviewed_at=row.reviewed_at,
            reviewed_by=row.reviewed_by,
            review_note=row.review_note,
        )


class ChecklistItemOut(BaseModel):
    """One document kind of the claim's checklist."""

    kind: DocumentKind
    required: bool
    status: ItemStatus = Field(
        description="accepted: an upload was accepted; received: an "
        "upload awaits review; missing: none usable"
    )
    documents: list[DocumentOut]


class ChecklistOut(BaseModel):
    """The documents a claim needs for its cause of loss, and where each stands."""

    claim_id: int
    cause: str
    complete: bool = Field(
        description="Every required document is accepted (the claim may "
        "then be approved, its other checks passing)"
    )
    outstanding: list[DocumentKind] = Field(
        description="Required documents not accepted yet: they block approval"
    )
    items: list[ChecklistItemOut]

    @classmethod
    def of(cls, claim_id: int, checklist: Checklist, rows: list[ClaimDocumentRow]) -> ChecklistOut:
        """From the checklist and the document rows."""
        by_id = {r.id: r for r in rows}
        return cls(
            claim_id=claim_id,
            cause=checklist.cause.value,
            complete=checklist.complete,
            outstanding=[i.kind for i in checklist.outstanding],
            items=[
                ChecklistItemOut(
                    kind=i.kind,
                    required=i.required,
                    status=i.status,
                    documents=[DocumentOut.of(by_id[d]) for d in i.document_ids],
                )
                for i in checklist.items
            ],
        )


class DocumentsSummary(BaseModel):
    """Where a claim's documents stand, as its claim shows it."""

    complete: bool = Field(description="Every required document is accepted")
    outstanding: list[DocumentKind] = Field(
        description="Required documents not accepted yet (they block approval); the "
        "checklist: GET /api/v1/claims/{claim_id}/documents"
    )

    @classmethod
    def of(cls, checklist: Checklist) -> DocumentsSummary:
        """From the checklist."""
        return cls(complete=checklist.complete, outstanding=[i.kind for i in checklist.outstanding])


class ReviewIn(InputModel):
    """The handler's decision on one document."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"decision": "missing", "note": "the bill of lading is for another shipment"}
            ]
        },
    )
    decision: Literal["accepted", "missing"]
    note: str | None = Field(
        default=None, max_length=2000, description="Why (the exporter reads it)"
    )

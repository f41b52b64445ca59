"""Claim documents: the checklist, uploads, review and the approval gate (use cases).

Services never commit: the caller's transaction does.  An upload is checked whole before
anything is written (size, accepted type, content sniffed from the bytes and matching the
declared type: :func:`~tradecover.claims.documents.content_type.admit`); then its row and
audit entry are written and, last, its bytes are put in the store under a key unique to
this upload.  The key is appended to ``written`` before the bytes go out, so an edge whose
transaction does not commit deletes them again: a refused or failed upload leaves no file.

A claim or document of another organisation answers exactly like a missing one.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover import audit
from tradecover.access import Permission, Principal
from tradecover.claims.documents.checklist import (
    Checklist,
    DocumentKind,
    DocumentStatus,
    UploadedDocument,
    checklist,
    ensure_complete,
)
from tradecover.claims.documents.content_type import admit
from tradecover.claims.documents.model import ClaimDocumentRow
from tradecover.claims.documents.store import DocumentStore
from tradecover.claims.indemnity import ClaimState, LossCause
from tradecover.claims.model import ClaimRow
from tradecover.claims.scoping_repository import visible_claims
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, NotFound, ValidationFailed

OPEN_STATES = (ClaimState.FILED.value, ClaimState.CHECKING.value)
"""Documents are uploaded and reviewed while the claim is undecided."""
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadLimits:
    """What an upload may be: its largest size and the media types accepted."""

    max_bytes: int
    accepted: Collection[str]


def _claim(session: Session, principal: Principal, claim_id: int) -> ClaimRow:
    principal.require(Permission.CLAIM_READ)
    row = session.execute(
        visible_claims(principal).where(ClaimRow.id == claim_id)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"claim {claim_id} not found", field="claim_id")
    return row


def _open(claim: ClaimRow) -> None:
    if claim.state not in OPEN_STATES:
        raise Conflict(
            f"the claim is {claim.state}: its documents can no longer change",
            code="claim_decided",
            field="claim_id",
            details={"state": claim.state},
        )


def documents_of(session: Session, claim_id: int) -> list[ClaimDocumentRow]:
    """The documents of a claim, oldest first."""
    return list(
        session.execute(
            select(ClaimDocumentRow)
            .where(ClaimDocumentRow.claim_id == claim_id)
            .order_by(ClaimDocumentRow.id)
        ).scalars()
    )


def _checklist(claim: ClaimRow, rows: list[ClaimDocumentRow]) -> Checklist:
    return checklist(
        LossCause(claim.cause),
        [
            UploadedDocument(
                document_id=r.id, kind=DocumentKind(r.kind), status=DocumentStatus(r.status)
            )
            for r in rows
        ],
    )


def checklist_of(
    session: Session, *, principal: Principal, claim_id: int
) -> tuple[ClaimRow, Checklist, list[ClaimDocumentRow]]:
    """The claim, its checklist and its documents (the exporter's own; the insurer: any)."""
    claim = _claim(session, principal, claim_id)
    rows = documents_of(session, claim.id)
    return claim, _checklist(claim, rows), rows


def claim_checklist(session: Session, claim: ClaimRow) -> Checklist:
    """The checklist of a claim the caller already may see."""
    return _checklist(claim, documents_of(session, claim.id))


def ensure_documents_complete(session: Session, claim: ClaimRow) -> None:
    """The approval gate: refused (409 ``required_documents_missing``) while a required
    document of the claim is not accepted.
    """
    ensure_complete(_checklist(claim, documents_of(session, claim.id)))


def safe_filename(name: str | None) -> str:
    """The upload's file name as shown (never used to type or locate the file): its last
    path part, without control characters, at most 255 characters.
    """
    base = re.split(r"[/\\]", name or "")[-1]
    cleaned = _UNSAFE.sub("", unicodedata.normalize("NFC", base)).strip()
    return cleaned[:255] or "document"


def snapshot(row: ClaimDocumentRow) -> dict[str, object]:
    """What the audit log keeps of a document."""
    return {
        "kind": row.kind,
        "filename": row.filename,
        "content_type": row.content_type,
        "size_bytes": row.size_bytes,
        "sha256": row.sha256,
        "status": row.status,
        "review_note": row.review_note,
    }


def upload(
    session: Session,
    *,
    principal: Principal,
    store: DocumentStore,
    claim_id: int,
    kind: DocumentKind,
    filename: str | None,
    data: bytes,
    declared_type: str | None,
    limits: UploadLimits,
    written: list[str],
) -> ClaimDocumentRow:
    """The exporter uploads one document to its own undecided claim.

    Refused, writing and storing nothing: a claim of another exporter (404), a decided
    claim (``claim_decided``), an empty document, one over the size limit (413), of a
    type not accepted (415) or whose content does not match its declared type (422).
    """
    principal.require(Permission.CLAIM_FILE)
    claim = _claim(session, principal, claim_id)
    if claim.exporter_org_id != principal.org_id:
        raise NotFound(f"claim {claim_id} not found", field="claim_id")
    _open(claim)
    content_type = admit(
        data, declared=declared_type, accepted=limits.accepted, max_bytes=limits.max_bytes
    )
    row = ClaimDocumentRow(
        claim_id=claim.id,
        kind=kind.value,
        filename=safe_filename(filename),
        content_type=content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=f"claims/{claim.id}/{secrets.token_hex(16)}",
        status=DocumentStatus.RECEIVED.value,
        uploaded_at=utc_now(),
        uploaded_by=principal.actor,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        org_id=claim.exporter_org_id,
        actor=principal.actor,
        action="claim.document_uploaded",
        entity_type="claim",
        entity_id=claim.id,
        after={"document_id": row.id, **snapshot(row)},
    )
    written.append(row.storage_key)
    store.put(row.storage_key, data, content_type=content_type)
    return row


def document_for(
    session: Session, *, principal: Principal, claim_id: int, document_id: int
) -> ClaimDocumentRow:
    """A document of a claim the caller may see, else ``NotFound``."""
    claim = _claim(session, principal, claim_id)
    row = session.get(ClaimDocumentRow, document_id)
    if row is None or row.claim_id != claim.id:
        raise NotFound(f"document {document_id} not found", field="document_id")
    return row


def content_of(
    session: Session, *, principal: Principal, store: DocumentStore, claim_id: int, document_id: int
) -> tuple[ClaimDocumentRow, bytes]:
    """A document and its bytes, checked against the SHA-256 taken at upload."""
    row = document_for(session, principal=principal, claim_id=claim_id, document_id=document_id)
    data = store.get(row.storage_key)
    if hashlib.sha256(data).hexdigest() != row.sha256:
        raise Conflict(
            f"the stored bytes of document {row.id} no longer match their SHA-256",
            code="document_content_changed",
            field="document_id",
        )
    return row, data


def review(
    session: Session,
    *,
    principal: Principal,
    claim_id: int,
    document_id: int,
    decision: DocumentStatus,
    note: str | None,
) -> ClaimDocumentRow:
    """A claims handler marks a document ``accepted`` or ``missing`` (it does not prove
    what it should; the note tells the exporter why).  A decision may be changed while
    the claim is undecided.
    """
    principal.require(Permission.CLAIM_DECIDE)
    if decision is DocumentStatus.RECEIVED:
        raise ValidationFailed(
            "a review marks a document accepted or missing",
            code="invalid_review_decision",
            field="decision",
        )
    row = document_for(session, principal=principal, claim_id=claim_id, document_id=document_id)
    claim = session.get(ClaimRow, row.claim_id)
    assert claim is not None
    _open(claim)
    before = snapshot(row)
    row.status = decision.value
    row.review_note = note.strip() if note and note.strip() else None
    row.reviewed_at = utc_now()
    row.reviewed_by = principal.actor
    session.flush()
    audit.record(
        session,
        org_id=claim.exporter_org_id,
        actor=principal.actor,
        action=f"claim.document_{decision.value}",
        entity_type="claim",
        entity_id=claim.id,
        reason=row.review_note,
        before={"document_id": row.id, **before},
        after={"document_id": row.id, **snapshot(row)},
    )
    return row

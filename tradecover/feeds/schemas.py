"""Request and response bodies of the feed routes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from tradecover.feeds.model import ReceivedDocument
from tradecover.kit.inputs import InputModel

DocumentStatus = Literal[
    "received", "attached", "awaiting_confirmation", "quarantined", "withdrawn", "superseded"
]


class ReasonOut(BaseModel):
    """Why a document was quarantined (or what attachment noted)."""

    code: str = Field(examples=["en16931_BR-CO-15"])
    detail: str = ""


class ReceivedDocumentOut(BaseModel):
    """A document the stream delivered, what became of it and why."""

    id: int
    message_id: str
    source: str
    format: str | None
    kind: str | None
    document_id: str | None
    version: str | None
    filename: str | None
    status: DocumentStatus
    reasons: list[ReasonOut]
    declaration_id: int | None
    corrects_declaration_id: int | None = Field(
        description="The declaration a credit note or later version changes (a correction "
        "event awaiting confirmation)"
    )
    resubmission_of_id: int | None
    received_at: datetime
    processed_at: datetime

    @classmethod
    def of(cls, row: ReceivedDocument) -> ReceivedDocumentOut:
        """The response body of a row."""
        return cls(
            id=row.id,
            message_id=row.message_id,
            source=row.source,
            format=row.format,
            kind=row.kind,
            document_id=row.document_id,
            version=row.version,
            filename=row.filename,
            status=row.status,
            reasons=[ReasonOut(**r) for r in row.reasons],
            declaration_id=row.declaration_id,
            corrects_declaration_id=row.corrects_declaration_id,
            resubmission_of_id=row.resubmission_of_id,
            received_at=row.received_at,
            processed_at=row.processed_at,
        )


class AcceptedOut(BaseModel):
    """A document accepted onto the stream; the workers attach it (202)."""

    message_id: str = Field(
        description="Its id on the stream; the received document "
        "carries it once a worker has taken it"
    )
    status: Literal["accepted"] = "accepted"


class AwaitingShipmentOut(BaseModel):
    """A received shipment waiting for the exporter's confirmation: not covered until
    confirmed, by its deadline (the declaration deadline of its shipment date).
    """

    id: int = Field(description="The received document's id (confirm it with this)")
    source: str
    document_id: str | None
    kind: str | None
    buyer_name: str | None
    currency: str | None
    amount: Decimal | None
    shipment_date: date | None
    deadline: date | None
    standing: Literal["open", "at_risk", "overdue"] | None = Field(
        description="at_risk: the deadline is at most 3 days away; overdue: it has passed"
    )
    received_at: datetime


class ConfirmIn(InputModel):
    """Shipments to confirm at once."""

    document_ids: list[int] = Field(min_length=1, max_length=200)


class ConfirmItemOut(BaseModel):
    """One confirmation: the declaration it attached, or the problem that refused it."""

    document_id: int
    declaration_id: int | None = None
    code: str | None = None
    message: str | None = None


class OmittedExportOut(BaseModel):
    """A customs export in a policy's scope with no declaration behind it."""

    document_row_id: int = Field(description="The received document (feeds/documents/{id})")
    exporter_org_id: int
    policy_id: int
    declaration_number: str = Field(description="The customs declaration's number (MRN)")
    shipped: date = Field(description="Exit date, else acceptance date")
    consignee: str | None = Field(description="The consignee's name, normalised")
    country: str | None
    hs_code: str | None
    currency: str
    amount: Decimal


class OmissionMonthOut(BaseModel):
    """Omissions of one exporter and policy in one month, in one currency."""

    exporter_org_id: int
    policy_id: int
    month: date
    currency: str
    count: int
    amount: Decimal


class OmissionsOut(BaseModel):
    """Omissions of a period: per month, and one by one."""

    start: date
    end: date
    months: list[OmissionMonthOut]
    items: list[OmittedExportOut]


class TurnoverMonthOut(BaseModel):
    """One month of a policy: customs-exported value, declared value, the exporter's return."""

    policy_id: int
    exporter_org_id: int
    month: date
    currency: str
    customs_exported: Decimal
    declared: Decimal
    returned: Decimal | None = Field(description="The exporter's own turnover return, if made")
    share: Decimal | None = Field(description="declared / customs_exported")
    customs_records: int
    omitted: int

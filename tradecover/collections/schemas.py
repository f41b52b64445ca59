"""API shapes of collection confirmations, notices of possible loss and the overdue list."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from tradecover.collections.confirmation import CollectionOutcome
from tradecover.collections.model import (
    CollectionConfirmation,
    DueDateArrangement,
    Notification,
    PossibleLossNotice,
)
from tradecover.collections.overdue import ArrangementKind, LossCauseHint, OverdueInvoice
from tradecover.collections.service import FrozenBuyer, UploadOutcome
from tradecover.declarations import ItemProblem
from tradecover.kit.inputs import InputModel
from tradecover.kit.money import Money

AmountStr = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{1,15}(\.[0-9]{1,4})?$",
        examples=["1250.00"],
        description="A decimal string (never a float)",
    ),
]
CurrencyStr = Annotated[
    str, Field(pattern=r"^[A-Z]{3}$", examples=["USD"], description="ISO 4217 code")
]
IdInt = Annotated[int, Field(ge=1, le=2**63 - 1, examples=[1])]


def _money(minor: int, currency: str) -> dict[str, str]:
    return {"amount": str(Money.from_minor(minor, currency).amount), "currency": currency}


class ConfirmationIn(InputModel):
    """An exporter's answer about one declared invoice."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "declaration_id": 12,
                    "outcome": "paid_in_part",
                    "amount": "12000.00",
                    "currency": "USD",
                    "paid_on": "2026-11-20",
                }
            ]
        },
    )
    declaration_id: IdInt
    outcome: CollectionOutcome
    amount: AmountStr | None = None
    currency: CurrencyStr | None = None
    paid_on: date | None = None


class ConfirmationOut(BaseModel):
    """A recorded confirmation and the limit it freed."""

    id: int
    declaration_id: int
    outcome: str
    amount: dict[str, str]
    freed_limit: dict[str, str]
    paid_on: date | None

    @classmethod
    def of(cls, row: CollectionConfirmation) -> ConfirmationOut:
        """From the row."""
        return cls(
            id=row.id,
            declaration_id=row.declaration_id,
            outcome=row.outcome,
            amount=_money(row.amount_minor, row.currency),
            freed_limit=_money(row.freed_minor, row.currency),
            paid_on=row.paid_on,
        )


class NoticeIn(InputModel):
    """A notice of possible loss on one declared invoice."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"declaration_id": 12, "cause": "protracted_default"}]},
    )
    declaration_id: IdInt
    cause: LossCauseHint


class NoticeOut(BaseModel):
    """A notice and its timing."""

    id: int
    declaration_id: int
    buyer_id: int
    cause: str
    due_date: date
    deadline: date
    filed_on: date
    days_late: int
    status: str

    @classmethod
    def of(cls, row: PossibleLossNotice) -> NoticeOut:
        """From the row."""
        return cls(
            id=row.id,
            declaration_id=row.declaration_id,
            buyer_id=row.buyer_id,
            cause=row.cause,
            due_date=row.due_date,
            deadline=row.deadline,
            filed_on=row.filed_on,
            days_late=row.days_late,
            status=row.status,
        )


class OverdueOut(BaseModel):
    """An overdue invoice and its notice deadline."""

    declaration_id: int
    buyer_id: int
    outstanding: dict[str, str]
    due_date: date
    days_overdue: int
    notice_deadline: date

    @classmethod
    def of(cls, item: OverdueInvoice) -> OverdueOut:
        """From the pure result."""
        out = item.invoice.outstanding
        data: dict[str, Any] = {"amount": str(out.rounded().amount), "currency": out.currency}
        return cls(
            declaration_id=item.invoice.invoice_id,
            buyer_id=item.invoice.buyer_id,
            outstanding=data,
            due_date=item.due_date,
            days_overdue=item.days_overdue,
            notice_deadline=item.notice_deadline,
        )


class InstalmentIn(InputModel):
    """One instalment of a repayment plan."""

    model_config = ConfigDict(extra="forbid")
    due_on: date
    amount: AmountStr


class ArrangementIn(InputModel):
    """A request to extend a due date, or a repayment plan agreed with the buyer."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"declaration_id": 12, "kind": "extension", "new_due_date": "2027-02-28"},
                {
                    "declaration_id": 12,
                    "kind": "repayment_plan",
                    "currency": "USD",
                    "instalments": [
                        {"due_on": "2027-01-31", "amount": "10000.00"},
                        {"due_on": "2027-02-28", "amount": "20000.00"},
                    ],
                },
            ]
        },
    )
    declaration_id: IdInt
    kind: ArrangementKind
    new_due_date: date | None = None
    currency: CurrencyStr | None = None
    instalments: list[InstalmentIn] = Field(default_factory=list, max_length=120)


class DecisionIn(InputModel):
    """The insurer's reason (required to refuse)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "the buyer is insolvent"}]}
    )
    reason: str | None = Field(default=None, max_length=2000)


class ArrangementOut(BaseModel):
    """A request and where it stands."""

    id: int
    declaration_id: int
    kind: str
    original_due_date: date
    new_due_date: date
    instalments: list[dict[str, str]]
    status: str
    reason: str | None

    @classmethod
    def of(cls, row: DueDateArrangement) -> ArrangementOut:
        """From the row."""
        return cls(
            id=row.id,
            declaration_id=row.declaration_id,
            kind=row.kind,
            original_due_date=row.original_due_date,
            new_due_date=row.new_due_date,
            instalments=list(row.instalments),
            status=row.status,
            reason=row.reason,
        )


class UploadRowOut(BaseModel):
    """One row of a collection upload report (``row`` counts from 2: row 1 is the header)."""

    row: int
    outcome: str
    declaration_id: int | None = None
    confirmation: ConfirmationOut | None = None
    problem: ItemProblem | None = None


class UploadReportOut(BaseModel):
    """What a collection upload confirmed, and why each refused row was refused."""

    filename: str
    rows: int
    accepted: int
    rejected: int
    report: list[UploadRowOut]

    @classmethod
    def of(cls, filename: str, outcomes: list[UploadOutcome]) -> UploadReportOut:
        """The report of an upload's outcomes."""
        report = [
            UploadRowOut(
                row=o.index + 2,
                outcome="accepted",
                declaration_id=o.confirmation.declaration_id,
                confirmation=ConfirmationOut.of(o.confirmation),
            )
            if o.confirmation is not None
            else UploadRowOut(row=o.index + 2, outcome="rejected", problem=ItemProblem.of(o.error))
            for o in outcomes
        ]
        accepted = sum(1 for r in report if r.outcome == "accepted")
        return cls(
            filename=filename,
            rows=len(report),
            accepted=accepted,
            rejected=len(report) - accepted,
            report=report,
        )


class NotificationOut(BaseModel):
    """A reminder or chaser the daily job sent to the exporter."""

    id: int
    exporter_org_id: int
    kind: str
    declaration_id: int | None
    subject: str
    body: str
    data: dict[str, Any]
    sent_on: date
    read_at: datetime | None

    @classmethod
    def of(cls, row: Notification) -> NotificationOut:
        """From the row."""
        return cls(
            id=row.id,
            exporter_org_id=row.exporter_org_id,
            kind=row.kind,
            declaration_id=row.declaration_id,
            subject=row.subject,
            body=row.body,
            data=dict(row.data or {}),
            sent_on=row.sent_on,
            read_at=row.read_at,
        )


class WatchedLimitOut(BaseModel):
    """A limit on watch because its buyer is frozen."""

    limit_id: int
    amount: dict[str, str]


class FrozenBuyerOut(BaseModel):
    """A buyer frozen by open notices: not covered for further shipments, limits on watch."""

    exporter_org_id: int
    buyer_id: int
    since: date
    open_notices: int
    limits_on_watch: list[WatchedLimitOut]

    @classmethod
    def of(cls, item: FrozenBuyer) -> FrozenBuyerOut:
        """From the service's value."""
        return cls(
            exporter_org_id=item.exporter_org_id,
            buyer_id=item.buyer_id,
            since=item.since,
            open_notices=item.open_notices,
            limits_on_watch=[
                WatchedLimitOut(
                    limit_id=i, amount={"amount": str(m.amount), "currency": m.currency}
                )
                for i, m in item.limits_on_watch
            ],
        )

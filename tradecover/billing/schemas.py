"""API shapes of billing: strict request bodies (money as decimal strings) and answers."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from tradecover.billing.jobs import RunState
from tradecover.billing.model import Payment, PaymentAllocation, PremiumNotice
from tradecover.billing.service import LineView, NoticeView, SplitView
from tradecover.kit.inputs import InputModel
from tradecover.kit.money import Money

AmountStr = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{1,15}(\.[0-9]{1,4})?$",
        examples=["1250.00"],
        description="A positive decimal string (never a float)",
    ),
]
CurrencyStr = Annotated[
    str, Field(pattern=r"^[A-Z]{3}$", examples=["USD"], description="ISO 4217 code")
]
MonthStr = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", examples=["2026-10"], description="A month, YYYY-MM"
    ),
]
_STRICT = ConfigDict(extra="forbid")


def _m(minor: int, currency: str) -> str:
    return str(Money.from_minor(minor, currency).amount)


class RunIn(InputModel):
    """Bill a month (finance)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"month": "2026-10", "issue_date": "2026-11-01"}]},
    )
    month: MonthStr
    issue_date: date | None = Field(default=None, description="Default: today")


class RunOut(BaseModel):
    """Where a month's run stands."""

    run_id: int
    month: str
    issue_date: date
    due_date: date
    status: str
    policies: int
    pending: int

    @classmethod
    def of(cls, s: RunState) -> RunOut:
        """From the job's state."""
        return cls(
            run_id=s.run_id,
            month=f"{s.month:%Y-%m}",
            issue_date=s.issue_date,
            due_date=s.due_date,
            status=s.status,
            policies=s.items,
            pending=s.pending,
        )


class NoticeOut(BaseModel):
    """A premium notice."""

    id: int
    policy_id: int
    exporter_org_id: int
    month: str
    issue_date: date
    due_date: date
    currency: str
    lines: int
    total: str
    exporter_owes: str
    exporter_paid: str
    exporter_outstanding: str
    programmes_owe: str

    @classmethod
    def of(cls, n: PremiumNotice) -> NoticeOut:
        """From a notice row."""
        c = n.currency
        return cls(
            id=n.id,
            policy_id=n.policy_id,
            exporter_org_id=n.exporter_org_id,
            month=f"{n.month:%Y-%m}",
            issue_date=n.issue_date,
            due_date=n.due_date,
            currency=c,
            lines=n.line_count,
            total=_m(n.total_minor, c),
            exporter_owes=_m(n.exporter_owed_minor, c),
            exporter_paid=_m(n.exporter_paid_minor, c),
            exporter_outstanding=_m(n.exporter_owed_minor - n.exporter_paid_minor, c),
            programmes_owe=_m(n.total_minor - n.exporter_owed_minor, c),
        )


class LineOut(BaseModel):
    """One declaration of a notice; ``period`` is its month (earlier on an adjustment line,
    where ``premium`` is negative for a declaration ended since that month was billed).
    """

    period: str
    declaration_id: int
    invoice_number: str
    shipment_date: date
    buyer_country: str | None
    hs_code: str
    insured: str
    rate: str
    premium: str

    @classmethod
    def of(cls, v: LineView) -> LineOut:
        """From the service's view."""
        return cls(
            period=f"{v.period:%Y-%m}",
            declaration_id=v.declaration_id,
            invoice_number=v.invoice_number,
            shipment_date=v.shipment_date,
            buyer_country=v.buyer_country,
            hs_code=v.hs_code,
            insured=str(v.insured.amount),
            rate=v.rate,
            premium=str(v.premium.amount),
        )


class SplitOut(BaseModel):
    """A programme's part of a notice and the eligibility rule that applied."""

    programme_id: int
    programme_code: str
    eligible: bool
    share: str
    rule_applied: str
    explanation: str
    requested: str
    granted: str
    limited_by: str | None
    paid: str

    @classmethod
    def of(cls, v: SplitView) -> SplitOut:
        """From the service's view."""
        return cls(
            programme_id=v.programme_id,
            programme_code=v.programme_code,
            eligible=v.eligible,
            share=v.share,
            rule_applied=v.rule_applied,
            explanation=v.explanation,
            requested=str(v.requested.amount),
            granted=str(v.granted.amount),
            limited_by=v.limited_by,
            paid=str(v.paid.amount),
        )


class NoticeDetailOut(NoticeOut):
    """A notice with its lines and its split."""

    policy_number: str | None
    exporter_name: str
    declarations: list[LineOut]
    declarations_offset: int
    splits: list[SplitOut]

    @classmethod
    def of_view(cls, v: NoticeView) -> NoticeDetailOut:
        """From the service's view."""
        base = NoticeOut.of(v.notice).model_dump()
        return cls(
            **base,
            policy_number=v.policy_number,
            exporter_name=v.exporter_name,
            declarations=[LineOut.of(line) for line in v.lines],
            declarations_offset=v.lines_offset,
            splits=[SplitOut.of(s) for s in v.splits],
        )


class PaymentIn(InputModel):
    """A payment received from an exporter or a programme (finance records it)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "payer_kind": "exporter",
                    "payer_id": 2,
                    "amount": "1250.00",
                    "currency": "USD",
                    "received_on": "2026-11-20",
                    "reference": "BANK-REF-001",
                }
            ]
        },
    )
    payer_kind: Literal["exporter", "programme"]
    payer_id: int = Field(ge=1, le=2**63 - 1)
    amount: AmountStr
    currency: CurrencyStr
    received_on: date
    reference: str = Field(min_length=1, max_length=128)


class AllocationOut(BaseModel):
    """Part of a payment applied to one notice."""

    notice_id: int
    amount: str


class PaymentOut(BaseModel):
    """A recorded payment and how it was applied, oldest notice first."""

    id: int
    payer_kind: str
    payer_id: int
    currency: str
    amount: str
    applied: str
    unapplied: str
    received_on: date
    reference: str
    allocations: list[AllocationOut]

    @classmethod
    def of(cls, p: Payment, allocations: list[PaymentAllocation]) -> PaymentOut:
        """From a payment row and its allocations."""
        c = p.currency
        return cls(
            id=p.id,
            payer_kind=p.payer_kind,
            payer_id=p.payer_id,
            currency=c,
            amount=_m(p.amount_minor, c),
            applied=_m(p.applied_minor, c),
            unapplied=_m(p.unapplied_minor, c),
            received_on=p.received_on,
            reference=p.reference,
            allocations=[
                AllocationOut(notice_id=a.notice_id, amount=_m(a.amount_minor, c))
                for a in allocations
            ],
        )


class AgeingOut(BaseModel):
    """Unpaid exporter premium in one currency per ageing bucket, and the credit balance.

    ``credit`` is what credit notes still hold after settling older notices of their
    policies: it is used by the policy's next notice.
    """

    currency: str
    buckets: dict[str, str]
    credit: str = "0"


class SuspensionOut(BaseModel):
    """A policy the arrears job suspended."""

    policy_id: int
    notice_id: int
    days_past_due: int
    reason: str


class ArrearsJobIn(InputModel):
    """Run the arrears job for a business date."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"today": "2027-02-15"}]}
    )
    today: date

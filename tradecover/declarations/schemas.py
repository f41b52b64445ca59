"""Request and response bodies of the declaration routes (money as decimal strings)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import orjson
from pydantic import BaseModel, ConfigDict, Field

from tradecover.db.base import json_default
from tradecover.declarations.attachment.record import DeclarationRecord
from tradecover.declarations.deadlines import DeclarationPeriod
from tradecover.declarations.model import Declaration, TurnoverReturn, declaration_values
from tradecover.declarations.service import MAX_BATCH, DeclarationStatus, Outcome, PeriodStatus
from tradecover.declarations.shipment import Shipment, TransportMode
from tradecover.declarations.whole_turnover import TurnoverMonth, WholeTurnoverReview
from tradecover.kit.errors import DomainError
from tradecover.kit.inputs import InputModel
from tradecover.kit.money import Money, amount_of_minor
from tradecover.reference.payment_terms import PaymentTerms

AmountStr = Annotated[
    str,
    Field(
        pattern=r"^-?[0-9]{1,15}(\.[0-9]{1,8})?$",
        examples=["10000.00"],
        description="A decimal amount as a string (never a float)",
    ),
]
CurrencyStr = Annotated[
    str, Field(pattern=r"^[A-Z]{3}$", examples=["USD"], description="ISO 4217 currency code")
]
MAX_ID = 2**63 - 1


class ShipmentIn(InputModel):
    """One shipment to declare (the declaration form of [002], section 8)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "policy_id": 1,
                    "buyer_id": 7,
                    "payment_terms": "OA",
                    "transport_mode": "sea",
                    "shipment_date": "2026-11-02",
                    "due_date": "2027-01-01",
                    "goods_description": "LED lighting fixtures",
                    "hs_code": "9405.11",
                    "invoice_number": "INV-2026-0042",
                    "currency": "USD",
                    "invoice_amount": "48000.00",
                    "prepayment": "8000.00",
                }
            ]
        },
    )

    policy_id: int = Field(ge=1, le=MAX_ID)
    buyer_id: int = Field(ge=1, le=MAX_ID)
    payment_terms: PaymentTerms
    transport_mode: TransportMode
    shipment_date: date
    due_date: date
    goods_description: str = Field(max_length=2000)
    hs_code: str = Field(max_length=32)
    invoice_number: str = Field(max_length=200)
    currency: CurrencyStr
    invoice_amount: AmountStr
    prepayment: AmountStr = "0"

    def to_shipment(self, org_id: int) -> Shipment:
        """The pure shipment, declared by ``org_id``."""
        return Shipment(
            insured_org_id=org_id,
            policy_id=self.policy_id,
            buyer_id=self.buyer_id,
            payment_terms=self.payment_terms,
            transport_mode=self.transport_mode,
            shipment_date=self.shipment_date,
            due_date=self.due_date,
            goods_description=self.goods_description,
            hs_code=self.hs_code,
            invoice_number=self.invoice_number,
            currency=self.currency,
            invoice_amount=Decimal(self.invoice_amount),
            prepayment=Decimal(self.prepayment),
        )


class BatchIn(InputModel):
    """Up to 1000 shipments declared at once; each item succeeds or fails on its own."""

    model_config = ConfigDict(extra="forbid")

    declarations: list[ShipmentIn] = Field(min_length=1, max_length=MAX_BATCH)


class ReasonIn(InputModel):
    """Why a declaration is cancelled."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=1000, examples=["shipment did not leave"])


class CorrectionIn(ShipmentIn):
    """The corrected shipment (same policy) and why."""

    reason: str = Field(min_length=1, max_length=1000, examples=["invoice amount corrected"])


class TurnoverReturnIn(InputModel):
    """The exporter's insurable turnover of one month under a policy."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"month": "2026-10", "amount": "250000.00", "currency": "USD"}]
        },
    )

    month: str = Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", examples=["2026-10"])
    amount: AmountStr
    currency: CurrencyStr


def _amount(minor: int, currency: str) -> str:
    return str(amount_of_minor(minor, currency))


class DeclarationOut(BaseModel):
    """A declaration with its cover decision and premium."""

    id: int
    status: str
    exporter_org_id: int
    policy_id: int
    buyer_id: int
    buyer_country: str | None
    limit_id: int | None
    limit_version_id: int | None
    invoice_number: str
    shipment_date: date
    due_date: date
    credit_days: int
    payment_terms: str
    transport_mode: str
    hs_code: str
    goods_description: str
    currency: str
    invoice_amount: str
    prepayment: str
    insured_amount: str
    covered_amount: str
    uninsured_amount: str
    collected_amount: str
    cover_status: str
    reason_code: str
    cover_explanation: str
    rate: str
    rate_explanation: dict[str, Any] | None
    premium: str
    declaration_date: date
    declaration_due: date
    late: bool
    days_late: int
    supersedes_id: int | None
    channel: str
    declared_at: datetime
    declared_by: str
    ended_at: datetime | None
    end_reason: str | None

    @classmethod
    def of(cls, row: Declaration | DeclarationRecord) -> DeclarationOut:
        """The response view of a row (built without validation: the row is typed)."""
        return cls.model_construct(**declaration_fields(row))


def declaration_fields(row: Declaration | DeclarationRecord) -> dict[str, Any]:
    """The fields of :class:`DeclarationOut` for ``row``, as Python values: the ERP route
    encodes them straight to JSON (:func:`answer_json`) without building the model.
    """
    v = declaration_values(row)
    c = v["currency"]
    return {
        "id": v["id"],
        "status": v["status"],
        "exporter_org_id": v["exporter_org_id"],
        "policy_id": v["policy_id"],
        "buyer_id": v["buyer_id"],
        "buyer_country": v["buyer_country"],
        "limit_id": v["limit_id"],
        "limit_version_id": v["limit_version_id"],
        "invoice_number": v["invoice_number"],
        "shipment_date": v["shipment_date"],
        "due_date": v["due_date"],
        "credit_days": v["credit_days"],
        "payment_terms": v["payment_terms"],
        "transport_mode": v["transport_mode"],
        "hs_code": v["hs_code"],
        "goods_description": v["goods_description"],
        "currency": c,
        "invoice_amount": _amount(v["invoice_minor"], c),
        "prepayment": _amount(v["prepayment_minor"], c),
        "insured_amount": _amount(v["insured_minor"], c),
        "covered_amount": _amount(v["covered_minor"], c),
        "uninsured_amount": _amount(v["uninsured_minor"], c),
        "collected_amount": _amount(v["collected_minor"], c),
        "cover_status": v["cover_status"],
        "reason_code": v["reason_code"],
        "cover_explanation": v["cover_explanation"],
        "rate": str(v["rate"]),
        "rate_explanation": v["rate_explanation"],
        "premium": _amount(v["premium_minor"], c),
        "declaration_date": v["declaration_date"],
        "declaration_due": v["declaration_due"],
        "late": v["late"],
        "days_late": v["days_late"],
        "supersedes_id": v["supersedes_id"],
        "channel": v["channel"],
        "declared_at": v["declared_at"],
        "declared_by": v["declared_by"],
        "ended_at": v["ended_at"],
        "end_reason": v["end_reason"],
    }


class DeclarationWithHistoryOut(DeclarationOut):
    """A declaration and every version of it, oldest first."""

    history: list[DeclarationOut]


class ItemProblem(BaseModel):
    """Why one item of a batch or one upload row was refused."""

    code: str
    field: str | None
    detail: str
    problems: list[dict[str, Any]] = Field(default_factory=list)

    @classmethod
    def of(cls, error: DomainError | None) -> ItemProblem:
        """The view of a domain error (every problem of the item when there were several)."""
        return cls(**problem_fields(error))


def problem_fields(error: DomainError | None) -> dict[str, Any]:
    """The fields of :class:`ItemProblem` for ``error``."""
    if error is None:  # pragma: no cover - an outcome has a row or an error
        return {"code": "unknown", "field": None, "detail": "", "problems": []}
    problems = error.details.get("problems") if isinstance(error.details, dict) else None
    return {
        "code": error.code,
        "field": error.field,
        "detail": error.message,
        "problems": list(problems) if isinstance(problems, list) else [],
    }


class ItemOutcome(BaseModel):
    """One item of a batch answer: the declaration, or the problem."""

    index: int
    outcome: str  # accepted, rejected
    declaration: DeclarationOut | None = None
    problem: ItemProblem | None = None


class BatchOut(BaseModel):
    """The per-item outcome of a batch (items in request order)."""

    accepted: int
    rejected: int
    items: list[ItemOutcome]


def batch_fields(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """The fields of :class:`BatchOut` for ``outcomes``, as Python values."""
    items = [
        {
            "index": o.index,
            "outcome": "accepted",
            "declaration": declaration_fields(o.declaration),
            "problem": None,
        }
        if o.declaration is not None
        else {
            "index": o.index,
            "outcome": "rejected",
            "declaration": None,
            "problem": problem_fields(o.error),
        }
        for o in outcomes
    ]
    accepted = sum(1 for o in outcomes if o.declaration is not None)
    return {"accepted": accepted, "rejected": len(outcomes) - accepted, "items": items}


def answer_json(fields: Any) -> bytes:
    """The JSON of a response's fields, as the response model would write it (dates in ISO
    8601, UTC as ``Z``), in one pass of orjson.
    """
    return orjson.dumps(fields, default=json_default, option=orjson.OPT_UTC_Z)


class UploadRowOut(BaseModel):
    """One row of an upload report (``row`` counts from 2: row 1 is the header)."""

    row: int
    outcome: str
    declaration_id: int | None = None
    cover_status: str | None = None
    problem: ItemProblem | None = None


class UploadReportOut(BaseModel):
    """What an upload accepted and why each rejected row was rejected."""

    filename: str
    rows: int
    accepted: int
    rejected: int
    report: list[UploadRowOut]

    @classmethod
    def of(cls, filename: str, outcomes: list[Outcome]) -> UploadReportOut:
        """The report of an upload's outcomes (row 1 of the file is the header)."""
        report: list[UploadRowOut] = []
        for outcome in outcomes:
            row = outcome.declaration
            if row is not None:
                report.append(
                    UploadRowOut(
                        row=outcome.index + 2,
                        outcome="accepted",
                        declaration_id=row.id,
                        cover_status=row.cover_status,
                    )
                )
            else:
                report.append(
                    UploadRowOut(
                        row=outcome.index + 2,
                        outcome="rejected",
                        problem=ItemProblem.of(outcome.error),
                    )
                )
        accepted = sum(1 for r in report if r.outcome == "accepted")
        return cls(
            filename=filename,
            rows=len(report),
            accepted=accepted,
            rejected=len(report) - accepted,
            report=report,
        )


class PeriodOut(BaseModel):
    """One declaration period of a policy."""

    start: date
    end: date
    due: date
    declared: int
    late: int
    declared_amount: str

    @classmethod
    def of(cls, item: PeriodStatus) -> PeriodOut:
        """The response view."""
        period: DeclarationPeriod = item.period
        return cls(
            start=period.start,
            end=period.end,
            due=period.due,
            declared=item.declared,
            late=item.late,
            declared_amount=str(item.declared_amount.amount),
        )


def _money(money: Money) -> str:
    return _amount(money.minor_units(), money.currency)


class TurnoverMonthOut(BaseModel):
    """One month of a policy: its turnover return against that month's declarations."""

    month: str = Field(examples=["2026-10"])
    return_due: date
    returned: bool
    return_overdue: bool
    turnover: str | None = Field(description="The returned turnover; null: no return")
    declared: str = Field(description="Invoice amounts of the month's active declarations")
    undeclared: str = Field(description="max(0, turnover - declared); 0 without a return")
    flagged: bool = Field(description="True when part of the returned turnover is undeclared")
    declared_share: str | None = Field(description="Declared (at most the turnover) / turnover")

    @classmethod
    def of(cls, item: TurnoverMonth, *, as_of: date) -> TurnoverMonthOut:
        """The response view (``as_of``: the day a missing return is overdue after)."""
        return cls(
            month=item.month.strftime("%Y-%m"),
            return_due=item.return_due,
            returned=item.returned,
            return_overdue=item.return_overdue(as_of),
            turnover=None if item.turnover is None else _money(item.turnover),
            declared=_money(item.declared),
            undeclared=_money(item.undeclared),
            flagged=item.flagged,
            declared_share=None if item.share is None else str(item.share),
        )


class WholeTurnoverOut(BaseModel):
    """The whole-turnover record ([002] 3.1): every month's return against its declarations."""

    whole_turnover: bool
    min_declared_share: str
    declared_share: str
    under_review: bool = Field(
        description="A whole-turnover policy whose declared share is below the minimum"
    )
    undeclared: str = Field(description="The months' undeclared remainders added up")
    months: list[TurnoverMonthOut]

    @classmethod
    def of(cls, review: WholeTurnoverReview, *, as_of: date) -> WholeTurnoverOut:
        """The response view."""
        return cls(
            whole_turnover=review.whole_turnover,
            min_declared_share=str(review.min_declared_share),
            declared_share=str(review.declared_share),
            under_review=review.under_review,
            undeclared=_money(review.undeclared),
            months=[TurnoverMonthOut.of(m, as_of=as_of) for m in review.months],
        )


class DeclarationStatusOut(BaseModel):
    """What is due on a policy, what was declared, late, and the share of turnover."""

    policy_id: int
    frequency: str
    periods: list[PeriodOut]
    declared: int
    on_time: int
    late: int
    compliance_rate: str
    currency: str
    declared_amount: str
    turnover: str = Field(description="Turnover returned for the months of the range")
    declared_share_of_turnover: str = Field(
        description="Over the returned months only, each against its own declarations"
    )
    whole_turnover: WholeTurnoverOut

    @classmethod
    def of(cls, status: DeclarationStatus, *, as_of: date) -> DeclarationStatusOut:
        """The response view (``as_of``: today, for overdue returns)."""
        return cls(
            policy_id=status.policy_id,
            frequency=status.frequency,
            periods=[PeriodOut.of(p) for p in status.periods],
            declared=status.declared,
            on_time=status.on_time,
            late=status.late,
            compliance_rate=str(status.compliance_rate),
            currency=status.declared_amount.currency,
            declared_amount=str(status.declared_amount.amount),
            turnover=str(status.turnover.amount),
            declared_share_of_turnover=str(status.declared_share_of_turnover),
            whole_turnover=WholeTurnoverOut.of(status.whole_turnover, as_of=as_of),
        )


class TurnoverReturnOut(BaseModel):
    """A recorded monthly turnover return."""

    policy_id: int
    month: str
    currency: str
    amount: str
    submitted_at: datetime
    submitted_by: str

    @classmethod
    def of(cls, row: TurnoverReturn) -> TurnoverReturnOut:
        """The response view."""
        return cls(
            policy_id=row.policy_id,
            month=row.month.strftime("%Y-%m"),
            currency=row.currency,
            amount=_amount(row.amount_minor, row.currency),
            submitted_at=row.submitted_at,
            submitted_by=row.submitted_by,
        )

"""API shapes of credit limits: applications, decisions, limits, versions, notices, tracking."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from tradecover.kit.inputs import InputModel
from tradecover.kit.money import Money
from tradecover.limits.model import (
    CreditLimit,
    CreditLimitVersion,
    LimitApplication,
    LimitNotification,
)
from tradecover.limits.request import DecisionOutcome, ReasonCode, RequestType
from tradecover.limits.service import AggregateView, LimitUtilisation
from tradecover.reference.payment_terms import PaymentTerms

if TYPE_CHECKING:
    from tradecover.reporting import WatchEntry

SignedAmount = Annotated[
    str,
    Field(
        pattern=r"^-?[0-9]{1,15}(\.[0-9]{1,4})?$",
        examples=["250000.00"],
        description="A decimal string, never a float",
    ),
]
Currency3 = Annotated[str, Field(min_length=3, max_length=3, examples=["USD"])]


class MoneyOut(BaseModel):
    """An amount as a decimal string with its currency."""

    amount: str = Field(examples=["250000.00"])
    currency: str = Field(examples=["USD"])

    @classmethod
    def of(cls, money: Money) -> MoneyOut:
        """Build from :class:`Money`."""
        return cls(amount=str(money.rounded().amount), currency=money.currency)

    @classmethod
    def minor(cls, minor: int, currency: str) -> MoneyOut:
        """Build from stored minor units."""
        return cls.of(Money.from_minor(minor, currency))


class ShipmentsIn(InputModel):
    """What the exporter expects to ship to the buyer in a year (in the limit's currency)."""

    model_config = ConfigDict(extra="forbid")
    contract_size: SignedAmount
    shipments_per_year: int = Field(ge=1, le=365, examples=[12])
    largest_shipment: SignedAmount
    transit_days: int = Field(default=0, ge=0, le=365, examples=[30])


class LimitApplicationIn(InputModel):
    """An application for a limit on a buyer under the exporter's policy."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "policy_id": 1,
                    "buyer_id": 1,
                    "request_type": "new_limit",
                    "amount": "250000",
                    "currency": "USD",
                    "payment_terms": "OA",
                    "credit_period_days": 90,
                    "shipments": {
                        "contract_size": "1200000",
                        "shipments_per_year": 12,
                        "largest_shipment": "150000",
                        "transit_days": 30,
                    },
                }
            ]
        },
    )
    policy_id: int = Field(ge=1, le=2**63 - 1)
    buyer_id: int = Field(ge=1, le=2**63 - 1)
    request_type: RequestType = RequestType.NEW_LIMIT
    amount: SignedAmount = Field(description="The total wanted ('increase to'); 0 to cancel")
    currency: Currency3
    payment_terms: PaymentTerms
    credit_period_days: int = Field(ge=0, le=3650, examples=[90])
    shipments: ShipmentsIn | None = None


class ConditionsIn(InputModel):
    """Special conditions of an approval."""

    model_config = ConfigDict(extra="forbid")
    indemnity_pct: Decimal | None = Field(
        default=None, gt=0, le=100, max_digits=7, decimal_places=4
    )
    expires_on: date | None = None
    text: str | None = Field(default=None, max_length=2000)


class DecisionIn(InputModel):
    """An underwriter's decision: outcome, the new total approved, reason codes."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "outcome": "partly_approved",
                    "amount": "200000",
                    "reasons": ["sized_to_credit_cycle"],
                }
            ]
        },
    )
    outcome: DecisionOutcome
    amount: SignedAmount
    reasons: list[ReasonCode] = Field(default_factory=list, max_length=20)
    conditions: ConditionsIn | None = None


class LimitChangeIn(InputModel):
    """The insurer reduces a limit (to ``amount``) or cancels it, with a reason."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "amount": "100000",
                    "reason": "buyer's payment record worsened",
                    "effective_from": "2026-12-01",
                }
            ]
        },
    )
    amount: SignedAmount | None = None
    reason: str = Field(min_length=1, max_length=1000)
    effective_from: date | None = None


class BulkActionIn(InputModel):
    """Cut by a percentage, or cancel, every limit on a buyer, a sector or a country."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"country": "US", "cut_pct": "30", "reason": "tariff shock"}]
        },
    )
    buyer_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    sector: str | None = Field(default=None, max_length=40)
    country: str | None = Field(default=None, min_length=2, max_length=2)
    cut_pct: Decimal | None = Field(default=None, gt=0, lt=100, max_digits=7, decimal_places=4)
    cancel: bool = False
    reason: str = Field(min_length=1, max_length=1000)


class BulkResultOut(BaseModel):
    """Limits changed, and those skipped with why."""

    changed: list[int]
    skipped: dict[int, str]


class RevokeIdleIn(InputModel):
    """Run the idle-limit job now (default period: the configured one)."""

    model_config = ConfigDict(extra="forbid")
    idle_days: int | None = Field(default=None, ge=1, le=3650)


class AggregateOverrideIn(InputModel):
    """A risk manager's override of a buyer aggregate limit (USD); null clears it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"amount": "2000000", "reason": "group guarantee on file"}]
        },
    )
    amount: SignedAmount | None
    reason: str = Field(min_length=1, max_length=1000)


class AggregateOut(BaseModel):
    """A buyer aggregate limit and its commitments, in USD."""

    buyer_id: int
    suggested: MoneyOut
    override: MoneyOut | None
    override_reason: str | None
    aggregate: MoneyOut
    committed: MoneyOut
    room: MoneyOut
    model_version: str

    @classmethod
    def of(cls, v: AggregateView) -> AggregateOut:
        """Build from the service's view."""
        return cls(
            buyer_id=v.buyer_id,
            suggested=MoneyOut.of(v.suggested),
            override=MoneyOut.of(v.override) if v.override else None,
            override_reason=v.override_reason,
            aggregate=MoneyOut.of(v.aggregate),
            committed=MoneyOut.of(v.committed),
            room=MoneyOut.of(v.room),
            model_version=v.model_version,
        )


class LimitApplicationOut(BaseModel):
    """An application, its proposal (insurer's eyes only) and decision."""

    id: int
    policy_id: int
    buyer_id: int
    limit_id: int | None
    request_type: str
    amount: MoneyOut
    current_limit: MoneyOut | None
    payment_terms: str
    credit_period_days: int
    status: str
    route: str
    outcome: str | None
    approved: MoneyOut | None
    reasons: list[str] | None
    conditions: dict[str, Any] | None
    model_version: str | None
    proposal: dict[str, Any] | None
    submitted_at: datetime
    decided_at: datetime | None

    @classmethod
    def of(cls, row: LimitApplication, *, insurer: bool) -> LimitApplicationOut:
        """Build from the row; the proposal and grade are the insurer's own."""
        return cls(
            id=row.id,
            policy_id=row.policy_id,
            buyer_id=row.buyer_id,
            limit_id=row.limit_id,
            request_type=row.request_type,
            amount=MoneyOut.minor(row.amount_minor, row.currency),
            current_limit=MoneyOut.minor(row.current_minor, row.currency)
            if row.current_minor is not None
            else None,
            payment_terms=row.payment_terms,
            credit_period_days=row.credit_period_days,
            status=row.status,
            route=row.route,
            outcome=row.outcome,
            approved=MoneyOut.minor(row.approved_minor, row.currency)
            if row.approved_minor is not None and row.status == "decided"
            else None,
            reasons=row.reasons,
            conditions=row.conditions,
            model_version=row.model_version,
            proposal=row.proposal if insurer else None,
            submitted_at=row.submitted_at,
            decided_at=row.decided_at,
        )


class CreditLimitOut(BaseModel):
    """A limit as in force now."""

    id: int
    policy_id: int
    buyer_id: int
    country: str
    amount: MoneyOut
    status: str
    payment_terms: str
    credit_period_days: int
    effective_from: date
    expires_on: date | None
    indemnity_pct: str | None
    current_version: int

    @classmethod
    def of(cls, row: CreditLimit) -> CreditLimitOut:
        """Build from the row."""
        return cls(
            id=row.id,
            policy_id=row.policy_id,
            buyer_id=row.buyer_id,
            country=row.country,
            amount=MoneyOut.minor(row.amount_minor, row.currency),
            status=row.status,
            payment_terms=row.payment_terms,
            credit_period_days=row.credit_period_days,
            effective_from=row.effective_from,
            expires_on=row.expires_on,
            indemnity_pct=str(row.indemnity_pct) if row.indemnity_pct else None,
            current_version=row.current_version,
        )


class LimitVersionOut(BaseModel):
    """One version of a limit."""

    number: int
    kind: str
    amount: MoneyOut
    effective_from: date
    expires_on: date | None
    indemnity_pct: str | None
    reason: str | None
    application_id: int | None
    created_at: datetime

    @classmethod
    def of(cls, row: CreditLimitVersion) -> LimitVersionOut:
        """Build from the row."""
        return cls(
            number=row.number,
            kind=row.kind,
            amount=MoneyOut.minor(row.amount_minor, row.currency),
            effective_from=row.effective_from,
            expires_on=row.expires_on,
            indemnity_pct=str(row.indemnity_pct) if row.indemnity_pct else None,
            reason=row.reason,
            application_id=row.application_id,
            created_at=row.created_at,
        )


class UtilisationOut(BaseModel):
    """Approved, outstanding, available and rate (0..1, 4 decimals) of one limit."""

    limit_id: int
    approved: MoneyOut
    outstanding: MoneyOut
    available: MoneyOut
    rate: str | None

    @classmethod
    def of(cls, u: LimitUtilisation) -> UtilisationOut:
        """Build from the service's value."""
        return cls(
            limit_id=u.limit_id,
            approved=MoneyOut.of(u.approved),
            outstanding=MoneyOut.of(u.outstanding),
            available=MoneyOut.of(u.available),
            rate=str(u.rate) if u.rate is not None else None,
        )


class NotificationOut(BaseModel):
    """A notice of a reduced, cancelled or revoked limit."""

    id: int
    limit_id: int
    kind: str
    message: str
    created_at: datetime
    acknowledged_at: datetime | None

    @classmethod
    def of(cls, row: LimitNotification) -> NotificationOut:
        """Build from the row."""
        return cls(
            id=row.id,
            limit_id=row.limit_id,
            kind=row.kind,
            message=row.message,
            created_at=row.created_at,
            acknowledged_at=row.acknowledged_at,
        )


class WatchEntryOut(BaseModel):
    """A buyer on the large-limit watch list (USD)."""

    buyer_id: int
    largest: MoneyOut
    total: MoneyOut
    limits: int
    reasons: list[str]

    @classmethod
    def of(cls, e: WatchEntry) -> WatchEntryOut:
        """Build from the service's value."""
        return cls(
            buyer_id=e.buyer_id,
            largest=MoneyOut.of(e.largest),
            total=MoneyOut.of(e.total),
            limits=e.limits,
            reasons=[r.value for r in e.reasons],
        )

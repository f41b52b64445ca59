"""API shapes of claims and recoveries."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from tradecover.claims.documents.schemas import DocumentsSummary
from tradecover.claims.indemnity import LossCause
from tradecover.claims.model import ClaimLineRow, ClaimRow, RecoveryRow
from tradecover.claims.recovery import RecoverySource
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


def _money(minor: int | None, currency: str) -> dict[str, str] | None:
    if minor is None:
        return None
    return {"amount": str(Money.from_minor(minor, currency).amount), "currency": currency}


class LineIn(InputModel):
    """A shipment claimed; ``loss`` only to claim less than is outstanding."""

    model_config = ConfigDict(extra="forbid")
    declaration_id: IdInt
    loss: AmountStr | None = None


class ClaimIn(InputModel):
    """A claim on shipments that carry a notice of possible loss."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "cause": "protracted_default",
                    "currency": "USD",
                    "lines": [{"declaration_id": 12}, {"declaration_id": 13, "loss": "20000.00"}],
                }
            ]
        },
    )
    cause: LossCause
    currency: CurrencyStr
    lines: list[LineIn] = Field(min_length=1, max_length=200)


class RejectIn(InputModel):
    """Why a claim is rejected."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "the goods were not shipped"}]}
    )
    reason: str = Field(min_length=1, max_length=2000)


class CloseIn(InputModel):
    """Why a claim is closed (required to withdraw an undecided claim)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "the buyer paid after all"}]}
    )
    reason: str | None = Field(default=None, max_length=2000)


class RecoveryIn(InputModel):
    """A recovery collected after payment, and what collecting it cost."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "source": "collection_agency",
                    "gross": "10000.00",
                    "costs": "1000.00",
                    "currency": "USD",
                    "received_on": "2026-11-20",
                }
            ]
        },
    )
    source: RecoverySource
    gross: AmountStr
    costs: AmountStr = "0"
    currency: CurrencyStr
    received_on: date


class LineOut(BaseModel):
    """One claimed shipment and its part of the indemnity."""

    declaration_id: int
    loss: dict[str, str] | None
    covered_loss: dict[str, str] | None
    indemnity_pct: str
    indemnity: dict[str, str] | None


class ClaimOut(BaseModel):
    """A claim with every check the handler sees."""

    id: int
    state: str
    cause: str
    buyer_id: int
    policy_id: int
    loss: dict[str, str] | None
    indemnity: dict[str, str] | None
    checks: list[dict[str, Any]]
    calculation: dict[str, Any]
    lines: list[LineOut]
    filed_on: date
    decided_on: date | None
    payable_from: date | None
    paid_on: date | None
    rejection_reason: str | None
    closure: str | None = Field(
        default=None, description="How a closed claim ended: settled, rejected or withdrawn"
    )
    closed_on: date | None = None
    close_reason: str | None = None
    documents: DocumentsSummary | None = Field(
        default=None,
        description="Where the claim's documents stand (approval needs "
        "every required one accepted)",
    )

    @classmethod
    def of(cls, row: ClaimRow, lines: list[ClaimLineRow]) -> ClaimOut:
        """From the rows."""
        cur = row.currency
        return cls(
            id=row.id,
            state=row.state,
            cause=row.cause,
            buyer_id=row.buyer_id,
            policy_id=row.policy_id,
            loss=_money(row.loss_minor, cur),
            indemnity=_money(row.indemnity_minor, cur),
            checks=list(row.checks),
            calculation=dict(row.calculation),
            lines=[
                LineOut(
                    declaration_id=x.declaration_id,
                    loss=_money(x.loss_minor, cur),
                    covered_loss=_money(x.covered_minor, cur),
                    indemnity_pct=str(x.indemnity_pct),
                    indemnity=_money(x.indemnity_minor, cur),
                )
                for x in lines
            ],
            filed_on=row.filed_on,
            decided_on=row.decided_on,
            payable_from=row.payable_from,
            paid_on=row.paid_on,
            rejection_reason=row.rejection_reason,
            closure=row.closure,
            closed_on=row.closed_on,
            close_reason=row.close_reason,
        )


class RecoveryOut(BaseModel):
    """A booked recovery and its split."""

    id: int
    claim_id: int
    source: str
    gross: dict[str, str] | None
    costs: dict[str, str] | None
    insurer_share: dict[str, str] | None
    insured_share: dict[str, str] | None
    received_on: date

    @classmethod
    def of(cls, row: RecoveryRow) -> RecoveryOut:
        """From the row."""
        cur = row.currency
        return cls(
            id=row.id,
            claim_id=row.claim_id,
            source=row.source,
            gross=_money(row.gross_minor, cur),
            costs=_money(row.costs_minor, cur),
            insurer_share=_money(row.insurer_minor, cur),
            insured_share=_money(row.insured_minor, cur),
            received_on=row.received_on,
        )


class SpeedMonthOut(BaseModel):
    """One month of the speed report."""

    month: str
    filed: int
    decided: int
    avg_claim_to_decision_days: str | None
    decided_within_target_pct: str | None
    paid: int
    avg_decision_to_payment_days: str | None
    paid_within_target_pct: str | None
    avg_notice_to_claim_days: str | None


class AtRiskOut(BaseModel):
    """An open claim about to miss (or past) its target."""

    claim_id: int
    stage: str
    deadline: date
    days_left: int


class SpeedOut(BaseModel):
    """The speed report and the claims about to miss the target."""

    decision_days: int
    payment_days: int
    months: list[SpeedMonthOut]
    at_risk: list[AtRiskOut]

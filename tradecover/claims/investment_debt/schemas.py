"""Pydantic schemas of claims on a missed repayment ([004])."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tradecover.claims.investment_debt.service import ClaimView
from tradecover.kit.inputs import InputModel
from tradecover.kit.money import Money
from tradecover.pricing import IndemnitySettlement

_AMOUNT = r"^[0-9]{1,15}(\.[0-9]{1,4})?$"


class InvestmentDebtClaimIn(InputModel):
    """A claim on the missed repayment of repayment period ``n``.

    Without amounts, the whole scheduled ``a_n`` and ``I_n`` were missed.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "policy_id": 42,
                    "repayment_period": 1,
                    "repayment_due_date": "2029-12-31",
                    "settlement": "original_schedule",
                }
            ]
        },
    )
    policy_id: int = Field(ge=1)
    repayment_period: int = Field(ge=1, le=1000, description="Repayment period number, from 1")
    repayment_due_date: date
    settlement: IndemnitySettlement = IndemnitySettlement.ORIGINAL_SCHEDULE
    missed_principal: str | None = Field(default=None, pattern=_AMOUNT)
    missed_interest: str | None = Field(default=None, pattern=_AMOUNT)


class InvestmentDebtRejectIn(InputModel):
    """Why a claim is rejected."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=1000)


class CheckOut(BaseModel):
    """One named check with its outcome."""

    name: str
    outcome: str
    blocking: bool
    explanation: str


class InvestmentDebtClaimOut(BaseModel):
    """A missed-repayment claim: loss, indemnity, premium set off and net payment."""

    id: int
    policy_id: int
    state: str
    repayment_period: int
    position: int = Field(description="Period of insurance of the loss in the schedule")
    settlement: IndemnitySettlement
    repayment_due_date: date
    currency: str
    missed_principal: str
    missed_interest: str
    loss: str
    indemnity_pct: str
    indemnity: str
    premium_set_off: str = Field(
        description="Paid: premium settled against the indemnity; "
        "before payment: what would be set off now"
    )
    set_off_positions: list[int]
    net_payable: str = Field(description="Indemnity less the premium set off")
    checks: list[CheckOut]
    filed_on: date
    decided_on: date | None
    rejection_reason: str | None
    paid_on: date | None

    @classmethod
    def of(cls, view: ClaimView) -> InvestmentDebtClaimOut:
        """From the service view."""
        row = view.claim

        def money(minor: int) -> str:
            return str(Money.from_minor(minor, row.currency).amount)

        if row.net_paid_minor is not None:
            set_off, positions = money(row.set_off_minor), list(row.set_off_positions or [])
            net = money(row.net_paid_minor)
        else:
            total = sum((Money.of(p.premium, row.currency).minor_units() for p in view.set_off), 0)
            set_off, positions = money(total), [p.position for p in view.set_off]
            net = money(max(row.indemnity_minor - total, 0))
        checks: list[Any] = row.checks or []
        return cls(
            id=row.id,
            policy_id=row.policy_id,
            state=row.state,
            repayment_period=row.repayment_period,
            position=row.position,
            settlement=IndemnitySettlement(row.settlement),
            repayment_due_date=row.repayment_due_date,
            currency=row.currency,
            missed_principal=money(row.missed_principal_minor),
            missed_interest=money(row.missed_interest_minor),
            loss=money(row.loss_minor),
            indemnity_pct=str(row.indemnity_pct),
            indemnity=money(row.indemnity_minor),
            premium_set_off=set_off,
            set_off_positions=positions,
            net_payable=net,
            checks=[CheckOut(**c) for c in checks],
            filed_on=row.filed_on,
            decided_on=row.decided_on,
            rejection_reason=row.rejection_reason,
            paid_on=row.paid_on,
        )

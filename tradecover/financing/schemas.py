"""API shapes of bank financing: assignment requests and moves, assignments, the bank's
financing base, outstanding shipments, limits and claims of an assigned policy.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from tradecover.financing.model import LossPayeeAssignment
from tradecover.financing.service import AssignmentRequest
from tradecover.kit.inputs import InputModel
from tradecover.kit.money import Money

if TYPE_CHECKING:
    from tradecover.reporting import (
        AssignedPolicy,
        BaseLine,
        OutstandingShipment,
        PolicyClaim,
        PolicyLimit,
    )


def _amount(minor: int, currency: str) -> Decimal:
    return Money.from_minor(minor, currency).amount


class AssignmentIn(InputModel):
    """A bank's request to be the loss payee of a policy."""

    model_config = ConfigDict(extra="forbid")

    policy_id: int = Field(ge=1, le=2**63 - 1)
    priority: int = Field(ge=1, le=99, description="1 is paid first")
    cap: Decimal = Field(gt=0, max_digits=20, description="in the policy currency")
    currency: str | None = Field(
        default=None, pattern="^[A-Z]{3}$", description="the policy currency, if given"
    )
    effective_from: date
    effective_to: date | None = Field(default=None, description="inclusive; open when absent")
    advance_rate: Decimal = Field(
        gt=0, le=1, max_digits=5, decimal_places=4, description="a fraction: 0.8 = 80 %"
    )
    reason: str = Field(min_length=1, max_length=1000, description="why the bank asks")

    def value(self) -> AssignmentRequest:
        """The use case's request."""
        return AssignmentRequest(
            policy_id=self.policy_id,
            priority=self.priority,
            cap=self.cap,
            currency=self.currency,
            effective_from=self.effective_from,
            effective_to=self.effective_to,
            advance_rate=self.advance_rate,
        )


class MoveIn(InputModel):
    """The reason of an approval, acknowledgement, rejection, withdrawal or end."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=1000)


class AssignmentOut(BaseModel):
    """An assignment as stored."""

    id: int
    policy_id: int
    exporter_org_id: int
    bank_org_id: int
    status: str
    priority: int
    currency: str
    cap: Decimal
    paid: Decimal
    advance_rate: Decimal
    effective_from: date
    effective_to: date | None

    @classmethod
    def of(cls, row: LossPayeeAssignment) -> AssignmentOut:
        """From the stored row."""
        return cls(
            id=row.id,
            policy_id=row.policy_id,
            exporter_org_id=row.exporter_org_id,
            bank_org_id=row.bank_org_id,
            status=row.status,
            priority=row.priority,
            currency=row.currency,
            cap=_amount(row.cap_minor, row.currency),
            paid=_amount(row.paid_minor, row.currency),
            advance_rate=row.advance_rate,
            effective_from=row.effective_from,
            effective_to=row.effective_to,
        )


class AssignedPolicyOut(BaseModel):
    """An assigned policy as its bank sees it."""

    assignment_id: int
    policy_id: int
    policy_number: str | None
    exporter_org_id: int
    exporter_name: str
    status: str
    priority: int
    currency: str
    cap: Decimal
    paid: Decimal
    maximum_liability: Decimal
    advance_rate: Decimal
    effective_from: date
    effective_to: date | None

    @classmethod
    def of(cls, a: AssignedPolicy) -> AssignedPolicyOut:
        """From the read model."""
        return cls(
            assignment_id=a.assignment_id,
            policy_id=a.policy_id,
            policy_number=a.policy_number,
            exporter_org_id=a.exporter_org_id,
            exporter_name=a.exporter_name,
            status=a.status,
            priority=a.priority,
            currency=a.currency,
            cap=_amount(a.cap_minor, a.currency),
            paid=_amount(a.paid_minor, a.currency),
            maximum_liability=_amount(a.maximum_liability_minor, a.currency),
            advance_rate=a.advance_rate,
            effective_from=a.effective_from,
            effective_to=a.effective_to,
        )


class BaseLineOut(BaseModel):
    """The financing base of one assignment in one currency."""

    assignment_id: int
    policy_id: int
    policy_number: str | None
    exporter_name: str
    currency: str
    shipments: int
    covered_outstanding: Decimal
    overdue: Decimal
    advance_rate: Decimal
    financing_base: Decimal

    @classmethod
    def of(cls, line: BaseLine) -> BaseLineOut:
        """From the read model."""
        a, cur = line.assignment, line.currency
        return cls(
            assignment_id=a.assignment_id,
            policy_id=a.policy_id,
            policy_number=a.policy_number,
            exporter_name=a.exporter_name,
            currency=cur,
            shipments=line.shipments,
            covered_outstanding=_amount(line.covered_outstanding_minor, cur),
            overdue=_amount(line.overdue_minor, cur),
            advance_rate=a.advance_rate,
            financing_base=_amount(line.base_minor, cur),
        )


class ShipmentOut(BaseModel):
    """A shipment with covered receivables outstanding."""

    declaration_id: int
    invoice_number: str
    buyer_name: str
    shipment_date: date
    due_date: date
    currency: str
    covered: Decimal
    outstanding: Decimal
    overdue: bool

    @classmethod
    def of(cls, s: OutstandingShipment) -> ShipmentOut:
        """From the read model."""
        return cls(
            declaration_id=s.declaration_id,
            invoice_number=s.invoice_number,
            buyer_name=s.buyer_name,
            shipment_date=s.shipment_date,
            due_date=s.due_date,
            currency=s.currency,
            covered=_amount(s.covered_minor, s.currency),
            outstanding=_amount(s.outstanding_minor, s.currency),
            overdue=s.overdue,
        )


class LimitOut(BaseModel):
    """An active credit limit of the assigned policy."""

    limit_id: int
    buyer_name: str
    country: str
    currency: str
    approved: Decimal
    outstanding: Decimal
    available: Decimal

    @classmethod
    def of(cls, limit: PolicyLimit) -> LimitOut:
        """From the read model."""
        cur = limit.currency
        return cls(
            limit_id=limit.limit_id,
            buyer_name=limit.buyer_name,
            country=limit.country,
            currency=cur,
            approved=_amount(limit.approved_minor, cur),
            outstanding=_amount(limit.outstanding_minor, cur),
            available=_amount(limit.available_minor, cur),
        )


class ClaimOut(BaseModel):
    """A claim of the assigned policy, and what the bank received of it."""

    claim_id: int
    buyer_name: str
    state: str
    currency: str
    loss: Decimal
    indemnity: Decimal
    paid: Decimal
    paid_to_bank: Decimal
    filed_on: date

    @classmethod
    def of(cls, c: PolicyClaim) -> ClaimOut:
        """From the read model."""
        cur = c.currency
        return cls(
            claim_id=c.claim_id,
            buyer_name=c.buyer_name,
            state=c.state,
            currency=cur,
            loss=_amount(c.loss_minor, cur),
            indemnity=_amount(c.indemnity_minor, cur),
            paid=_amount(c.paid_minor, cur),
            paid_to_bank=_amount(c.to_bank_minor, cur),
            filed_on=c.filed_on,
        )

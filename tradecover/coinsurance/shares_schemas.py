"""API shapes of a follower's own book: its share of declarations, claims and money
[domain CO-14].
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import BaseModel

if TYPE_CHECKING:
    from tradecover.reporting.follower_book import ClaimShare, DeclarationShare, PaymentShare


class DeclarationShareOut(BaseModel):
    """A shared declaration and the follower's part of its cover and premium."""

    declaration_id: int
    policy_id: int
    policy_number: str | None
    exporter_name: str
    limit_id: int | None
    invoice_number: str
    shipment_date: date
    status: str
    currency: str
    share: Decimal
    covered: Decimal
    covered_share: Decimal
    premium: Decimal
    premium_share: Decimal

    @classmethod
    def of(cls, d: DeclarationShare) -> DeclarationShareOut:
        """From the read model."""
        return cls(
            declaration_id=d.declaration_id,
            policy_id=d.policy_id,
            policy_number=d.policy_number,
            exporter_name=d.exporter_name,
            limit_id=d.limit_id,
            invoice_number=d.invoice_number,
            shipment_date=d.shipment_date,
            status=d.status,
            currency=d.covered.currency,
            share=d.share,
            covered=d.covered.amount,
            covered_share=d.covered_share.amount,
            premium=d.premium.amount,
            premium_share=d.premium_share.amount,
        )


class ClaimShareOut(BaseModel):
    """A shared claim, the follower's part of its indemnity and its own approval."""

    claim_id: int
    policy_id: int
    policy_number: str | None
    exporter_name: str
    limit_id: int | None
    state: str
    due_date: date
    filed_on: date
    paid_on: date | None
    currency: str
    share: Decimal
    indemnity: Decimal
    indemnity_share: Decimal
    approval: str | None

    @classmethod
    def of(cls, c: ClaimShare) -> ClaimShareOut:
        """From the read model."""
        return cls(
            claim_id=c.claim_id,
            policy_id=c.policy_id,
            policy_number=c.policy_number,
            exporter_name=c.exporter_name,
            limit_id=c.limit_id,
            state=c.state,
            due_date=c.due_date,
            filed_on=c.filed_on,
            paid_on=c.paid_on,
            currency=c.indemnity.currency,
            share=c.share,
            indemnity=c.indemnity.amount,
            indemnity_share=c.indemnity_share.amount,
            approval=c.approval,
        )


class PaymentShareOut(BaseModel):
    """The follower's part of one amount posted (premium, claim paid, recovery)."""

    source: str
    source_id: int
    component: str
    policy_id: int
    posted_on: date
    currency: str
    share: Decimal
    whole: Decimal
    amount: Decimal

    @classmethod
    def of(cls, p: PaymentShare) -> PaymentShareOut:
        """From the read model."""
        return cls(
            source=p.source,
            source_id=p.source_id,
            component=p.component,
            policy_id=p.policy_id,
            posted_on=p.posted_on,
            currency=p.amount.currency,
            share=p.share,
            whole=p.whole.amount,
            amount=p.amount.amount,
        )

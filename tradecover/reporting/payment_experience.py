"""Read models of data sovereignty (claims, collections and declarations read together):
an exporter's payment experience per buyer for the pool [domain CS-12], the buyers its
shipments go to (the sharing summary, [domain CS-11]) and the declarations a claim in
progress holds (kept by the retention purge, [domain CS-13]).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from tradecover.claims.model import ClaimLineRow as ClaimLine
from tradecover.claims.model import ClaimRow as Claim
from tradecover.collections.model import PossibleLossNotice
from tradecover.declarations.model import Declaration

CLAIM_ENDED = ("rejected", "closed")
"""Claim states that end a claim: anything else is a claim in progress."""


@dataclass(frozen=True, slots=True)
class BuyerPaymentRecord:
    """One exporter's overdue notices (longest delay) and claims on one buyer."""

    buyer_id: int
    overdue_notices: int
    max_days_late: int
    claims: int


def payment_records_of(session: Session, exporter_org_id: int) -> list[BuyerPaymentRecord]:
    """Per buyer, the exporter's notices of possible loss and claims (set-based)."""
    notices = {
        buyer: (count, days)
        for buyer, count, days in session.execute(
            select(
                PossibleLossNotice.buyer_id,
                func.count(PossibleLossNotice.id),
                func.max(PossibleLossNotice.days_late),
            )
            .where(PossibleLossNotice.exporter_org_id == exporter_org_id)
            .group_by(PossibleLossNotice.buyer_id)
        )
    }
    claims = dict(
        session.execute(
            select(Claim.buyer_id, func.count(Claim.id))
            .where(Claim.exporter_org_id == exporter_org_id)
            .group_by(Claim.buyer_id)
        ).all()
    )
    return [
        BuyerPaymentRecord(
            buyer_id=buyer,
            overdue_notices=notices.get(buyer, (0, 0))[0],
            max_days_late=int(notices.get(buyer, (0, 0))[1] or 0),
            claims=int(claims.get(buyer, 0)),
        )
        for buyer in sorted({*notices, *claims})
    ]


def buyers_declared(session: Session, exporter_org_id: int) -> int:
    """How many buyers the exporter's declared shipments go to."""
    return int(
        session.execute(
            select(func.count(distinct(Declaration.buyer_id))).where(
                Declaration.exporter_org_id == exporter_org_id
            )
        ).scalar_one()
    )


def declarations_in_claim(session: Session, exporter_org_id: int) -> frozenset[int]:
    """The exporter's declarations a claim in progress holds."""
    return frozenset(
        session.execute(
            select(ClaimLine.declaration_id)
            .join(Claim, Claim.id == ClaimLine.claim_id)
            .where(Claim.exporter_org_id == exporter_org_id, Claim.state.not_in(CLAIM_ENDED))
        ).scalars()
    )

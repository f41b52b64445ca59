"""What the insured book holds, counted across policies and claims (the demo seed's summary)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.claims.model import ClaimRow
from tradecover.policies.model import Endorsement, Policy, RenewalOffer


def policies_by_state(session: Session) -> dict[str, int]:
    """How many policies are in each state, by state."""
    rows = session.execute(select(Policy.state, func.count()).group_by(Policy.state)).all()
    return {str(k): int(v) for k, v in sorted(rows)}


def renewal_offer_count(session: Session) -> int:
    """How many renewal offers were made."""
    return int(session.execute(select(func.count()).select_from(RenewalOffer)).scalar_one())


def endorsement_count(session: Session) -> int:
    """How many endorsements were added to policies."""
    return int(session.execute(select(func.count()).select_from(Endorsement)).scalar_one())


def claims_by_state(session: Session) -> dict[str, int]:
    """How many claims are in each state, by state."""
    rows = session.execute(select(ClaimRow.state, func.count()).group_by(ClaimRow.state)).all()
    return {str(k): int(v) for k, v in rows}

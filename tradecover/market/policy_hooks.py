"""What the market does when the policies context underwrites or issues a policy, and when
coinsurance sets a policy's participations.

Neither context imports the market: they call the guards (and the listener on a policy
application submitted, [domain MK-16]) registered with their ports
(:mod:`tradecover.policies.ports`, :mod:`tradecover.coinsurance.ports`).  Importing
:mod:`tradecover.market` registers these two; each loads its use case on first call
([domain MK-11], [domain MK-12]).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tradecover.coinsurance import guard_participations
from tradecover.policies import (
    SubmittedApplication,
    UnderwritingStep,
    guard_underwriting,
    on_application_submitted,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def market_guard(session: Session, step: UnderwritingStep) -> None:
    """The insurer of last resort takes a marketable risk only once the market declined it."""
    from tradecover import market

    market.check_underwriting(session, step)


def classify_submitted(session: Session, submitted: SubmittedApplication) -> None:
    """A policy application is classified as it is submitted ([domain MK-16])."""
    from tradecover import market

    market.classify_on_submission(session, submitted)


def not_double_insured(session: Session, policy_id: int) -> None:
    """A double-insured policy is not coinsured as well (``policy_double_insured``, 409)."""
    from tradecover import market

    market.refuse_double_insured(session, policy_id)


guard_underwriting(market_guard)
on_application_submitted(classify_submitted)
guard_participations(not_double_insured)

"""What the market does when the policies context underwrites or issues a policy.

The policies context does not import the market: it calls the guards registered with its
port (:mod:`tradecover.policies.ports`).  Importing :mod:`tradecover.market` registers this
one; it loads the use case on first call ([domain MK-11]).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tradecover.policies import UnderwritingStep, guard_underwriting

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def market_guard(session: Session, step: UnderwritingStep) -> None:
    """The insurer of last resort takes a marketable risk only once the market declined it."""
    from tradecover import market

    market.check_underwriting(session, step)


guard_underwriting(market_guard)

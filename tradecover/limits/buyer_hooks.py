"""What limits does when the buyers context rates or merges a buyer.

The buyers context does not import limits: it calls the listeners and guards registered
with its ports (:mod:`tradecover.buyers.ports`).  Importing :mod:`tradecover.limits`
registers these two; each loads the use case it needs on first call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tradecover.buyers import RatedBuyer, guard_merge, on_buyer_rated

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def refresh_aggregate_on_rating(session: Session, rated: RatedBuyer) -> None:
    """Rating a buyer refreshes its suggested aggregate limit, which limits keeps."""
    from tradecover import limits

    limits.refresh_buyer_aggregate(session, rated)


def buyer_carries_limits(session: Session, buyer_id: int) -> bool:
    """A buyer record named by a limit or an application is not merged away."""
    from tradecover import limits

    return limits.buyer_carries_limits(session, buyer_id)


on_buyer_rated(refresh_aggregate_on_rating)
guard_merge(buyer_carries_limits)

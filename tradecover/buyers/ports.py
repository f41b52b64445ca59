"""What buyers tells the contexts that keep figures on a buyer, without importing them.

Rating a buyer changes its suggested aggregate limit, which the limits context keeps; a
merge of two buyer records must not orphan limits or applications.  The limits context
registers a listener (:func:`on_buyer_rated`) and a guard (:func:`guard_merge`) when it
is imported; the buyers' use cases call every one registered, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tradecover.buyers.rating_factors import SizeBand
from tradecover.buyers.rating_scale import Rating

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True)
class RatedBuyer:
    """A buyer just rated: whether it is a bank, its size band, the new rating, who rated."""

    buyer_id: int
    bank: bool
    size: SizeBand
    rating: Rating
    actor: str


RatingListener = Callable[["Session", RatedBuyer], None]
"""Called after a buyer's rating is stored."""

MergeGuard = Callable[["Session", int], bool]
"""True when the buyer record must not be merged away (it carries another context's rows)."""

_rating_listeners: list[RatingListener] = []
_merge_guards: list[MergeGuard] = []


def on_buyer_rated(listener: RatingListener) -> None:
    """Register ``listener`` (once) to be called after every rating."""
    if listener not in _rating_listeners:
        _rating_listeners.append(listener)


def guard_merge(guard: MergeGuard) -> None:
    """Register ``guard`` (once): a merge of a buyer it answers True for is refused."""
    if guard not in _merge_guards:
        _merge_guards.append(guard)


def buyer_rated(session: Session, rated: RatedBuyer) -> None:
    """Tell every registered listener that a buyer was rated."""
    for listener in tuple(_rating_listeners):
        listener(session, rated)


def merge_blocked(session: Session, buyer_id: int) -> bool:
    """True when a registered guard refuses to merge ``buyer_id`` away."""
    return any(guard(session, buyer_id) for guard in tuple(_merge_guards))

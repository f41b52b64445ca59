"""Read model: the large-limit watch list ([domain L-1]).

Buyers whose largest credit limit or total of limits in force reaches the watch
thresholds of :class:`~tradecover.limits.service.LimitRules`, and buyers in default (an
open notice of possible loss of the collections context freezes them).  It reads the
limits' and the notices' tables in the caller's session; the reasons are the limits
context's pure rule :func:`~tradecover.limits.watch_list_reasons`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.access.principal import Principal
from tradecover.access.roles import Permission
from tradecover.collections.model import NOTICE_OPEN, PossibleLossNotice
from tradecover.kit.money import Money
from tradecover.limits import WatchReason, WatchThresholds, watch_list_reasons
from tradecover.limits.fx import CAP_CURRENCY
from tradecover.limits.model import CreditLimit
from tradecover.limits.rules import LimitRules


@dataclass(frozen=True, slots=True)
class WatchEntry:
    """A buyer on the large-limit watch list: its largest limit and total, in USD."""

    buyer_id: int
    largest: Money
    total: Money
    limits: int
    reasons: tuple[WatchReason, ...]


def limit_watch_list(
    session: Session, *, principal: Principal, rules: LimitRules
) -> list[WatchEntry]:
    """Buyers with a single limit or a total of limits at or above the watch thresholds,
    and buyers in default (an open notice of possible loss freezes them: reason
    ``buyer_in_default``, listed even with no active limit left), largest total first.
    """
    principal.require(Permission.LIMIT_MANAGE)
    single = Money(rules.watch_single, CAP_CURRENCY).minor_units()
    total = Money(rules.watch_buyer_total, CAP_CURRENCY).minor_units()
    largest_col = func.max(CreditLimit.committed_usd_minor)
    total_col = func.sum(CreditLimit.committed_usd_minor)
    defaulted = (
        select(PossibleLossNotice.buyer_id)
        .where(PossibleLossNotice.status == NOTICE_OPEN)
        .distinct()
    )
    in_default = {int(b) for b in session.execute(defaulted).scalars()}
    rows = session.execute(
        select(CreditLimit.buyer_id, largest_col, total_col, func.count())
        .where(CreditLimit.status == "active")
        .group_by(CreditLimit.buyer_id)
        .having(
            (largest_col >= single) | (total_col >= total) | CreditLimit.buyer_id.in_(defaulted)
        )
        .order_by(total_col.desc(), CreditLimit.buyer_id)
    )
    thresholds = WatchThresholds(
        single_limit=Money(rules.watch_single, CAP_CURRENCY),
        buyer_total=Money(rules.watch_buyer_total, CAP_CURRENCY),
    )
    default_reason = (WatchReason.BUYER_IN_DEFAULT,)
    out = []
    for buyer_id, largest, summed, count in rows:
        big = Money.from_minor(int(largest), CAP_CURRENCY)
        all_ = Money.from_minor(int(summed), CAP_CURRENCY)
        reasons = watch_list_reasons(
            [big, all_ - big] if count > 1 else [big], thresholds=thresholds
        )
        if int(buyer_id) in in_default:
            reasons += default_reason
        out.append(WatchEntry(int(buyer_id), big, all_, int(count), reasons))
    listed = {e.buyer_id for e in out}
    zero = Money.zero(CAP_CURRENCY)
    out += [WatchEntry(b, zero, zero, 0, default_reason) for b in sorted(in_default - listed)]
    return out

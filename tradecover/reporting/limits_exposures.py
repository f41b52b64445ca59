"""Read model: the declared shipments that may have been outstanding on credit limits.

The under-use rule of the limits context (:mod:`tradecover.limits.under_use`) judges a
limit on its peak outstanding amount over a window; this read model gathers what it
needs from the declarations' and the collections' tables in the caller's session: every
declared shipment on the limits with its covered amount, when it ended, and the
collections confirmed on it, in the limit's currency.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.collections.model import CollectionConfirmation
from tradecover.declarations.model import Declaration
from tradecover.kit.money import Money
from tradecover.limits.fx import from_usd, to_usd
from tradecover.limits.under_use import Exposure

_CHUNK = 500  # ids per IN list: well under every database's bound parameter limit


def _collection_day(row: CollectionConfirmation) -> date:
    if row.paid_on is not None:
        return row.paid_on
    if row.confirmed_on is not None:
        return row.confirmed_on
    return row.confirmed_at.astimezone(UTC).date()


def _in(amount: Money, currency: str) -> Money:
    """``amount`` in the limit's currency (through USD when a shipment was in another)."""
    return amount if amount.currency == currency else from_usd(to_usd(amount), currency)


def limit_exposures(
    session: Session, *, limits: Mapping[int, str], start: date, today: date
) -> dict[int, list[Exposure]]:
    """Every declared shipment that may have been outstanding on these limits (id to
    currency) in the window, in the limit's currency.
    """
    limit_ids = sorted(limits)
    out: dict[int, list[Exposure]] = defaultdict(list)
    since = datetime(start.year, start.month, start.day, tzinfo=UTC)
    for i in range(0, len(limit_ids), _CHUNK):
        ids = list(limit_ids[i : i + _CHUNK])
        decls = list(
            session.execute(
                select(
                    Declaration.id,
                    Declaration.limit_id,
                    Declaration.shipment_date,
                    Declaration.covered_minor,
                    Declaration.currency,
                    Declaration.ended_at,
                ).where(
                    Declaration.limit_id.in_(ids),
                    Declaration.shipment_date <= today,
                    Declaration.covered_minor > 0,
                    (Declaration.ended_at.is_(None)) | (Declaration.ended_at >= since),
                )
            )
        )
        paid: dict[int, list[tuple[date, Money]]] = defaultdict(list)
        decl_ids = [d.id for d in decls]
        for j in range(0, len(decl_ids), _CHUNK):
            for c in session.execute(
                select(CollectionConfirmation).where(
                    CollectionConfirmation.declaration_id.in_(decl_ids[j : j + _CHUNK]),
                    CollectionConfirmation.amount_minor > 0,
                )
            ).scalars():
                paid[c.declaration_id].append(
                    (_collection_day(c), Money.from_minor(c.amount_minor, c.currency))
                )
        for d in decls:
            currency = limits[int(d.limit_id)]
            out[int(d.limit_id)].append(
                Exposure(
                    shipped_on=d.shipment_date,
                    covered=_in(Money.from_minor(d.covered_minor, d.currency), currency),
                    collections=tuple((day, _in(m, currency)) for day, m in paid[d.id]),
                    ended_on=d.ended_at.astimezone(UTC).date() if d.ended_at is not None else None,
                )
            )
    return out

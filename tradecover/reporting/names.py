"""Names for ids: what the pages show instead of a buyer's number (one query a page)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.buyers.model import Buyer

_CHUNK = 500  # ids per IN list: well under every database's bound parameter limit


def buyer_names(session: Session, buyer_ids: Iterable[int]) -> dict[int, str]:
    """The legal name of each of ``buyer_ids`` that exists, by id.  The caller has already
    read the rows that name these buyers under its own scoping and consent.
    """
    wanted = sorted(set(buyer_ids))
    names: dict[int, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        for buyer_id, name in session.execute(
            select(Buyer.id, Buyer.legal_name).where(Buyer.id.in_(wanted[start : start + _CHUNK]))
        ):
            names[int(buyer_id)] = str(name)
    return names

"""Reads of the notices of possible loss, scoped to the reader.

An exporter reads its own notices; insurer staff read every exporter's.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.access import Principal
from tradecover.collections.model import NOTICE_OPEN, PossibleLossNotice


def open_notices(session: Session, *, principal: Principal) -> list[PossibleLossNotice]:
    """The notices of possible loss still open (not withdrawn), oldest first."""
    query = select(PossibleLossNotice).where(PossibleLossNotice.status == NOTICE_OPEN)
    if not principal.is_insurer:
        query = query.where(PossibleLossNotice.exporter_org_id == principal.org_id)
    return list(session.execute(query.order_by(PossibleLossNotice.id)).scalars())


def notices_filed_on(session: Session, notice_ids: list[int]) -> dict[int, date]:
    """When each notice of possible loss among ``notice_ids`` was filed, by id."""
    wanted = sorted(set(notice_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(PossibleLossNotice.id, PossibleLossNotice.filed_on).where(
            PossibleLossNotice.id.in_(wanted)
        )
    )
    return {int(i): filed for i, filed in rows}


OpenNotice = PossibleLossNotice
"""The stored notice of possible loss other contexts are handed (for their annotations)."""

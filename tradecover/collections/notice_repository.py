"""Reads of the notices of possible loss, scoped to the reader.

An exporter reads its own notices; insurer staff read every exporter's.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.access.principal import Principal
from tradecover.collections.model import NOTICE_OPEN, PossibleLossNotice


def open_notices(session: Session, *, principal: Principal) -> list[PossibleLossNotice]:
    """The notices of possible loss still open (not withdrawn), oldest first."""
    query = select(PossibleLossNotice).where(PossibleLossNotice.status == NOTICE_OPEN)
    if not principal.is_insurer:
        query = query.where(PossibleLossNotice.exporter_org_id == principal.org_id)
    return list(session.execute(query.order_by(PossibleLossNotice.id)).scalars())

"""The feed's part of the retention purge [domain CS-13]: the stored content of an
exporter's received documents is emptied once no consent opens it any more; the row stays
(status, reasons, the original's SHA-256, the declaration it attached), so that the ledger
and exactly-once attachment hold.  Never commits.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.feeds.model import ReceivedDocument
from tradecover.kit.dates import utc_now


def purge_documents(
    session: Session,
    *,
    exporter_org_id: int,
    data_from: date | None,
    data_to: date | None,
    keep_declarations: Collection[int],
    financial_years: int,
    now: datetime | None = None,
) -> int:
    """Empty the stored content of the exporter's documents received in the window, but
    those a claim in progress holds (``keep_declarations``) and the financial records (a
    document a declaration rests on) younger than ``financial_years``.  Returns how many.
    """
    now = now or utc_now()
    financial_cutoff = now - timedelta(days=365 * financial_years + financial_years // 4)
    query = select(ReceivedDocument).where(
        ReceivedDocument.exporter_org_id == exporter_org_id,
        func.length(ReceivedDocument.content) > 0,
    )
    if data_from is not None:
        query = query.where(
            ReceivedDocument.received_at >= datetime.combine(data_from, time(), tzinfo=UTC)
        )
    if data_to is not None:
        end = datetime.combine(data_to + timedelta(days=1), time(), tzinfo=UTC)
        query = query.where(ReceivedDocument.received_at < end)
    purged = 0
    for row in session.execute(query).scalars():
        declarations = {row.declaration_id, row.corrects_declaration_id} - {None}
        if declarations & set(keep_declarations):
            continue  # a claim in progress rests on it
        if declarations and row.received_at > financial_cutoff:
            continue  # a financial record the law still requires
        row.content, row.updated_at = b"", now
        purged += 1
    session.flush()
    return purged

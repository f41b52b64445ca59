"""What a billing run bills: its cutoff, its periods, and the queue of policies with their sums.

:func:`enqueue` queues every policy with something to bill in the run's own month or in an
earlier billed month to adjust (:func:`periods`), storing each policy's part sums on its
item, up to the run's *cutoff* (:func:`run_cutoff`); :func:`stored_sums` reads them back for
a batch of :func:`tradecover.billing.jobs.bill_batch`.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tradecover import ledger, subsidies
from tradecover.billing import repository
from tradecover.billing.model import (
    ITEM_PENDING,
    BillingRun,
    BillingRunItem,
)
from tradecover.billing.notice import month_end
from tradecover.kit.dates import utc_now
from tradecover.subsidies import Programme


def run_cutoff(session: Session) -> datetime:
    """The instant the run bills up to: now, or just before the oldest open transaction.

    A declaration's ``declared_at`` (or ``ended_at``) is stamped inside its transaction,
    after it began.  On PostgreSQL a transaction that began before now may still commit a
    row stamped before now; taking the cutoff just before the oldest transaction still
    open guarantees that every row stamped at or before the cutoff is committed, so what
    the run counts is exactly what membership recomputes later.  (SQLite: ``BEGIN
    IMMEDIATE`` serialises writers, so every earlier writer has committed.)  A transaction
    left open for long only pulls the cutoff back: what it leaves out is billed by the next
    run's adjustment, never lost.  Assumes the application's and the database's clocks
    agree and that the database role sees its other sessions in ``pg_stat_activity``.
    """
    now = utc_now()
    if session.get_bind().dialect.name != "postgresql":
        return now
    oldest = session.execute(
        text(
            "SELECT MIN(xact_start) FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid() "
            "AND xact_start IS NOT NULL"
        )
    ).scalar_one()
    if not isinstance(oldest, datetime):
        return now
    return min(now, oldest.astimezone(UTC) - timedelta(microseconds=1))


def periods(session: Session, run: BillingRun) -> list[repository.Period]:
    """The run's own month, then every earlier billed month to adjust since it was last billed.

    A month m was last billed at the latest cutoff, before this run's, of a run of m or of
    a later month (every run adjusts all earlier billed months).
    """
    runs = [
        (m if isinstance(m, date) else date.fromisoformat(str(m)), c)
        for m, c in session.execute(
            select(BillingRun.month, BillingRun.cutoff).where(BillingRun.cutoff < run.cutoff)
        )
    ]
    out = [repository.Period(run.month, month_end(run.month), None)]
    for month in sorted({m for m, _ in runs if m < run.month}):
        since = max(c for m, c in runs if m >= month)
        out.append(repository.Period(month, month_end(month), since))
    return out


def ask_key(programme_id: int, share: Decimal) -> str:
    """The key of a (programme, share) ask in the sums stored on a run item."""
    return f"{programme_id}:{share}"


def all_asks(programmes: list[tuple[int, Programme]]) -> list[tuple[str, repository.Ask]]:
    """Every (programme, share) a decision can give: the share and each size tier's."""
    out: dict[str, repository.Ask] = {}
    for programme_id, programme in programmes:
        rules = repository.ShipmentRules(
            programme.hs_chapters,
            programme.destination_countries,
            programme.valid_from,
            programme.valid_to,
        )
        for share in (programme.share, *(t.share for t in programme.size_tiers)):
            out.setdefault(ask_key(programme_id, share), repository.Ask(share, rules))
    return list(out.items())


def enqueue(session: Session, run: BillingRun) -> int:
    """Queue every policy with members in a period, not queued yet, with its part sums.

    One aggregate per period over ALL policies (a pass like the bare aggregation), with
    every (programme, share) a decision can give as a column, stored on the item as JSON
    (``{"asks": [keys], "parts": [[period start, count, signed sum, [[n, asked]...]]]}``):
    a batch then reads its sums instead of summing the declarations again.  The sums are a
    pure function of the run's cutoff and periods (membership), so a resumed run reads
    what it would recompute.
    """
    programmes = [
        (row.id, subsidies.to_programme(row)) for row in subsidies.all_programmes(session)
    ]
    asks = all_asks(programmes)
    keys = [k for k, _ in asks]
    queued = repository.queued_policies(session, run_id=run.id)
    parts: dict[int, list[list[object]]] = {}
    for period in periods(session, run):
        for policy_id, part in repository.part_sums(
            session, policy_ids=None, period=period, cutoff=run.cutoff, asks=[a for _, a in asks]
        ).items():
            if policy_id not in queued:
                parts.setdefault(policy_id, []).append(
                    [
                        period.start.isoformat(),
                        part.line_count,
                        part.amount_minor,
                        [list(a) for a in part.asks],
                    ]
                )
    ledger.insert_rows(
        session,
        BillingRunItem,
        [
            {
                "run_id": run.id,
                "policy_id": policy_id,
                "status": ITEM_PENDING,
                "sums": json.dumps({"asks": keys, "parts": mine}, separators=(",", ":")),
            }
            for policy_id, mine in sorted(parts.items())
        ],
    )
    return len(parts)


def stored_sums(
    items: list[tuple[int, int, str | None]],
    policy_ids: set[int],
    asks: list[tuple[int, Decimal, repository.ShipmentRules]],
) -> dict[date, dict[int, repository.PartSums]] | None:
    """The batch's part sums as stored at enqueue, in the batch's ask order.

    None when an item has none (queued before they were stored) or lacks an ask (a
    programme created after the enqueue): the batch then sums the declarations itself.
    """
    out: dict[date, dict[int, repository.PartSums]] = {}
    for _, policy_id, raw in items:
        if policy_id not in policy_ids:
            continue
        if raw is None:
            return None
        stored = json.loads(raw)
        where = {k: i for i, k in enumerate(stored["asks"])}
        try:
            order = [where[ask_key(pid, share)] for pid, share, _ in asks]
        except KeyError:
            return None
        for start, count, amount, asked in stored["parts"]:
            out.setdefault(date.fromisoformat(start), {})[policy_id] = repository.PartSums(
                policy_id,
                int(count),
                int(amount),
                tuple((int(asked[i][0]), int(asked[i][1])) for i in order),
            )
    return out

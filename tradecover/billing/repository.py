"""Every SQL statement of billing: set-based, so that a run's memory stays flat.

The heavy parts of a billing run never bring declarations into Python: premiums are
summed per policy in SQL (``INSERT ... SELECT ... GROUP BY``), lines are copied with one
``INSERT ... SELECT`` per batch, and a programme's request per notice is a ``SUM`` of
half-up rounded shares.  Work is picked with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL
(SQLite serialises writers with ``BEGIN IMMEDIATE`` and ignores the clause).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BindParameter, bindparam, text
from sqlalchemy.orm import Session

from tradecover.billing.model import ITEM_DONE, ITEM_PENDING
from tradecover.db.base import UTCDateTime

BILLABLE = ("d.status = 'active' AND d.premium_minor > 0 "
            "AND d.declaration_date >= :start AND d.declaration_date <= :end")
"""The declarations a month bills: active, bearing premium, declared in the month."""


def enqueue(session: Session, *, run_id: int, start: date, end: date) -> int:
    """Add a pending item for every policy with billable declarations not queued yet."""
    result = session.execute(text(
        "INSERT INTO billing_run_items (run_id, policy_id, status) "
        f"SELECT DISTINCT :run, d.policy_id, '{ITEM_PENDING}' FROM declarations d "
        f"WHERE {BILLABLE} AND NOT EXISTS (SELECT 1 FROM billing_run_items i "
        "WHERE i.run_id = :run AND i.policy_id = d.policy_id)"),
        {"run": run_id, "start": start, "end": end})
    return int(result.rowcount)  # type: ignore[attr-defined]


def pick(session: Session, *, run_id: int, size: int) -> list[tuple[int, int]]:
    """Lock up to ``size`` pending items nobody else holds: ``(item id, policy id)``."""
    skip = " FOR UPDATE SKIP LOCKED" if session.get_bind().dialect.name == "postgresql" else ""
    rows = session.execute(text(
        "SELECT id, policy_id FROM billing_run_items WHERE run_id = :run "
        f"AND status = '{ITEM_PENDING}' ORDER BY policy_id LIMIT :n{skip}"),
        {"run": run_id, "n": size}).all()
    return [(int(r[0]), int(r[1])) for r in rows]


def pending_count(session: Session, *, run_id: int) -> int:
    """Items of the run not billed yet."""
    return int(session.execute(text(
        f"SELECT COUNT(*) FROM billing_run_items WHERE run_id = :run AND status = "
        f"'{ITEM_PENDING}'"), {"run": run_id}).scalar_one())


def item_count(session: Session, *, run_id: int) -> int:
    """All items of the run."""
    return int(session.execute(text(
        "SELECT COUNT(*) FROM billing_run_items WHERE run_id = :run"),
        {"run": run_id}).scalar_one())


def mark_done(session: Session, *, item_ids: Sequence[int]) -> None:
    """The items' notices are written (same transaction)."""
    session.execute(text(
        f"UPDATE billing_run_items SET status = '{ITEM_DONE}' WHERE id IN :ids")
        .bindparams(bindparam("ids", expanding=True)), {"ids": list(item_ids)})


@dataclass(frozen=True, slots=True)
class NewNotice:
    """A notice just written by :func:`insert_notices`."""

    id: int
    policy_id: int
    exporter_org_id: int
    currency: str
    total_minor: int


def insert_notices(
    session: Session, *, run_id: int, policy_ids: Sequence[int], month: date, end: date,
    issue_date: date, due_date: date, now: datetime,
) -> list[NewNotice]:
    """One notice per policy: its premiums summed in SQL (policies already billed skipped)."""
    rows = session.execute(text(
        "INSERT INTO premium_notices (run_id, policy_id, exporter_org_id, month, issue_date, "
        "due_date, currency, line_count, total_minor, exporter_owed_minor, exporter_paid_minor, "
        "created_at) "
        "SELECT :run, d.policy_id, p.exporter_org_id, :month, :issue, :due, p.currency, "
        "COUNT(*), SUM(d.premium_minor), SUM(d.premium_minor), 0, :now "
        "FROM declarations d JOIN policies p ON p.id = d.policy_id "
        f"WHERE d.policy_id IN :pids AND {BILLABLE} AND d.currency = p.currency "
        "AND NOT EXISTS (SELECT 1 FROM premium_notices n WHERE n.month = :month "
        "AND n.policy_id = d.policy_id) "
        "GROUP BY d.policy_id, p.exporter_org_id, p.currency "
        "RETURNING id, policy_id, exporter_org_id, currency, total_minor")
        .bindparams(bindparam("pids", expanding=True), bindparam("now", type_=UTCDateTime())),
        {"run": run_id, "pids": list(policy_ids), "month": month, "start": month, "end": end,
         "issue": issue_date, "due": due_date, "now": now}).all()
    return sorted((NewNotice(int(r[0]), int(r[1]), int(r[2]), str(r[3]), int(r[4]))
                   for r in rows), key=lambda n: n.id)


def insert_lines(session: Session, *, notice_ids: Sequence[int], start: date, end: date) -> int:
    """Copy the billed declarations of the notices into their lines (one statement)."""
    result = session.execute(text(
        "INSERT INTO premium_notice_lines (notice_id, declaration_id, premium_minor) "
        "SELECT n.id, d.id, d.premium_minor FROM premium_notices n "
        "JOIN declarations d ON d.policy_id = n.policy_id AND d.currency = n.currency "
        f"WHERE n.id IN :nids AND {BILLABLE}")
        .bindparams(bindparam("nids", expanding=True)),
        {"nids": list(notice_ids), "start": start, "end": end})
    return int(result.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class ShipmentRules:
    """A programme's shipment-level rules, applied to each line in SQL."""

    hs_chapters: tuple[str, ...]
    destinations: tuple[str, ...]
    valid_from: date | None
    valid_to: date | None


def requests(session: Session, *, notice_ids: Sequence[int], share: Decimal,
             rules: ShipmentRules) -> dict[int, tuple[int, int]]:
    """Per notice: (eligible lines, sum of round_half_up(premium x share)) in minor units."""
    if not notice_ids:
        return {}
    num, den = share.as_integer_ratio()
    where = ["l.notice_id IN :nids"]
    params: dict[str, object] = {"nids": list(notice_ids), "num2": 2 * num, "den": den,
                                 "den2": 2 * den}
    binds: list[BindParameter[Any]] = [bindparam("nids", expanding=True)]
    if rules.hs_chapters:
        where.append("SUBSTR(REPLACE(REPLACE(d.hs_code, '.', ''), ' ', ''), 1, 2) IN :chapters")
        params["chapters"] = list(rules.hs_chapters)
        binds.append(bindparam("chapters", expanding=True))
    if rules.destinations:
        where.append("d.buyer_country IN :dest")
        params["dest"] = list(rules.destinations)
        binds.append(bindparam("dest", expanding=True))
    if rules.valid_from is not None:
        where.append("d.shipment_date >= :vf")
        params["vf"] = rules.valid_from
    if rules.valid_to is not None:
        where.append("d.shipment_date <= :vt")
        params["vt"] = rules.valid_to
    join = ("" if not (rules.hs_chapters or rules.destinations or rules.valid_from
                       or rules.valid_to)
            else " JOIN declarations d ON d.id = l.declaration_id")
    rows = session.execute(text(
        "SELECT l.notice_id, COUNT(*), SUM((l.premium_minor * :num2 + :den) / :den2) "
        f"FROM premium_notice_lines l{join} WHERE {' AND '.join(where)} GROUP BY l.notice_id")
        .bindparams(*binds), params).all()
    return {int(r[0]): (int(r[1]), int(r[2])) for r in rows}


def settle_exporter_shares(session: Session, *, notice_ids: Sequence[int]) -> None:
    """Exporter owes = total - what the programmes granted (set-based)."""
    session.execute(text(
        "UPDATE premium_notices SET exporter_owed_minor = total_minor - COALESCE(("
        "SELECT SUM(s.granted_minor) FROM notice_splits s WHERE s.notice_id = "
        "premium_notices.id), 0) WHERE id IN :nids")
        .bindparams(bindparam("nids", expanding=True)), {"nids": list(notice_ids)})

"""Every SQL statement of billing: set-based, so that a run's memory stays flat.

The heavy parts of a billing run never bring declarations into Python and never copy
them: a notice bills its declarations by *membership* (policy, period, the run's cutoff;
see :mod:`tradecover.billing.model`), so one aggregate per period over every policy at
enqueue (:func:`part_sums`) yields every notice's count, signed total and each
programme's request (a ``SUM`` of half-up rounded shares) in a single pass.  Work is picked with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite serialises writers with
``BEGIN IMMEDIATE`` and ignores the clause).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BindParameter, bindparam, func, select, text
from sqlalchemy.orm import Session

from tradecover.billing.model import ITEM_DONE, ITEM_PENDING, NoticeSplit, PremiumNotice
from tradecover.db.base import UTCDateTime

BILLABLE = "d.premium_minor > 0 AND d.declaration_date >= :start AND d.declaration_date <= :end"
"""The declarations of a period that can bear premium (membership adds the cutoff)."""


def active_at(instant: str) -> str:
    """SQL: the declaration ``d`` was active at ``instant`` (declared, not yet ended)."""
    return f"(d.declared_at <= {instant} AND (d.ended_at IS NULL OR d.ended_at > {instant}))"


def member(cutoff: str, since: str) -> str:
    """SQL: ``d`` is a member of a part (cutoff, since); ``since`` may be NULL (original part).

    Original part: active at the cutoff.  Adjustment part: active at exactly one of the two
    instants (added since, or ended since).
    """
    return (
        f"(CASE WHEN {active_at(cutoff)} THEN 1 ELSE 0 END) <> "
        f"(CASE WHEN {since} IS NOT NULL AND {active_at(since)} THEN 1 ELSE 0 END)"
    )


def sign(cutoff: str) -> str:
    """SQL: +1 for a member active at the cutoff (billed), -1 for one ended since (credited)."""
    return f"(CASE WHEN {active_at(cutoff)} THEN 1 ELSE -1 END)"


def _changed(since: str, cutoff: str) -> str:
    """SQL prefilter of an adjustment: something happened to ``d`` in (since, cutoff]."""
    return (
        f"((d.declared_at > {since} AND d.declared_at <= {cutoff}) OR "
        f"(d.ended_at > {since} AND d.ended_at <= {cutoff}))"
    )


@dataclass(frozen=True, slots=True)
class Period:
    """A billed period: the run's own month (``since`` None) or an earlier one to adjust."""

    start: date
    end: date
    since: datetime | None


def _ts(name: str) -> BindParameter[Any]:
    return bindparam(name, type_=UTCDateTime())


def _period_where(
    period: Period, n: int
) -> tuple[str, dict[str, object], list[BindParameter[Any]]]:
    """The WHERE of one period's members (parameters suffixed ``n``)."""
    params: dict[str, object] = {f"start{n}": period.start, f"end{n}": period.end}
    binds: list[BindParameter[Any]] = []
    base = (
        f"d.premium_minor > 0 AND d.declaration_date >= :start{n} AND d.declaration_date <= :end{n}"
    )
    if period.since is None:
        return f"{base} AND {active_at(':cut')}", params, binds
    params[f"since{n}"] = period.since
    binds.append(_ts(f"since{n}"))
    return (
        (f"{base} AND {_changed(f':since{n}', ':cut')} AND {member(':cut', f':since{n}')}"),
        params,
        binds,
    )


def pick(session: Session, *, run_id: int, size: int) -> list[tuple[int, int, str | None]]:
    """Lock up to ``size`` pending items nobody else holds: ``(item id, policy id, sums)``."""
    skip = " FOR UPDATE SKIP LOCKED" if session.get_bind().dialect.name == "postgresql" else ""
    rows = session.execute(
        text(
            "SELECT id, policy_id, sums FROM billing_run_items WHERE run_id = :run "
            f"AND status = '{ITEM_PENDING}' ORDER BY policy_id LIMIT :n{skip}"
        ),
        {"run": run_id, "n": size},
    ).all()
    return [(int(r[0]), int(r[1]), None if r[2] is None else str(r[2])) for r in rows]


def queued_policies(session: Session, *, run_id: int) -> set[int]:
    """Policies already queued in the run."""
    return {
        int(p)
        for p in session.execute(
            text("SELECT policy_id FROM billing_run_items WHERE run_id = :run"), {"run": run_id}
        ).scalars()
    }


def pending_count(session: Session, *, run_id: int) -> int:
    """Items of the run not billed yet."""
    return int(
        session.execute(
            text(
                f"SELECT COUNT(*) FROM billing_run_items WHERE run_id = :run AND status = "
                f"'{ITEM_PENDING}'"
            ),
            {"run": run_id},
        ).scalar_one()
    )


def item_count(session: Session, *, run_id: int) -> int:
    """All items of the run."""
    return int(
        session.execute(
            text("SELECT COUNT(*) FROM billing_run_items WHERE run_id = :run"), {"run": run_id}
        ).scalar_one()
    )


def mark_done(session: Session, *, item_ids: Sequence[int]) -> None:
    """The items' notices are written (same transaction)."""
    session.execute(
        text(f"UPDATE billing_run_items SET status = '{ITEM_DONE}' WHERE id IN :ids").bindparams(
            bindparam("ids", expanding=True)
        ),
        {"ids": list(item_ids)},
    )


@dataclass(frozen=True, slots=True)
class ShipmentRules:
    """A programme's shipment-level rules, applied to each member in SQL."""

    hs_chapters: tuple[str, ...]
    destinations: tuple[str, ...]
    valid_from: date | None
    valid_to: date | None


@dataclass(frozen=True, slots=True)
class Ask:
    """One (programme, share) column of the aggregate: what eligible members ask for."""

    share: Decimal
    rules: ShipmentRules


@dataclass(frozen=True, slots=True)
class PartSums:
    """One policy's members in one period: count, signed premium, and each ask's part."""

    policy_id: int
    line_count: int
    amount_minor: int
    asks: tuple[tuple[int, int], ...]  # per ask: (eligible members, signed requested minor)


def _rule_sql(
    rules: ShipmentRules, n: int, params: dict[str, object], binds: list[BindParameter[Any]]
) -> str:
    where = ["1 = 1"]
    if rules.hs_chapters:
        where.append(f"SUBSTR(REPLACE(REPLACE(d.hs_code, '.', ''), ' ', ''), 1, 2) IN :ch{n}")
        params[f"ch{n}"] = list(rules.hs_chapters)
        binds.append(bindparam(f"ch{n}", expanding=True))
    if rules.destinations:
        where.append(f"d.buyer_country IN :dest{n}")
        params[f"dest{n}"] = list(rules.destinations)
        binds.append(bindparam(f"dest{n}", expanding=True))
    if rules.valid_from is not None:
        where.append(f"d.shipment_date >= :vf{n}")
        params[f"vf{n}"] = rules.valid_from
    if rules.valid_to is not None:
        where.append(f"d.shipment_date <= :vt{n}")
        params[f"vt{n}"] = rules.valid_to
    return " AND ".join(where)


def part_sums(
    session: Session,
    *,
    policy_ids: Sequence[int] | None,
    period: Period,
    cutoff: datetime,
    asks: Sequence[Ask],
) -> dict[int, PartSums]:
    """Per policy, its members of ``period`` at ``cutoff`` summed in ONE pass (no row leaves SQL).

    Each ask adds two conditional sums: the members meeting its shipment rules and the
    signed sum of their half-up rounded ``premium x share``.  ``policy_ids`` None: every
    policy (the run's enqueue, one pass over the period like the bare aggregation).
    """
    if policy_ids is not None and not policy_ids:
        return {}
    where, params, binds = _period_where(period, 0)
    params["cut"] = cutoff
    binds.append(_ts("cut"))
    if policy_ids is not None:
        where = f"d.policy_id IN :pids AND {where}"
        params["pids"] = list(policy_ids)
        binds.append(bindparam("pids", expanding=True))
    sgn = "1" if period.since is None else sign(":cut")
    # each distinct rule is evaluated once per row (in the inner select), then summed
    flags: dict[str, str] = {}
    cols: list[str] = []
    for n, ask in enumerate(asks):
        num, den = ask.share.as_integer_ratio()
        params.update({f"num{n}": 2 * num, f"den{n}": den, f"dd{n}": 2 * den})
        rule = _rule_sql(ask.rules, n, params, binds)
        flag = flags.setdefault(rule, f"m{len(flags)}")
        cols.append(f"SUM(x.{flag})")
        cols.append(f"SUM(x.{flag} * x.sgn * ((x.premium_minor * :num{n} + :den{n}) / :dd{n}))")
    inner = "".join(
        f", CASE WHEN {rule} THEN 1 ELSE 0 END AS {flag}" for rule, flag in flags.items()
    )
    extra = "".join(", " + c for c in cols)
    # grouped by currency too, the members (the policy's currency) picked after: no join
    rows = session.execute(
        text(
            f"SELECT x.policy_id, x.currency, COUNT(*), SUM(x.sgn * x.premium_minor){extra} "
            f"FROM (SELECT d.policy_id, d.currency, d.premium_minor, {sgn} AS sgn{inner} "
            f"FROM declarations d WHERE {where}) x "
            "GROUP BY x.policy_id, x.currency"
        ).bindparams(*binds),
        params,
    ).all()
    if policy_ids is None:
        currency = {
            int(i): str(c) for i, c in session.execute(text("SELECT id, currency FROM policies"))
        }
    else:
        currency = {p: c for p, (_, c) in policy_facts(session, policy_ids=policy_ids).items()}
    out: dict[int, PartSums] = {}
    for r in rows:
        if currency.get(int(r[0])) != r[1]:
            continue
        asked = tuple((int(r[4 + 2 * i]), int(r[5 + 2 * i])) for i in range(len(asks)))
        out[int(r[0])] = PartSums(int(r[0]), int(r[2]), int(r[3]), asked)
    return out


def billed_policies(session: Session, *, month: date, policy_ids: Sequence[int]) -> set[int]:
    """Policies of ``policy_ids`` that already have a notice for ``month``."""
    return {
        int(p)
        for p in session.execute(
            text(
                "SELECT policy_id FROM premium_notices WHERE month = :m AND policy_id IN :pids"
            ).bindparams(bindparam("pids", expanding=True)),
            {"m": month, "pids": list(policy_ids)},
        ).scalars()
    }


def policy_facts(session: Session, *, policy_ids: Sequence[int]) -> dict[int, tuple[int, str]]:
    """Per policy: (exporter organisation, currency)."""
    return {
        int(i): (int(o), str(c))
        for i, o, c in session.execute(
            text("SELECT id, exporter_org_id, currency FROM policies WHERE id IN :pids").bindparams(
                bindparam("pids", expanding=True)
            ),
            {"pids": list(policy_ids)},
        )
    }


def member_rows_sql(*, order: bool = True) -> str:
    """SQL of one part's member declarations (binds ``:part``), with their sign."""
    return (
        "SELECT d.id, " + sign("t.cutoff") + " AS sgn FROM premium_notice_parts t "
        "JOIN premium_notices n ON n.id = t.notice_id "
        "JOIN declarations d ON d.policy_id = t.policy_id AND d.currency = n.currency "
        "AND d.declaration_date >= t.period_start AND d.declaration_date <= t.period_end "
        "AND d.premium_minor > 0 AND "
        + member("t.cutoff", "t.since")
        + " WHERE t.id = :part"
        + (" ORDER BY d.declaration_date, d.id" if order else "")
    )


@dataclass(frozen=True, slots=True)
class NoticeDue:
    """What an exporter owes on one notice, and when."""

    id: int
    exporter_org_id: int
    currency: str
    issue_date: date
    due_date: date
    exporter_owed_minor: int


def notices_due(session: Session) -> list[NoticeDue]:
    """Every notice with the exporter's share, by due date then id."""
    rows = session.execute(
        select(
            PremiumNotice.id,
            PremiumNotice.exporter_org_id,
            PremiumNotice.currency,
            PremiumNotice.issue_date,
            PremiumNotice.due_date,
            PremiumNotice.exporter_owed_minor,
        ).order_by(PremiumNotice.due_date, PremiumNotice.id)
    )
    return [
        NoticeDue(int(i), int(o), str(c), issued, due, int(owed))
        for i, o, c, issued, due, owed in rows
    ]


def notice_exporter(session: Session, notice_id: int) -> int | None:
    """The exporter organisation billed by a notice, or ``None`` without such a notice."""
    org = session.execute(
        select(PremiumNotice.exporter_org_id).where(PremiumNotice.id == notice_id)
    ).scalar_one_or_none()
    return None if org is None else int(org)


def notice_count(session: Session) -> int:
    """How many premium notices exist."""
    return int(session.execute(select(func.count()).select_from(PremiumNotice)).scalar_one())


def programme_unpaid_grants(session: Session, *, programme_id: int, issued_by: date) -> int:
    """What a programme was granted and has not paid on notices issued by ``issued_by``."""
    return sum(
        int(g) - int(p)
        for g, p in session.execute(
            select(NoticeSplit.granted_minor, NoticeSplit.paid_minor)
            .join(PremiumNotice, PremiumNotice.id == NoticeSplit.notice_id)
            .where(NoticeSplit.programme_id == programme_id, PremiumNotice.issue_date <= issued_by)
        )
    )

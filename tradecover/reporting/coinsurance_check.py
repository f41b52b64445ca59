"""The coinsurance part of ``tradecover ledger check`` [domain CO-9]: every split, to the cent.

A read model across the coinsurance, billing, claims and ledger tables:

* every split's parts sum to its whole, and the wholes are the source's: a notice's
  components sum to its total, a claim's indemnity part is what was paid, a recovery's
  part is the insurers' share of it;
* every notice, paid claim and recovery of a policy (or, for a claim, of the single large
  limit [domain CO-13]) coinsured on its date was split (and nothing else was);
* each split's allocation entry (``coinsurance:<source>:<id>``) books each insurer's part
  to its party and takes the whole out of the pool, on the source's account.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from tradecover.coinsurance import POOL_SIDE, ParticipantRole, Participation, shares_for
from tradecover.kit.money import Money
from tradecover.ledger import Account, Side

_ACCOUNTS = {
    "notice": Account.PREMIUM_INCOME,
    "claim": Account.CLAIMS_EXPENSE,
    "recovery": Account.RECOVERIES,
}
_CLAIM_LIMIT = (
    "(SELECT CASE WHEN COUNT(DISTINCT d.limit_id) = 1 THEN MIN(d.limit_id) END "
    "FROM claim_lines cl JOIN declarations d ON d.id = cl.declaration_id "
    "WHERE cl.claim_id = c.id)"
)
"""The single credit limit a claim's shipments were under [domain CO-13]."""
_SOURCES = {
    "notice": "SELECT id, policy_id, month, total_minor, NULL FROM premium_notices",
    "claim": (
        f"SELECT c.id, c.policy_id, c.due_date, c.paid_minor, {_CLAIM_LIMIT} FROM claims c "
        "WHERE c.paid_on IS NOT NULL AND c.paid_minor IS NOT NULL"
    ),
    "recovery": (
        f"SELECT r.id, c.policy_id, c.due_date, r.insurer_minor, {_CLAIM_LIMIT} "
        "FROM claim_recoveries r JOIN claims c ON c.id = r.claim_id WHERE r.insurer_minor <> 0"
    ),
}


def _rows(session: Session, sql: str) -> list[Any]:
    return list(session.execute(text(sql)).all())


def _money(minor: int, currency: str) -> str:
    return f"{Money.from_minor(minor, currency).amount} {currency}"


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _participations(session: Session, key: str, table: str) -> dict[int, list[Participation]]:
    out: dict[int, list[Participation]] = {}
    for owner, org, role, share, start, end in _rows(
        session,
        f"SELECT {key}, org_id, role, share, effective_from, effective_to FROM {table}",
    ):
        out.setdefault(int(owner), []).append(
            Participation(
                int(org),
                ParticipantRole(str(role)),
                Decimal(str(share)),
                _day(start),
                None if end is None else _day(end),
            )
        )
    return out


def coinsurance_problems(session: Session) -> list[str]:
    """Every way the coinsurance splits are wrong; empty when they reconcile to the cent."""
    problems: list[str] = []
    wholes: dict[tuple[str, int], int] = {}
    parts: dict[tuple[str, int], dict[int, int]] = {}
    currencies: dict[tuple[str, int], str] = {}
    for source, sid, component, cur, low, high, total in _rows(
        session,
        "SELECT source, source_id, component, currency, MIN(whole_minor), MAX(whole_minor), "
        "SUM(amount_minor) FROM coinsurance_allocations "
        "GROUP BY source, source_id, component, currency",
    ):
        key, c = (str(source), int(sid)), str(cur)
        if int(low) != int(high) or int(total) != int(low):
            problems.append(
                f"coinsurance split of {source} {sid} ({component}): the parts sum to "
                f"{_money(int(total), c)}, the whole is {_money(int(high), c)}"
            )
        wholes[key] = wholes.get(key, 0) + int(high)
        currencies[key] = c
    for source, sid, org, total in _rows(
        session,
        "SELECT source, source_id, org_id, SUM(amount_minor) FROM coinsurance_allocations "
        "GROUP BY source, source_id, org_id",
    ):
        parts.setdefault((str(source), int(sid)), {})[int(org)] = int(total)
    shares = _participations(session, "policy_id", "coinsurance_participations")
    on_limits = _participations(session, "limit_id", "coinsurance_limit_participations")
    for source, sql in _SOURCES.items():
        for sid, pid, day, amount, limit_id in _rows(session, sql):
            key = (source, int(sid))
            on_limit = on_limits.get(int(limit_id), []) if limit_id is not None else []
            covered = bool(shares_for(shares.get(int(pid), ()), on_limit, _day(day)))
            if key in wholes:
                if wholes.pop(key) != int(amount):
                    problems.append(
                        f"coinsurance split of {source} {sid} does not split its amount "
                        f"{int(amount)} minor units"
                    )
            elif covered and int(amount) != 0:
                problems.append(f"{source} {sid} of coinsured policy {pid} was not split")
    for source, sid in sorted(wholes):
        problems.append(f"coinsurance split of {source} {sid} has no such {source}")
    problems += _ledger_problems(session, parts, currencies)
    return problems


def _ledger_problems(
    session: Session, parts: dict[tuple[str, int], dict[int, int]], currencies: dict[Any, str]
) -> list[str]:
    """Each allocation entry books exactly the stored parts [domain CO-8]."""
    booked: dict[tuple[str, int], dict[str | None, int]] = {}
    accounts: dict[tuple[str, int], set[str]] = {}
    for key, account, party, side, amount in _rows(
        session,
        "SELECT e.key, l.account, l.party, l.side, SUM(l.amount_minor) FROM ledger_lines l "
        "JOIN ledger_entries e ON e.id = l.entry_id WHERE e.key LIKE 'coinsurance:%' "
        "GROUP BY e.key, l.account, l.party, l.side",
    ):
        _, source, number = str(key).split(":")
        k = (source, int(number))
        pool = POOL_SIDE[_ACCOUNTS[source]]
        signed = int(amount) if Side(str(side)) is pool.other else -int(amount)
        who = None if party is None else str(party)
        booked.setdefault(k, {})[who] = booked.get(k, {}).get(who, 0) + signed
        accounts.setdefault(k, set()).add(str(account))
    problems: list[str] = []
    for k in sorted(set(parts) | set(booked)):
        source, sid = k
        want = {f"insurer:{o}": v for o, v in sorted(parts.get(k, {}).items()) if v}
        want_pool = -sum(want.values())
        every = booked.get(k, {})
        got_pool = every.get(None, 0)
        mine = [(p, v) for p, v in every.items() if p is not None and v]
        got = dict(sorted(mine, key=lambda item: int(item[0].split(":")[1])))
        if got != want or got_pool != want_pool:
            problems.append(
                f"coinsurance entry of {source} {sid}: the ledger books {got} to the insurers "
                f"and {got_pool} to the pool, the split {want} and {want_pool} "
                f"({currencies.get(k, '?')} minor units)"
            )
        if accounts.get(k, {_ACCOUNTS[source].value}) != {_ACCOUNTS[source].value}:
            problems.append(
                f"coinsurance entry of {source} {sid} books to {sorted(accounts[k])}, not "
                f"{_ACCOUNTS[source].value}"
            )
    return problems

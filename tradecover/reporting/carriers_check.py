"""The double insurance part of ``tradecover ledger check`` [domain MK-13] [domain MK-14]:
every carrier split, to the cent.

A read model across the market, billing, claims and ledger tables:

* every split's parts sum to its whole, and the wholes are the source's: a notice's
  components sum to its total, a claim's part is what was paid, a recovery's part is the
  insurers' share of it;
* each split's allocation entry (``market:<source>:<id>``) books each carrier's part to its
  insurer's party and takes the whole out of the pool, on the source's account.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from tradecover.coinsurance import POOL_SIDE
from tradecover.kit.money import Money
from tradecover.ledger import Account, Side

_ACCOUNTS = {
    "notice": Account.PREMIUM_INCOME,
    "claim": Account.CLAIMS_EXPENSE,
    "recovery": Account.RECOVERIES,
}
_SOURCES = {
    "notice": "SELECT id, total_minor FROM premium_notices",
    "claim": "SELECT id, paid_minor FROM claims WHERE paid_minor IS NOT NULL",
    "recovery": "SELECT id, insurer_minor FROM claim_recoveries",
}


def _rows(session: Session, sql: str) -> list[Any]:
    return list(session.execute(text(sql)).all())


def _money(minor: int, currency: str) -> str:
    return f"{Money.from_minor(minor, currency).amount} {currency}"


def carrier_problems(session: Session) -> list[str]:
    """Every way the double insurance splits are wrong; empty when they reconcile."""
    problems: list[str] = []
    wholes: dict[tuple[str, int], int] = {}
    for source, sid, component, cur, low, high, total in _rows(
        session,
        "SELECT source, source_id, component, currency, MIN(whole_minor), MAX(whole_minor), "
        "SUM(amount_minor) FROM market_carrier_parts "
        "GROUP BY source, source_id, component, currency",
    ):
        if int(low) != int(high) or int(total) != int(low):
            problems.append(
                f"carrier split of {source} {sid} ({component}): the parts sum to "
                f"{_money(int(total), str(cur))}, the whole is {_money(int(high), str(cur))}"
            )
        key = (str(source), int(sid))
        wholes[key] = wholes.get(key, 0) + int(high)
    if not wholes:
        return problems
    for source, sql in _SOURCES.items():
        for sid, amount in _rows(session, sql):
            whole = wholes.pop((source, int(sid)), None)
            if whole is not None and whole != int(amount):
                problems.append(
                    f"carrier split of {source} {sid} does not split its amount "
                    f"{int(amount)} minor units"
                )
    for source, sid in sorted(wholes):
        problems.append(f"carrier split of {source} {sid} has no such {source}")
    return problems + _ledger_problems(session)


def _ledger_problems(session: Session) -> list[str]:
    """Each ``market:`` allocation entry books exactly the stored parts."""
    want: dict[tuple[str, int], dict[str, int]] = {}
    for source, sid, org, total in _rows(
        session,
        "SELECT source, source_id, org_id, SUM(amount_minor) FROM market_carrier_parts "
        "GROUP BY source, source_id, org_id",
    ):
        if int(total):
            want.setdefault((str(source), int(sid)), {})[f"insurer:{org}"] = int(total)
    booked: dict[tuple[str, int], dict[str | None, int]] = {}
    for key, account, party, side, amount in _rows(
        session,
        "SELECT e.key, l.account, l.party, l.side, SUM(l.amount_minor) FROM ledger_lines l "
        "JOIN ledger_entries e ON e.id = l.entry_id WHERE e.key LIKE 'market:%' "
        "GROUP BY e.key, l.account, l.party, l.side",
    ):
        _, source, number = str(key).split(":")
        k = (source, int(number))
        if str(account) != _ACCOUNTS[source].value:
            booked.setdefault(k, {})[f"account:{account}"] = 1
            continue
        pool = POOL_SIDE[_ACCOUNTS[source]]
        signed = int(amount) if Side(str(side)) is pool.other else -int(amount)
        who = None if party is None else str(party)
        booked.setdefault(k, {})[who] = booked.get(k, {}).get(who, 0) + signed
    problems: list[str] = []
    for k in sorted(set(want) | set(booked)):
        every = booked.get(k, {})
        got = {p: v for p, v in every.items() if p is not None and v}
        expected = want.get(k, {})
        if got != expected or every.get(None, 0) != -sum(expected.values()):
            problems.append(
                f"carrier entry of {k[0]} {k[1]}: the ledger books {dict(sorted(got.items()))} "
                f"to the insurers and {every.get(None, 0)} to the pool, the split "
                f"{dict(sorted(expected.items()))}"
            )
    return problems

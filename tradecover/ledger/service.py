"""Posting journal entries and the trial balance from SQL.

:func:`post` writes entries built by the pure builders of
:mod:`tradecover.ledger.journal` (already proven balanced) in the caller's transaction,
in bulk.  :func:`trial_balance` sums every line in SQL, :func:`party_balances` one
account per party.  The reconciliation of the books against the other contexts'
sub-ledgers (``tradecover ledger check``) is the read model
:mod:`tradecover.reporting.books_check`; it proves, after every billing run, payment batch
or recovery:

* the trial balance is zero per currency, and every entry balances per currency;
* every notice reconciles to its declarations to the cent, by recomputing membership:
  each part's count and signed sum from the declarations, the notice's total from its
  parts, every billed month per policy from the declarations active at its last cutoff
  (nothing billed twice, nothing missed); exporter share + programme grants = total; and
  the notice has its entry;
* the sub-ledgers equal the general ledger: premium receivable per exporter = what the
  exporter's notices still owe, subsidy receivable per programme = what the programme's
  grants still owe, unapplied cash per payer = its payments' unapplied parts;
* stored running totals equal their lines: paid amounts = allocations, a payment's applied
  part = its allocations, programme usage = its grants;
* investment-debt premium periods and claims equal their entries
  (:mod:`tradecover.ledger.investment_debt_repository`).

Every problem is named; an empty list means the books are right.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from tradecover.access import Permission, Principal
from tradecover.kit.dates import utc_now
from tradecover.kit.money import Money
from tradecover.ledger.journal import Account, JournalEntry, Side, TrialBalance
from tradecover.ledger.model import LedgerEntry, LedgerLine


def insert_rows(
    session: Session, model: Any, rows: Sequence[dict[str, Any]], *, returning: Sequence[str] = ()
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (dicts with the same keys) in ONE statement; return ``returning`` columns.

    On PostgreSQL: ``INSERT ... SELECT ... FROM json_to_recordset(:rows)``, one JSON text
    parameter (``json`` encodes in C; binding hundreds of scalars or arrays costs far
    more), so hundreds of rows cost one statement.
    Elsewhere (SQLite): a bulk ``executemany`` (the driver loops in C).  Values go through
    each column's type, exactly as an ORM insert would.
    """
    if not rows:
        return []
    table = model.__table__
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        stmt: Any = insert(model)
        if returning:
            stmt = stmt.returning(*(table.c[c] for c in returning), sort_by_parameter_order=True)
            return [tuple(r) for r in session.execute(stmt, list(rows))]
        session.execute(stmt, list(rows))
        return []
    names = list(rows[0])
    processors = [(name, table.c[name].type.bind_processor(dialect)) for name in names]
    if set(returning) - {"id"} <= set(names) and "id" not in names:
        return _copy_rows(session, table, names, processors, rows, returning)
    payload = json.dumps(
        [
            {name: process(row[name]) if process else row[name] for name, process in processors}
            for row in rows
        ],
        default=str,
        separators=(",", ":"),
    )
    shape = ", ".join(f"{name} {table.c[name].type.compile(dialect=dialect)}" for name in names)
    tail = f" RETURNING {', '.join(returning)}" if returning else ""
    result = session.execute(
        text(
            f"INSERT INTO {table.name} ({', '.join(names)}) SELECT {', '.join(names)} FROM "
            f"json_to_recordset(CAST(:rows AS json)) AS x({shape}){tail}"
        ),
        {"rows": payload},
    )
    return [tuple(r) for r in result] if returning else []


def _copy_rows(
    session: Session,
    table: Any,
    names: list[str],
    processors: list[tuple[str, Any]],
    rows: Sequence[dict[str, Any]],
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    """PostgreSQL: ``COPY`` the rows in the session's transaction (no SQL to parse per row).

    Ids wanted back are drawn from the table's sequence first (one statement), so the rows
    are copied with their ids and nothing needs ``RETURNING``.
    """
    conn = session.connection()
    ids: list[int] = []
    if returning:
        ids = [
            int(i)
            for i in conn.execute(
                text(
                    f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": len(rows)},
            ).scalars()
        ]
    cols = (["id"] if returning else []) + names
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as copy:
        for n, row in enumerate(rows):
            values = [process(row[name]) if process else row[name] for name, process in processors]
            copy.write_row([ids[n], *values] if returning else values)
    if not returning:
        return []
    return [tuple(ids[n] if c == "id" else row[c] for c in returning) for n, row in enumerate(rows)]


def post(session: Session, *, entries: Sequence[JournalEntry]) -> list[int]:
    """Write balanced ``entries`` and their lines; return the new entry ids in order.

    One statement for the entries and one for their lines (:func:`insert_rows`), however
    many entries: a billing batch posts hundreds at once.
    """
    if not entries:
        return []
    now = utc_now()
    by_key = {
        str(k): int(i)
        for i, k in insert_rows(
            session,
            LedgerEntry,
            [
                {
                    "key": e.key,
                    "posted_on": e.posted_on,
                    "description": e.description,
                    "reverses": e.reverses,
                    "created_at": now,
                }
                for e in entries
            ],
            returning=("id", "key"),
        )
    }
    ids = [by_key[e.key] for e in entries]
    insert_rows(
        session,
        LedgerLine,
        [
            {
                "entry_id": entry_id,
                "account": line.account.value,
                "side": line.side.value,
                "currency": line.amount.currency,
                "amount_minor": line.amount.minor_units(),
                "party": line.party,
            }
            for entry_id, entry in zip(ids, entries, strict=True)
            for line in entry.lines
        ],
    )
    return ids


def _decimal(minor: int, currency: str) -> Decimal:
    return Money.from_minor(int(minor), currency).amount


def trial_balance(session: Session) -> TrialBalance:
    """Net debit balance of every (account, currency) and (account, currency, party)."""
    rows = session.execute(
        text(
            "SELECT account, currency, party, SUM(CASE WHEN side = 'debit' THEN amount_minor "
            "ELSE -amount_minor END) FROM ledger_lines GROUP BY account, currency, party"
        )
    ).all()
    balances: dict[tuple[Account, str], Decimal] = {}
    parties: dict[tuple[Account, str, str], Decimal] = {}
    for account, currency, party, net in rows:
        amount = _decimal(net, currency)
        key = (Account(account), currency)
        balances[key] = balances.get(key, Decimal(0)) + amount
        if party is not None:
            parties[(Account(account), currency, party)] = amount
    return TrialBalance(balances, parties)


@dataclass(frozen=True, slots=True)
class BalanceRow:
    """One account's balance in one currency (debit positive)."""

    account: str
    currency: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


def balances(session: Session, *, principal: Principal) -> list[BalanceRow]:
    """The trial balance as rows (finance)."""
    principal.require(Permission.LEDGER_READ)
    rows = session.execute(
        text(
            "SELECT account, currency, "
            "SUM(CASE WHEN side = 'debit' THEN amount_minor ELSE 0 END), "
            "SUM(CASE WHEN side = 'credit' THEN amount_minor ELSE 0 END) "
            "FROM ledger_lines GROUP BY account, currency ORDER BY currency, account"
        )
    ).all()
    return [
        BalanceRow(a, c, _decimal(d, c), _decimal(k, c), _decimal(d - k, c)) for a, c, d, k in rows
    ]


def party_balances(session: Session, account: Account) -> dict[tuple[str, str], int]:
    """Net debit balance of ``account`` per (party, currency), in minor units."""
    rows = session.execute(
        text(
            "SELECT party, currency, SUM(CASE WHEN side = 'debit' THEN amount_minor "
            "ELSE -amount_minor END) FROM ledger_lines WHERE account = :a GROUP BY party, currency"
        ),
        {"a": account.value},
    ).all()
    return {(str(p), c): int(n) for p, c, n in rows}


__all__ = [
    "BalanceRow",
    "Side",
    "balances",
    "insert_rows",
    "party_balances",
    "post",
    "trial_balance",
]

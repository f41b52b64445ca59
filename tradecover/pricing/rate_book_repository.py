"""The process's :class:`~tradecover.pricing.shipment_rates.RateBook`, kept fresh by stamp.

Rate tables and country classes are read once per process and kept; every attachment
reads the database's :data:`~tradecover.pricing.shipment_rates.Stamp` with its facts (on
PostgreSQL as a column of the facts statement, on SQLite by one cheap statement per
request) and the book is reloaded only when the stamp moved.  So a version published by
any process prices the next declaration of every process, at no query per declaration.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection

from tradecover.pricing.model import RATE_TABLE_ACTIVE
from tradecover.pricing.rate_table import rate_table_from_dict
from tradecover.pricing.shipment_rates import RateBook, Stamp
from tradecover.pricing.short_term import ShortTermPricer

STAMP_COLUMNS = (
    "SELECT CAST(id AS TEXT) || ' ' || CAST(created_at AS TEXT) FROM rate_tables"
    " ORDER BY id DESC LIMIT 1",
    "SELECT CAST(id AS TEXT) || ' ' || CAST(recorded_at AS TEXT) FROM country_risk_versions"
    " ORDER BY id DESC LIMIT 1",
)
"""The stamp's two parts as scalar subqueries: the newest row of each append-only table
(its id and when it was written, so that a database rebuilt under one process never
repeats a stamp with other contents)."""
STAMP_SQL = "SELECT " + ", ".join(f"({sql})" for sql in STAMP_COLUMNS)
"""The stamp as one row (the PostgreSQL facts statement reads the same two columns)."""

_TABLES_SQL = (
    "SELECT id, code, version, body FROM rate_tables"
    f" WHERE status = '{RATE_TABLE_ACTIVE}' ORDER BY code, version"
)
_CLASSES_SQL = (
    "SELECT country, risk_class FROM country_risk_versions WHERE id IN"
    " (SELECT max(id) FROM country_risk_versions GROUP BY country)"
)

_MAX_PARSED = 64

_lock = threading.Lock()
_book: RateBook | None = None
_pricers_by_body: dict[str, ShortTermPricer] = {}


def stamp_of(row: Sequence[Any] | None) -> Stamp:
    """The stamp in a row of :data:`STAMP_SQL` (an empty table reads as ``""``)."""
    if row is None:
        return ("", "")
    return (str(row[0] or ""), str(row[1] or ""))


def cached(stamp: Stamp) -> RateBook | None:
    """The process's book when it is as of ``stamp``."""
    book = _book
    return book if book is not None and book.stamp == stamp else None


def _built(
    stamp: Stamp, tables: Iterable[Sequence[Any]], classes: Iterable[Sequence[Any]]
) -> RateBook:
    """A book from the active table versions (by code, version ascending) and the country
    classes in force; a table body already parsed is reused.
    """
    global _book
    pricers: dict[str, ShortTermPricer] = {}
    for _row_id, code, _version, body in tables:
        text = body if isinstance(body, str) else json.dumps(body, sort_keys=True)
        pricer = _pricers_by_body.get(text)
        if pricer is None:
            pricer = ShortTermPricer(table=rate_table_from_dict(json.loads(text)))
            with _lock:
                if len(_pricers_by_body) >= _MAX_PARSED:
                    _pricers_by_body.clear()
                _pricers_by_body[text] = pricer
        pricers[str(code)] = pricer  # the highest active version of the code wins
    book = RateBook(
        stamp=stamp,
        pricers=pricers,
        country_classes={str(c): int(k) for c, k in classes if k is not None},
    )
    with _lock:
        _book = book
    return book


def rate_book_for(connection: Connection, stamp: Stamp | None = None) -> RateBook:
    """The book as of ``stamp`` (read here when not given), reloaded only when it moved."""
    if stamp is None:
        stamp = stamp_of(connection.exec_driver_sql(STAMP_SQL).first())
    hit = cached(stamp)
    if hit is not None:
        return hit
    tables = connection.exec_driver_sql(_TABLES_SQL).all()
    classes = connection.exec_driver_sql(_CLASSES_SQL).all()
    return _built(stamp, tables, classes)


async def book_for_async(connection: Any, stamp: Stamp) -> RateBook:
    """:func:`rate_book_for` on an asynchronous psycopg connection (the ERP endpoint)."""
    hit = cached(stamp)
    if hit is not None:
        return hit
    tables = await (await connection.execute(_TABLES_SQL)).fetchall()
    classes = await (await connection.execute(_CLASSES_SQL)).fetchall()
    return _built(stamp, tables, classes)


def forget() -> None:
    """Drop the process's book (tests that rebuild databases under one process)."""
    global _book
    with _lock:
        _book = None
        _pricers_by_body.clear()

"""The table kit applied to a query: a list's filters, search, keyset order and page, or
its whole filtered content for an export (ADR 0035).

A read model gives the list's scoped ``SELECT`` of ORM records (the access rules of its
context already applied), the SQL column of each sortable or filtering key, and its
search condition; :func:`page` adds the reader's filters and search, ``WHERE (sort, id)``
past the cursor, ``ORDER BY sort, id`` and ``LIMIT size + 1``.  The records are loaded
as ORM records, so that a read of another organisation's data is noted by the access
log like any other read [domain CS-8].
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from tradecover.kit.tables import (
    BadTableQuery,
    Cursor,
    Page,
    SortDirection,
    TableQuery,
    page_of,
)

E = TypeVar("E")
EXPORT_CHUNK = 1000
MAX_EXPORT_ROWS = 50_000
"""The most rows one export answers (a larger book: narrow the filter, or run the
export job)."""

Search = Callable[[str], ColumnElement[bool]]


class ExportTooLarge(BadTableQuery):
    """More rows match than one export answers (HTTP 400)."""

    default_code = "export_too_large"


def like_pattern(text: str) -> str:
    """A case-insensitive ``LIKE`` pattern that finds ``text`` anywhere (its own percent
    signs, underscores and backslashes escaped).
    """
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains(*columns: Any) -> Search:
    """A search in ``columns`` (any of them holds the text, case-insensitive)."""

    def condition(text: str) -> ColumnElement[bool]:
        pattern = like_pattern(text)
        return or_(*(func.lower(c).like(pattern, escape="\\") for c in columns))

    return condition


def filtered(
    query: Select[E],
    table: TableQuery,
    columns: Mapping[str, InstrumentedAttribute[Any]],
    search: Search | None = None,
) -> Select[E]:
    """``query`` with the reader's filters (equality) and search."""
    for key, value in table.filters.items():
        column = columns.get(key)
        if column is None:
            raise BadTableQuery(f"no filter {key}", field=key)
        query = query.where(column == value)
    if table.q:
        if search is None:
            raise BadTableQuery("this list has no search", field="q")
        query = query.where(search(table.q))
    return query


def _sort_column(
    table: TableQuery, columns: Mapping[str, InstrumentedAttribute[Any]]
) -> InstrumentedAttribute[Any]:
    column = columns.get(table.sort)
    if column is None:
        raise BadTableQuery(f"cannot sort by {table.sort}", field="sort")
    return column


def _ordered(
    query: Select[E],
    sort: InstrumentedAttribute[Any],
    id_column: InstrumentedAttribute[int],
    ascending: bool,
    past: Cursor | None,
) -> Select[E]:
    if past is not None:
        if ascending:
            beyond = or_(sort > past.value, and_(sort == past.value, id_column > past.id))
        else:
            beyond = or_(sort < past.value, and_(sort == past.value, id_column < past.id))
        query = query.where(beyond)
    if ascending:
        return query.order_by(sort.asc(), id_column.asc())
    return query.order_by(sort.desc(), id_column.desc())


def page(
    session: Session,
    query: Select[E],
    table: TableQuery,
    *,
    columns: Mapping[str, InstrumentedAttribute[Any]],
    id_column: InstrumentedAttribute[int],
    search: Search | None = None,
) -> Page[E]:
    """One page of ``query`` as ``table`` asks: filtered, searched, keyset-ordered by
    ``(sort, id)`` past ``table.after`` (or before ``table.before``), ``size + 1`` rows
    read; with the total that match.
    """
    sort = _sort_column(table, columns)
    query = filtered(query, table, columns, search)
    total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    ascending = table.direction is SortDirection.ASC
    if table.before is not None:
        ascending = not ascending
    rows = (
        session.execute(
            _ordered(query, sort, id_column, ascending, table.before or table.after).limit(
                table.size + 1
            )
        )
        .scalars()
        .all()
    )
    sort_name, id_name = sort.key, id_column.key
    return page_of(
        rows,
        table,
        lambda row: Cursor(getattr(row, sort_name), int(getattr(row, id_name))),
        total,
    )


def export(
    session: Session,
    query: Select[E],
    table: TableQuery,
    *,
    columns: Mapping[str, InstrumentedAttribute[Any]],
    id_column: InstrumentedAttribute[int],
    search: Search | None = None,
    max_rows: int = MAX_EXPORT_ROWS,
) -> Iterator[E]:
    """Every row of ``query`` that ``table``'s filters and search keep, in its order (the
    page position ignored), read in keyset chunks of :data:`EXPORT_CHUNK`;
    :class:`ExportTooLarge` past ``max_rows``.
    """
    sort = _sort_column(table, columns)
    query = filtered(query, table, columns, search)
    ascending = table.direction is SortDirection.ASC
    sort_name, id_name = sort.key, id_column.key
    past: Cursor | None = None
    count = 0
    while True:
        chunk = (
            session.execute(_ordered(query, sort, id_column, ascending, past).limit(EXPORT_CHUNK))
            .scalars()
            .all()
        )
        for row in chunk:
            count += 1
            if count > max_rows:
                raise ExportTooLarge(
                    f"more than {max_rows} rows: narrow the list first", field="format"
                )
            yield row
        if len(chunk) < EXPORT_CHUNK:
            return
        last = chunk[-1]
        past = Cursor(getattr(last, sort_name), int(getattr(last, id_name)))

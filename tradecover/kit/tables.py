"""The table kit: what every list of the dashboard is sorted, filtered, searched, paged
and exported by (pure: no SQL, no web).

* :class:`Column` and :class:`TableSpec` describe a list: its columns (the machine name
  is the query parameter, the CSV/XLSX header and the sort key), which are sortable,
  which filter the list (a choice among codes, a number, a date, a text), and whether it
  has a free-text search.
* :func:`parse_query` reads the query parameters ``sort``, ``dir``, ``q``, the filters,
  ``after`` / ``before`` and ``size`` into a :class:`TableQuery`; anything it cannot read
  is :class:`BadTableQuery` (HTTP 400), never a 500 and never silently ignored.
* :class:`Cursor` is a keyset position: the sort column's value of a row and its id (the
  unique tiebreaker), so that paging is stable while rows are added and every row is
  listed exactly once.  :func:`encode_cursor` signs it (HMAC-SHA256 with the
  installation's key) together with the sort it belongs to; :func:`decode_cursor` refuses
  a cursor that was altered, forged or made for another sort (ADR 0035).
* :func:`csv_chunks` and :func:`xlsx_bytes` write rows formula-safe
  (:func:`tradecover.kit.text.spreadsheet_safe`: a text cell beginning with ``=``, ``+``,
  ``-``, ``@``, tab or carriage return gets a leading apostrophe).
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import hmac
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Generic, TypeVar

from tradecover.kit.errors import DomainError
from tradecover.kit.text import spreadsheet_safe

DEFAULT_SIZE = 50
MAX_SIZE = 200
MAX_SEARCH = 100
"""The longest search text read (longer is refused)."""
CSV_CHUNK_ROWS = 500
_DIGITS = re.compile(r"[0-9]{1,19}")
RESERVED = frozenset({"sort", "dir", "q", "after", "before", "size", "format", "page"})
"""Query parameters of the kit itself: no filter may be named so."""
T = TypeVar("T")


class BadTableQuery(DomainError):
    """A list's query parameter that cannot be read: an unknown sort column or filter
    value, a bad page size, or a cursor altered or made for another sort (HTTP 400).
    """

    status = 400
    default_code = "bad_table_query"


class ValueKind(StrEnum):
    """How a column's values are written in a cursor and read from a filter."""

    TEXT = "text"
    INTEGER = "integer"
    DATE = "date"
    MONTH = "month"
    """A month, as its first day (written ``2026-03`` or ``2026-03-01``)."""
    DATETIME = "datetime"
    DECIMAL = "decimal"


class SortDirection(StrEnum):
    """Ascending or descending."""

    ASC = "asc"
    DESC = "desc"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a list.

    ``key`` is its machine name (query parameter, export header, sort key); ``label`` its
    English heading (translated where it is shown); ``sortable`` columns must never be
    NULL (a keyset needs a total order); a column with ``filter`` set filters the list by
    equality with one value of that kind, or one of ``choices`` when given.
    """

    key: str
    label: str
    kind: ValueKind = ValueKind.TEXT
    sortable: bool = False
    filter: bool = False
    choices: tuple[str, ...] = ()
    numeric: bool = False
    """Right-aligned (amounts, counts)."""
    shown: bool = True
    """A column of the page's table (False: a filter or export column only)."""


@dataclass(frozen=True, slots=True)
class TableSpec:
    """A list: its columns, its default order and whether it has a search box."""

    name: str
    columns: tuple[Column, ...]
    default_sort: str
    default_direction: SortDirection = SortDirection.DESC
    searchable: bool = False
    search_label: str = "Search"

    def __post_init__(self) -> None:
        clash = {c.key for c in self.columns if c.filter} & RESERVED
        if clash:
            raise ValueError(f"filters named like the kit's own parameters: {sorted(clash)}")
        sort = self.column(self.default_sort)
        if sort is None or not sort.sortable:
            raise ValueError(f"{self.name} cannot be sorted by {self.default_sort}")

    def column(self, key: str) -> Column | None:
        """The column named ``key``, if any."""
        return next((c for c in self.columns if c.key == key), None)

    @property
    def shown(self) -> tuple[Column, ...]:
        """The columns the page's table shows, in order."""
        return tuple(c for c in self.columns if c.shown)

    @property
    def filters(self) -> tuple[Column, ...]:
        """The columns that filter the list."""
        return tuple(c for c in self.columns if c.filter)

    @property
    def sortable(self) -> tuple[Column, ...]:
        """The columns the list may be sorted by."""
        return tuple(c for c in self.columns if c.sortable)


@dataclass(frozen=True, slots=True)
class Cursor:
    """A keyset position: the sort column's value of a row and its id (the tiebreaker)."""

    value: Any
    id: int


@dataclass(frozen=True, slots=True)
class TableQuery:
    """What a reader asked of a list: order, search, filters, page position and size."""

    sort: str
    direction: SortDirection
    q: str = ""
    filters: Mapping[str, Any] = field(default_factory=dict)
    after: Cursor | None = None
    before: Cursor | None = None
    size: int = DEFAULT_SIZE

    def params(self, **changes: str | None) -> dict[str, str]:
        """The query parameters of this query (page position left out), with ``changes``
        (a value of None drops the parameter): to build links.
        """
        out: dict[str, str] = {"sort": self.sort, "dir": self.direction.value}
        if self.q:
            out["q"] = self.q
        out.update({k: _text(v) for k, v in self.filters.items()})
        if self.size != DEFAULT_SIZE:
            out["size"] = str(self.size)
        for key, value in changes.items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = value
        return out


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, date | datetime) else str(value)


def read_value(kind: ValueKind, raw: Any, name: str) -> Any:
    """``raw`` read as a value of ``kind``; :class:`BadTableQuery` naming ``name`` when it
    is not one.
    """
    try:
        if kind is ValueKind.INTEGER:
            if isinstance(raw, bool) or not (isinstance(raw, int) or _DIGITS.fullmatch(str(raw))):
                raise ValueError(raw)
            value = int(raw)
            if value >= 2**63:
                raise ValueError(raw)
            return value
        if not isinstance(raw, str) or (kind is not ValueKind.TEXT and not raw.isascii()):
            raise ValueError(raw)  # numbers and dates are written with the digits 0-9
        if kind is ValueKind.DATE:
            return date.fromisoformat(raw)
        if kind is ValueKind.MONTH:
            first = date.fromisoformat(raw + "-01" if len(raw) == 7 else raw)
            if first.day != 1:
                raise ValueError(raw)
            return first
        if kind is ValueKind.DATETIME:
            return datetime.fromisoformat(raw)
        if kind is ValueKind.DECIMAL:
            number = Decimal(raw)
            if not number.is_finite():
                raise ValueError(raw)
            return number
        return raw
    except (ValueError, InvalidOperation, TypeError) as error:
        raise BadTableQuery(f"{name} is not a {kind.value}", field=name) from error


def _sign(payload: bytes, key: str) -> str:
    digest = hmac.new(key.encode(), b"tables:" + payload, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_cursor(
    spec: TableSpec, sort: str, direction: SortDirection, cursor: Cursor, key: str
) -> str:
    """A signed, URL-safe cursor of ``cursor`` for ``spec`` sorted by ``sort``."""
    column = spec.column(sort)
    if column is None or not column.sortable:
        raise BadTableQuery(f"cannot sort {spec.name} by {sort}", field="sort")
    payload = json.dumps(
        [spec.name, sort, direction.value, _text(cursor.value), cursor.id], separators=(",", ":")
    ).encode()
    return f"{_b64(payload)}.{_sign(payload, key)}"


def decode_cursor(
    spec: TableSpec, sort: str, direction: SortDirection, token: str, key: str, name: str
) -> Cursor:
    """The cursor ``token`` stands for; :class:`BadTableQuery` when it was altered or
    forged (its signature does not match), or made for another list or sort.
    """
    if not token.isascii() or len(token) > 2000:
        raise BadTableQuery("the page position is not readable", field=name)
    body, _, signature = token.partition(".")
    try:
        payload = _unb64(body)
        good = hmac.compare_digest(_sign(payload, key), signature)
    except (binascii.Error, ValueError) as error:
        raise BadTableQuery("the page position is not readable", field=name) from error
    if not good:
        raise BadTableQuery("the page position was altered", field=name)
    try:
        table, c_sort, c_dir, raw, row_id = json.loads(payload)
    except (ValueError, TypeError) as error:
        raise BadTableQuery("the page position is not readable", field=name) from error
    if (table, c_sort, c_dir) != (spec.name, sort, direction.value):
        raise BadTableQuery("the page position belongs to another order", field=name)
    column = spec.column(sort)
    assert column is not None  # the sort was checked before the cursor
    return Cursor(read_value(column.kind, raw, name), read_value(ValueKind.INTEGER, row_id, name))


def parse_query(spec: TableSpec, params: Mapping[str, str], key: str) -> TableQuery:
    """The :class:`TableQuery` of a request's query parameters; :class:`BadTableQuery`
    on anything that cannot be read.  Parameters the list does not know are left to the
    page (``format``, a page's own).
    """
    sort = params.get("sort") or spec.default_sort
    column = spec.column(sort)
    if column is None or not column.sortable:
        raise BadTableQuery(f"cannot sort {spec.name} by {sort}", field="sort")
    try:
        direction = SortDirection(params.get("dir") or spec.default_direction.value)
    except ValueError as error:
        raise BadTableQuery("dir is asc or desc", field="dir") from error
    q = (params.get("q") or "").strip()
    if q and not spec.searchable:
        raise BadTableQuery(f"{spec.name} has no search", field="q")
    if len(q) > MAX_SEARCH:
        raise BadTableQuery(f"a search of at most {MAX_SEARCH} characters", field="q")
    filters: dict[str, Any] = {}
    for f in spec.filters:
        raw = params.get(f.key)
        if raw is None or raw == "":
            continue
        if f.choices and raw not in f.choices:
            raise BadTableQuery(f"{f.key} is not one of its choices", field=f.key)
        filters[f.key] = read_value(f.kind, raw, f.key)
    size_text = params.get("size") or str(DEFAULT_SIZE)
    if not _DIGITS.fullmatch(size_text) or not 1 <= int(size_text) <= MAX_SIZE:
        raise BadTableQuery(f"size is 1 to {MAX_SIZE}", field="size")
    after = params.get("after")
    before = params.get("before")
    if after and before:
        raise BadTableQuery("after or before, not both", field="after")
    return TableQuery(
        sort=sort,
        direction=direction,
        q=q,
        filters=filters,
        after=decode_cursor(spec, sort, direction, after, key, "after") if after else None,
        before=decode_cursor(spec, sort, direction, before, key, "before") if before else None,
        size=int(size_text),
    )


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list: its rows in order and the cursors around them."""

    rows: list[T]
    total: int
    next: Cursor | None
    """The position after the last row, when more rows follow."""
    previous: Cursor | None
    """The position before the first row, when rows come before it."""


def page_of(
    fetched: Sequence[T], query: TableQuery, key_of: Callable[[T], Cursor], total: int
) -> Page[T]:
    """The page made of ``fetched``: up to ``query.size + 1`` rows read past the cursor in
    the list's order (read backwards from ``query.before``, in reverse order), and
    ``key_of(row) -> Cursor``.  The extra row only says that more follow.
    """
    more = len(fetched) > query.size
    rows = list(fetched[: query.size])
    if query.before is not None:
        rows.reverse()
        has_next, has_previous = True, more
    else:
        has_next, has_previous = more, query.after is not None
    return Page(
        rows=rows,
        total=total,
        next=key_of(rows[-1]) if rows and has_next else None,
        previous=key_of(rows[0]) if rows and has_previous else None,
    )


def cell(value: Any) -> Any:
    """A value as an export writes it: text formula-safe, dates ISO 8601, decimals and
    whole numbers as numbers, None as an empty cell, an enumeration by its code.
    """
    if value is None:
        return ""
    if isinstance(value, StrEnum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return value
    return spreadsheet_safe(str(value))


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV text of ``header`` and ``rows`` (formula-safe cells), in chunks of
    :data:`CSV_CHUNK_ROWS` rows, the first with a UTF-8 byte-order mark (spreadsheets then
    read non-Latin names right).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow([cell(h) for h in header])
    for count, row in enumerate(rows, start=1):
        writer.writerow([cell(v) for v in row])
        if count % CSV_CHUNK_ROWS == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """An XLSX workbook of one sheet: ``header`` then ``rows`` (formula-safe cells: a text
    beginning with ``=`` would otherwise be stored as a formula).
    """
    from openpyxl import Workbook  # deferred: only an export needs it

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "list")
    sheet.append([cell(h) for h in header])
    for row in rows:
        sheet.append([cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

"""The table kit (ADR 0035): query parameters read or refused, signed keyset cursors
(round trip, tampering refused), paging that lists every row exactly once in order
(forward and back, for random data and page sizes), and formula-safe exports.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tradecover.kit.tables import (
    BadTableQuery,
    Column,
    Cursor,
    SortDirection,
    TableQuery,
    TableSpec,
    ValueKind,
    cell,
    csv_chunks,
    decode_cursor,
    encode_cursor,
    page_of,
    parse_query,
    xlsx_bytes,
)

KEY = "a test signing key"
SPEC = TableSpec(
    name="things",
    columns=(
        Column("id", "Number", ValueKind.INTEGER, sortable=True),
        Column("name", "Name", sortable=True),
        Column("day", "Day", ValueKind.DATE, sortable=True, filter=True),
        Column("at", "When", ValueKind.DATETIME, sortable=True),
        Column("amount", "Amount", ValueKind.DECIMAL, sortable=True),
        Column("status", "Status", filter=True, choices=("open", "closed")),
        Column("count", "Count", ValueKind.INTEGER, filter=True),
        Column("month", "Month", ValueKind.MONTH, sortable=True, filter=True),
    ),
    default_sort="id",
    searchable=True,
)


def test_defaults_without_parameters() -> None:
    query = parse_query(SPEC, {}, KEY)
    assert (query.sort, query.direction, query.q, dict(query.filters)) == (
        "id",
        SortDirection.DESC,
        "",
        {},
    )
    assert (query.after, query.before, query.size) == (None, None, 50)


def test_filters_are_read_as_their_kind() -> None:
    query = parse_query(
        SPEC, {"day": "2026-03-01", "status": "open", "size": "7", "q": " acme "}, KEY
    )
    assert dict(query.filters) == {"day": date(2026, 3, 1), "status": "open"}
    assert (query.size, query.q) == (7, "acme")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "status"}, "sort"),  # not sortable
        ({"sort": "nope"}, "sort"),
        ({"dir": "sideways"}, "dir"),
        ({"size": "0"}, "size"),
        ({"size": "201"}, "size"),
        ({"size": "-1"}, "size"),
        ({"size": "１０"}, "size"),  # full-width digits are refused, never read
        ({"status": "lost"}, "status"),
        ({"day": "March"}, "day"),
        ({"count": "-3"}, "count"),
        ({"month": "2026-03-02"}, "month"),
        ({"month": "2026-13"}, "month"),
        ({"size": "x"}, "size"),
        ({"q": "x" * 101}, "q"),
        ({"after": "abc", "before": "abc"}, "after"),
        ({"after": "!!!.???"}, "after"),
        ({"after": "e30.AAAA"}, "after"),
    ],
)
def test_bad_parameters_are_refused(params: dict[str, str], field: str) -> None:
    with pytest.raises(BadTableQuery) as refused:
        parse_query(SPEC, params, KEY)
    assert refused.value.status == 400
    assert refused.value.field == field


def test_a_month_is_its_first_day() -> None:
    assert parse_query(SPEC, {"month": "2026-03"}, KEY).filters == {"month": date(2026, 3, 1)}
    assert parse_query(SPEC, {"month": "2026-03-01"}, KEY).filters == {"month": date(2026, 3, 1)}


def test_a_filter_may_not_take_a_parameter_of_the_kit() -> None:
    with pytest.raises(ValueError, match="size"):
        TableSpec(
            "bad", (Column("size", "Size", ValueKind.INTEGER, filter=True, sortable=True),), "size"
        )


def test_a_list_without_search_refuses_one() -> None:
    plain = TableSpec("plain", (Column("id", "Number", ValueKind.INTEGER, sortable=True),), "id")
    with pytest.raises(BadTableQuery):
        parse_query(plain, {"q": "x"}, KEY)


_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "id": st.integers(min_value=0, max_value=2**62),
    "name": st.text(max_size=40),
    "day": st.dates(),
    "month": st.dates().map(lambda d: d.replace(day=1)),
    "at": st.datetimes(timezones=st.just(UTC)),
    "amount": st.decimals(allow_nan=False, allow_infinity=False, places=4),
}


@given(
    sort=st.sampled_from(sorted(_VALUES)),
    direction=st.sampled_from(list(SortDirection)),
    data=st.data(),
    row_id=st.integers(min_value=1, max_value=2**62),
)
def test_a_cursor_round_trips(
    sort: str, direction: SortDirection, data: st.DataObject, row_id: int
) -> None:
    value = data.draw(_VALUES[sort])
    token = encode_cursor(SPEC, sort, direction, Cursor(value, row_id), KEY)
    assert decode_cursor(SPEC, sort, direction, token, KEY, "after") == Cursor(value, row_id)
    query = parse_query(SPEC, {"sort": sort, "dir": direction.value, "after": token}, KEY)
    assert query.after == Cursor(value, row_id)


@given(position=st.integers(min_value=0), flip=st.integers(min_value=1, max_value=255))
def test_an_altered_cursor_is_refused(position: int, flip: int) -> None:
    token = encode_cursor(SPEC, "name", SortDirection.ASC, Cursor("Acme", 12), KEY)
    at = position % len(token)
    altered = token[:at] + chr(ord(token[at]) ^ flip) + token[at + 1 :]
    if altered == token:
        return
    with pytest.raises(BadTableQuery):
        decode_cursor(SPEC, "name", SortDirection.ASC, altered, KEY, "after")


def test_a_cursor_of_another_key_list_or_order_is_refused() -> None:
    token = encode_cursor(SPEC, "name", SortDirection.ASC, Cursor("Acme", 12), KEY)
    with pytest.raises(BadTableQuery):
        decode_cursor(SPEC, "name", SortDirection.ASC, token, "another key", "after")
    with pytest.raises(BadTableQuery):
        decode_cursor(SPEC, "name", SortDirection.DESC, token, KEY, "after")
    with pytest.raises(BadTableQuery):
        decode_cursor(SPEC, "id", SortDirection.ASC, token, KEY, "after")
    other = TableSpec("others", SPEC.columns, "id")
    with pytest.raises(BadTableQuery):
        decode_cursor(other, "name", SortDirection.ASC, token, KEY, "after")


# --- paging: every row once, in order ------------------------------------------------------

Row = tuple[int, int]  # (sort value, id)


def _fetch(rows: list[Row], query: TableQuery) -> list[Row]:
    """What the read model's SQL does: past the cursor in the order, size + 1 rows."""
    ascending = query.direction is SortDirection.ASC
    past = query.after
    if query.before is not None:
        ascending, past = not ascending, query.before
    ordered = sorted(rows, reverse=not ascending)
    if past is not None:
        key = (past.value, past.id)
        ordered = [r for r in ordered if (r > key if ascending else r < key)]
    return ordered[: query.size + 1]


def _page(rows: list[Row], query: TableQuery) -> Any:
    return page_of(_fetch(rows, query), query, lambda r: Cursor(r[0], r[1]), len(rows))


@settings(max_examples=150)
@given(
    values=st.lists(st.integers(min_value=0, max_value=5), max_size=40),
    size=st.integers(min_value=1, max_value=7),
    direction=st.sampled_from(list(SortDirection)),
)
def test_paging_lists_every_row_once_in_order_forward_and_back(
    values: list[int], size: int, direction: SortDirection
) -> None:
    rows = [(v, i + 1) for i, v in enumerate(values)]  # ties on the value: the id decides
    expected = sorted(rows, reverse=direction is SortDirection.DESC)
    start = TableQuery(sort="v", direction=direction, size=size)
    pages = [_page(rows, start)]
    while pages[-1].next is not None:
        pages.append(_page(rows, TableQuery("v", direction, after=pages[-1].next, size=size)))
    assert [r for p in pages for r in p.rows] == expected
    assert all(len(p.rows) == size for p in pages[:-1])
    assert pages[0].previous is None
    # and back from the last page, by the previous links, to the first
    back = [pages[-1]]
    while back[-1].previous is not None:
        back.append(_page(rows, TableQuery("v", direction, before=back[-1].previous, size=size)))
    assert [p.rows for p in reversed(back)] == [p.rows for p in pages]


# --- exports -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+cmd", "'+1+cmd"),
        ("+1", "+1"),  # a plain signed number is harmless (docs/security/input-hygiene.md)
        ("-A1", "'-A1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Acme", "Acme"),
        ("-12.50", "-12.50"),  # a signed number stays a number
        (Decimal("-12.50"), Decimal("-12.50")),
        (7, 7),
        (None, ""),
        (True, "true"),
        (date(2026, 3, 1), "2026-03-01"),
        (SortDirection.ASC, "asc"),
    ],
)
def test_cells_are_formula_safe(value: Any, written: Any) -> None:
    assert cell(value) == written


def test_csv_is_formula_safe_and_chunked() -> None:
    rows = [(i, "=1+2" if i == 3 else f"row {i}") for i in range(1200)]
    chunks = list(csv_chunks(["id", "name"], rows))
    assert len(chunks) == 3
    text = "".join(chunks)
    assert text.startswith("\ufeffid,name\r\n")
    read = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert read[4] == ["3", "'=1+2"]
    assert len(read) == 1201


def test_xlsx_holds_no_formula() -> None:
    data = xlsx_bytes(
        "things",
        ["id", "name", "amount", "at"],
        [(1, "=cmd|' /C calc'!A0", Decimal("12.50"), datetime(2026, 3, 1, tzinfo=UTC))],
    )
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    cells = list(sheet.iter_rows())
    assert [c.value for c in cells[1]] == [
        1,
        "'=cmd|' /C calc'!A0",
        12.5,
        "2026-03-01T00:00:00+00:00",
    ]
    assert all(c.data_type != "f" for row in cells for c in row)


def test_query_params_keep_the_list_and_drop_the_position() -> None:
    query = parse_query(SPEC, {"status": "open", "q": "acme", "size": "20"}, KEY)
    assert query.params(format="csv") == {
        "sort": "id",
        "dir": "desc",
        "q": "acme",
        "status": "open",
        "size": "20",
        "format": "csv",
    }
    assert "q" not in query.params(q=None)

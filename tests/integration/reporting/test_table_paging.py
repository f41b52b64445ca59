"""The table kit applied to SQL (ADR 0035): keyset pages of a real query, read forward
by ``after`` and back by ``before``, list every row that the filters and search keep
exactly once and in order, whatever the data (ties on the sort value: the id decides)
and the page size; an export reads the same rows in chunks.  A table of its own on an
in-memory SQLite database keeps it fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Integer, String, create_engine, delete, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from tradecover.kit.tables import BadTableQuery, SortDirection, TableQuery
from tradecover.reporting import tables


class _Base(DeclarativeBase):
    pass


class Thing(_Base):
    """A row to page through."""

    __tablename__ = "things"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(20))
    colour: Mapped[str] = mapped_column(String(8))


COLUMNS = {"id": Thing.id, "value": Thing.value, "name": Thing.name, "colour": Thing.colour}
SEARCH = tables.contains(Thing.name)
COLOURS = ("red", "blue")


@pytest.fixture(scope="module")
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    _Base.metadata.create_all(engine)
    with Session(engine) as s:
        yield s
    engine.dispose()


def _load(session: Session, rows: list[tuple[int, str, str]]) -> None:
    session.execute(delete(Thing))
    if rows:
        session.execute(
            insert(Thing),
            [{"id": i + 1, "value": v, "name": n, "colour": c} for i, (v, n, c) in enumerate(rows)],
        )
    session.flush()


def _walk(session: Session, first: TableQuery) -> list[Any]:
    pages = [tables.page(session, select(Thing), first, columns=COLUMNS, id_column=Thing.id)]
    query = first
    while pages[-1].next is not None:
        query = replace(query, after=pages[-1].next, before=None)
        pages.append(
            tables.page(session, select(Thing), query, columns=COLUMNS, id_column=Thing.id)
        )
    return pages


_ROWS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=4),
        st.sampled_from(["acme", "Acme Ltd", "berlin", "50%_off"]),
        st.sampled_from(COLOURS),
    ),
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(
    rows=_ROWS,
    size=st.integers(min_value=1, max_value=6),
    sort=st.sampled_from(["id", "value", "name"]),
    direction=st.sampled_from(list(SortDirection)),
    colour=st.sampled_from([None, *COLOURS]),
)
def test_keyset_pages_list_each_row_once_in_order(
    session: Session,
    rows: list[tuple[int, str, str]],
    size: int,
    sort: str,
    direction: SortDirection,
    colour: str | None,
) -> None:
    _load(session, rows)
    filters = {} if colour is None else {"colour": colour}
    first = TableQuery(sort=sort, direction=direction, filters=filters, size=size)
    pages = _walk(session, first)
    kept = [
        {"id": i + 1, "value": v, "name": n, "colour": c}
        for i, (v, n, c) in enumerate(rows)
        if colour is None or c == colour
    ]
    expected = sorted(
        kept, key=lambda r: (r[sort], r["id"]), reverse=direction is SortDirection.DESC
    )
    listed = [r.id for p in pages for r in p.rows]
    assert listed == [r["id"] for r in expected]
    assert all(p.total == len(expected) for p in pages)
    assert all(len(p.rows) == size for p in pages[:-1])
    # back from the last page to the first by the previous links
    back = [pages[-1]]
    while back[-1].previous is not None:
        query = TableQuery(
            sort=sort, direction=direction, filters=filters, before=back[-1].previous, size=size
        )
        back.append(tables.page(session, select(Thing), query, columns=COLUMNS, id_column=Thing.id))
    assert [[r.id for r in p.rows] for p in reversed(back)] == [
        [r.id for r in p.rows] for p in pages
    ]
    # the export reads the same rows in the same order
    exported = tables.export(session, select(Thing), first, columns=COLUMNS, id_column=Thing.id)
    assert [r.id for r in exported] == listed


def test_search_escapes_like_wildcards(session: Session) -> None:
    _load(session, [(1, "50%_off", "red"), (2, "500 off", "red"), (3, "acme", "blue")])
    query = TableQuery(sort="id", direction=SortDirection.ASC, q="0%_")
    found = tables.page(
        session, select(Thing), query, columns=COLUMNS, id_column=Thing.id, search=SEARCH
    )
    assert [r.name for r in found.rows] == ["50%_off"]
    query = TableQuery(sort="id", direction=SortDirection.ASC, q="ACME")
    found = tables.page(
        session, select(Thing), query, columns=COLUMNS, id_column=Thing.id, search=SEARCH
    )
    assert [r.name for r in found.rows] == ["acme"]


def test_an_export_past_its_bound_is_refused(session: Session) -> None:
    _load(session, [(1, "a", "red")] * 5)
    query = TableQuery(sort="id", direction=SortDirection.ASC)
    rows = tables.export(
        session, select(Thing), query, columns=COLUMNS, id_column=Thing.id, max_rows=4
    )
    with pytest.raises(tables.ExportTooLarge):
        list(rows)


def test_an_unknown_sort_or_filter_of_the_read_model_is_refused(session: Session) -> None:
    for query in (
        TableQuery(sort="nope", direction=SortDirection.ASC),
        TableQuery(sort="id", direction=SortDirection.ASC, filters={"nope": 1}),
        TableQuery(sort="id", direction=SortDirection.ASC, q="x"),  # no search given
    ):
        with pytest.raises(BadTableQuery):
            tables.page(session, select(Thing), query, columns=COLUMNS, id_column=Thing.id)

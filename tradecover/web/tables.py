"""The dashboard's lists, the edge of the table kit (ADR 0035).

Each list's :class:`~tradecover.kit.tables.TableSpec` (its columns with their headings,
which sort, which filter, the search), the reading of a request's query into a
:class:`~tradecover.kit.tables.TableQuery` (cursors signed with the installation's key),
the :class:`TableView` that the ``_table.html`` macros draw (sort links, the filter and
search form, previous / next links, the CSV and XLSX links, the empty state), and the
export answers: ``?format=csv`` or ``?format=xlsx`` of the filtered list, every cell
formula-safe, its header row the columns' machine names (the same in every language).

An export is a read of the page it belongs to: the same route, so the same consent guard,
and its records are read inside the request's transaction, so the access log records
them before the commit, as it records the export jobs [domain CS-8].
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response, StreamingResponse

from tradecover.kit.money import Money
from tradecover.kit.tables import (
    BadTableQuery,
    Column,
    Page,
    SortDirection,
    TableQuery,
    TableSpec,
    ValueKind,
    csv_chunks,
    encode_cursor,
    parse_query,
    xlsx_bytes,
)
from tradecover.web import labels
from tradecover.web.i18n import N_
from tradecover.web.kit import settings_of

E = TypeVar("E")
FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BATCH = 1000

_I, _D, _T, _N = ValueKind.INTEGER, ValueKind.DATE, ValueKind.DATETIME, ValueKind.DECIMAL

DECLARATIONS = TableSpec(
    name="declarations",
    columns=(
        Column("id", N_("Number"), _I, sortable=True),
        Column("policy", N_("Policy")),
        Column("buyer", N_("Buyer")),
        Column("invoice_number", N_("Invoice number"), sortable=True),
        Column("shipment_date", N_("Shipment date"), _D, sortable=True, filter=True),
        Column("invoice_amount", N_("Invoice amount"), _I, sortable=True, numeric=True),
        Column("covered_amount", N_("Covered"), _I, sortable=True, numeric=True),
        Column(
            "cover_status",
            N_("Cover"),
            filter=True,
            choices=("covered_in_full", "covered_partly", "not_covered"),
        ),
        Column("premium", N_("Premium"), _I, sortable=True, numeric=True),
        Column("status", N_("Status"), filter=True, choices=("active", "corrected", "cancelled")),
        Column("currency", N_("Currency"), filter=True, shown=False),
        Column("due_date", N_("Due date"), _D, sortable=True, shown=False),
    ),
    default_sort="id",
    searchable=True,
    search_label=N_("Invoice number or buyer"),
)
"""``/declarations``."""

NOTICES = TableSpec(
    name="notices",
    columns=(
        Column("id", N_("Notice"), _I, sortable=True),
        Column("month", N_("Month"), ValueKind.MONTH, sortable=True, filter=True),
        Column("policy", N_("Policy")),
        Column("due_date", N_("Due date"), _D, sortable=True),
        Column("total", N_("Total premium"), _I, sortable=True, numeric=True),
        Column("owed", N_("Exporter owes"), _I, sortable=True, numeric=True),
        Column("programmes", N_("Programmes owe"), numeric=True),
        Column("paid", N_("Paid"), _I, sortable=True, numeric=True),
        Column("currency", N_("Currency"), filter=True, shown=False),
    ),
    default_sort="month",
    searchable=True,
    search_label=N_("Policy number"),
)
"""``/billing``."""

LIMITS = TableSpec(
    name="limits",
    columns=(
        Column("id", N_("Number"), _I, sortable=True),
        Column("buyer", N_("Buyer")),
        Column("country", N_("Country"), sortable=True, filter=True),
        Column("amount", N_("Amount"), _I, sortable=True, numeric=True),
        Column("outstanding", N_("Outstanding"), numeric=True),
        Column("available", N_("Available"), numeric=True),
        Column("effective_from", N_("Since"), _D, sortable=True),
        Column("status", N_("Status"), filter=True, choices=("active", "cancelled")),
        Column(
            "payment_terms",
            N_("Payment terms"),
            filter=True,
            choices=tuple(labels.PAYMENT_TERMS),
            shown=False,
        ),
        Column("credit_period_days", N_("Credit period (days)"), _I, sortable=True, shown=False),
        Column("currency", N_("Currency"), filter=True, shown=False),
    ),
    default_sort="id",
    searchable=True,
    search_label=N_("Buyer name or registration number"),
)
"""The limits of ``/limits``."""

CLAIMS = TableSpec(
    name="claims",
    columns=(
        Column("id", N_("Number"), _I, sortable=True),
        Column("policy", N_("Policy")),
        Column("buyer", N_("Buyer")),
        Column("cause", N_("Cause"), filter=True, choices=tuple(labels.LOSS_CAUSES)),
        Column("filed_on", N_("Filed on"), _D, sortable=True),
        Column("loss", N_("Loss"), _I, sortable=True, numeric=True),
        Column("indemnity", N_("Indemnity"), _I, sortable=True, numeric=True),
        Column("state", N_("Status"), filter=True, choices=tuple(labels.CLAIM_STATES)),
        Column("payable_from", N_("Payable from")),
        Column("paid_on", N_("Paid on")),
        Column("currency", N_("Currency"), filter=True, shown=False),
    ),
    default_sort="filed_on",
    default_direction=SortDirection.ASC,
    searchable=True,
    search_label=N_("Buyer name or registration number"),
)
"""``/claims`` (the handler's queue: oldest first)."""

BUYERS = TableSpec(
    name="buyers",
    columns=(
        Column("id", N_("Number"), _I, sortable=True),
        Column("legal_name", N_("Name"), sortable=True),
        Column("country", N_("Country"), sortable=True, filter=True),
        Column("registration_number", N_("Registration number")),
        Column("sector", N_("Sector"), filter=True, choices=tuple(labels.SECTORS)),
    ),
    default_sort="legal_name",
    default_direction=SortDirection.ASC,
    searchable=True,
    search_label=N_("Name, registration number or LEI"),
)
"""``/buyers``."""

AUDIT = TableSpec(
    name="audit",
    columns=(
        Column("id", N_("Number"), _I, sortable=True),
        Column("occurred_at", N_("When"), _T, sortable=True),
        Column("actor", N_("Who")),
        Column("action", N_("Action"), sortable=True, filter=True),
        Column("entity_type", N_("Record"), filter=True),
        Column("entity_id", N_("Record number")),
        Column("reason", N_("Reason")),
    ),
    default_sort="id",
    searchable=True,
    search_label=N_("Who, action or record"),
)
"""``/audit``."""

CHOICE_LABELS: dict[str, dict[str, str]] = {
    "cover_status": labels.COVER_STATUSES,
    "status": {"active": N_("Active"), "corrected": N_("Corrected"), "cancelled": N_("Cancelled")},
    "payment_terms": labels.PAYMENT_TERMS,
    "cause": labels.LOSS_CAUSES,
    "state": labels.CLAIM_STATES,
    "sector": labels.SECTORS,
}
"""The words of each choice filter's codes (translated where they are shown)."""


def major(minor: int | None, currency: str) -> Decimal | None:
    """An amount kept in minor units, in major units of its currency (for an export)."""
    return None if minor is None else Money.from_minor(minor, currency).amount


def read_table(request: Request, spec: TableSpec) -> TableQuery:
    """The list query of ``request``; :class:`BadTableQuery` (400) on a bad parameter."""
    return parse_query(spec, dict(request.query_params), settings_of(request).signing_key())


def export_format(request: Request) -> str | None:
    """``csv`` or ``xlsx`` when the request asks for an export, None for the page."""
    fmt = request.query_params.get("format")
    if fmt is None or fmt == "":
        return None
    if fmt not in FORMATS:
        raise BadTableQuery("format is csv or xlsx", field="format")
    return fmt


@dataclass(frozen=True, slots=True)
class TableView:
    """What the ``_table.html`` macros draw: links keep the list's query."""

    path: str
    spec: TableSpec
    query: TableQuery
    page: Page[Any]
    key: str = field(repr=False)
    empty_message: str = N_("Nothing matches.")
    empty_hint: str = ""

    def url(self, **changes: str | None) -> str:
        """This list's address with ``changes`` to its query (the page position reset)."""
        return self.path + "?" + urlencode(self.query.params(**changes))

    def sort_url(self, column: Column) -> str:
        """Sorted by ``column``: the other direction when it is the sort already."""
        if column.key == self.query.sort:
            other = "asc" if self.query.direction is SortDirection.DESC else "desc"
            return self.url(dir=other)
        default = "asc" if column.kind is ValueKind.TEXT else "desc"
        return self.url(sort=column.key, dir=default)

    def aria_sort(self, column: Column) -> str | None:
        """``ascending`` / ``descending`` on the sort column."""
        if column.key != self.query.sort:
            return None
        return "ascending" if self.query.direction is SortDirection.ASC else "descending"

    def _cursor(self, name: str, cursor: Any) -> str | None:
        if cursor is None:
            return None
        token = encode_cursor(self.spec, self.query.sort, self.query.direction, cursor, self.key)
        return self.path + "?" + urlencode(self.query.params(**{name: token}))

    @property
    def next_url(self) -> str | None:
        """The next page, when there is one."""
        return self._cursor("after", self.page.next)

    @property
    def previous_url(self) -> str | None:
        """The previous page, when there is one."""
        return self._cursor("before", self.page.previous)

    def export_url(self, fmt: str) -> str:
        """The export of the filtered list in ``fmt``."""
        return self.url(format=fmt)

    def filter_value(self, key: str) -> str:
        """The filter's current value, as the form shows it."""
        value = self.query.filters.get(key)
        if value is None:
            return ""
        column = self.spec.column(key)
        if column is not None and column.kind is ValueKind.MONTH and isinstance(value, date):
            return value.strftime("%Y-%m")
        return value.isoformat() if isinstance(value, date | datetime) else str(value)

    def choice_labels(self, column: Column) -> Mapping[str, str]:
        """The words of ``column``'s choices."""
        return CHOICE_LABELS.get(column.key, {})

    @property
    def size_choices(self) -> list[int]:
        """The page sizes the form offers (the current one among them)."""
        return sorted({20, 50, 100, 200, self.query.size})

    @property
    def filtered(self) -> bool:
        """Whether a search or filter narrows the list."""
        return bool(self.query.q or self.query.filters)


def view(
    request: Request,
    spec: TableSpec,
    query: TableQuery,
    page: Page[Any],
    *,
    empty_message: str = N_("Nothing matches."),
    empty_hint: str = "",
) -> TableView:
    """The view of a list page at ``request``'s path."""
    return TableView(
        path=request.url.path,
        spec=spec,
        query=query,
        page=page,
        key=settings_of(request).signing_key(),
        empty_message=empty_message,
        empty_hint=empty_hint,
    )


def _batched(rows: Iterable[E]) -> Iterator[list[E]]:
    it = iter(rows)
    while batch := list(islice(it, _BATCH)):
        yield batch


def export_response(
    spec: TableSpec,
    fmt: str,
    rows: Iterable[E],
    values: Callable[[list[E]], Iterable[Sequence[Any]]],
) -> Response:
    """The export of ``rows`` in ``fmt``: every column of ``spec`` (machine names in the
    header row), each batch of rows turned into cells by ``values``.  The rows are read
    here, in the request's transaction (so its access log holds them); the CSV is then
    streamed in chunks.
    """
    header = [c.key for c in spec.columns]
    cells = [tuple(v) for batch in _batched(rows) for v in values(batch)]
    headers = {
        "Content-Disposition": f'attachment; filename="{spec.name}.{fmt}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    if fmt == "xlsx":
        return Response(xlsx_bytes(spec.name, header, cells), media_type=XLSX_TYPE, headers=headers)
    return StreamingResponse(
        csv_chunks(header, cells), media_type="text/csv; charset=utf-8", headers=headers
    )

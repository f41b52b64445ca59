"""Tables people can work with, through the web client (ADR 0035): keyset paging,
sorting, filtering and search on the declarations list, CSV and XLSX exports
(formula-safe, logged like a read), bad list input answered 400, and the buyer register
and audit log pages.  Small data: five declarations of one exporter.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from tests.builders.declarations import body, world
from tests.conftest import (
    TEST_SECRET,
    Actor,
    Database,
    FormClient,
    make_cast,
    make_person,
    sign_in,
)
from tradecover.access.roles import Role
from tradecover.api.app import create_app
from tradecover.audit.model import AuditEntry
from tradecover.config import Settings
from tradecover.db.engine import transaction

INVOICES = ("INV-1", "INV-2", "=1+2", "INV-4", "INV-5")
_ROW = re.compile(r'<tr><td><a href="/declarations/([0-9]+)">')
_NEXT = re.compile(r'href="([^"]+)" rel="next"')
_LIMIT_ROW = re.compile(r'<tr><td><a href="/limits/([0-9]+)">')
_PREVIOUS = re.compile(r'href="([^"]+)" rel="prev"')


@dataclass(frozen=True)
class Book:
    exporter: Actor
    underwriter: Actor
    bank: Actor
    exporter_org_id: int
    ids: tuple[int, ...]


@pytest.fixture(scope="module")
def site(database: Database) -> Iterator[tuple[TestClient, Book]]:
    """One small book for the module (the tests only read it): a policy, a buyer with a
    limit, five declarations, an exporter and an underwriter who sign in.
    """
    database.reset()
    cast = make_cast(database)
    app = create_app(Settings(database_url=database.url, secret_key=TEST_SECRET))
    with FormClient(app, raise_server_exceptions=False) as client:
        w = world(client, cast, database)
        ids = []
        for invoice in INVOICES:
            r = client.post(
                "/api/v1/declarations",
                headers={**cast.exporter.headers, "Idempotency-Key": f"k{invoice}"},
                json=body(w, invoice_number=invoice),
            )
            assert r.status_code == 201, r.text
            ids.append(int(r.json()["id"]))
        exporter = make_person(database, "acme-exports", Role.EXPORTER, "li@acme.example")
        underwriter = make_person(database, "insurer", Role.UNDERWRITER, "uw@insurer.example")
        bank = make_person(database, "first-bank", Role.BANK, "ops@bank.example")
        yield client, Book(exporter, underwriter, bank, w.org_id, tuple(ids))
    app.state.engine.dispose()


@pytest.fixture
def app_client(site: tuple[TestClient, Book]) -> TestClient:
    """The module's client, signed out."""
    site[0].cookies.clear()
    return site[0]


@pytest.fixture
def book(site: tuple[TestClient, Book]) -> Book:
    """The module's book."""
    return site[1]


def _ids(html: str) -> list[int]:
    return [int(x) for x in _ROW.findall(html)]


def test_paging_forward_and_back_lists_every_declaration_once_in_order(
    app_client: TestClient, book: Book
) -> None:
    sign_in(app_client, book.exporter)
    url: str | None = "/declarations?sort=id&dir=asc&size=2"
    seen: list[int] = []
    pages: list[str] = []
    while url is not None:
        page = app_client.get(url)
        assert page.status_code == 200, page.text
        assert "<option selected>2</option>" in page.text  # the form keeps the size
        seen += _ids(page.text)
        pages.append(url)
        found = _NEXT.search(page.text)
        url = unescape(found.group(1)) if found else None
    assert seen == sorted(book.ids)
    assert len(pages) == 3
    last = app_client.get(pages[-1])
    back = _PREVIOUS.search(last.text)
    assert back is not None
    assert _ids(app_client.get(unescape(back.group(1))).text) == sorted(book.ids)[2:4]


def test_sort_search_and_filters_narrow_the_list(app_client: TestClient, book: Book) -> None:
    sign_in(app_client, book.exporter)
    newest = app_client.get("/declarations")
    assert _ids(newest.text) == sorted(book.ids, reverse=True)
    assert 'aria-sort="descending"' in newest.text
    found = app_client.get("/declarations?q=inv-4")
    assert _ids(found.text) == [book.ids[3]]
    by_buyer = app_client.get("/declarations?q=berlin")
    assert len(_ids(by_buyer.text)) == 5
    none = app_client.get("/declarations?status=cancelled")
    assert _ids(none.text) == []
    assert 'data-testid="empty-declarations"' in none.text
    assert 'for="declarations-q"' in newest.text  # every field has its label


@pytest.mark.parametrize(
    "query",
    [
        "sort=nope",
        "dir=up",
        "size=0",
        "size=201",
        "status=lost",
        "shipment_date=yesterday",
        "format=pdf",
        "after=forged.cursor",
        "q=" + "x" * 101,
    ],
)
def test_bad_list_input_is_a_400_page(app_client: TestClient, book: Book, query: str) -> None:
    sign_in(app_client, book.exporter)
    answer = app_client.get(f"/declarations?{query}")
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")


def test_a_cursor_altered_or_carried_to_another_sort_is_refused(
    app_client: TestClient, book: Book
) -> None:
    sign_in(app_client, book.exporter)
    page = app_client.get("/declarations?sort=id&dir=asc&size=2")
    link = unescape(_NEXT.search(page.text).group(1))  # type: ignore[union-attr]
    token = re.search(r"after=([^&]+)", link).group(1)  # type: ignore[union-attr]
    assert app_client.get(link).status_code == 200
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert app_client.get(f"/declarations?sort=id&dir=asc&after={tampered}").status_code == 400
    assert app_client.get(f"/declarations?sort=id&dir=desc&after={token}").status_code == 400


def test_csv_export_is_the_filtered_list_formula_safe(app_client: TestClient, book: Book) -> None:
    sign_in(app_client, book.exporter)
    answer = app_client.get("/declarations?format=csv&sort=id&dir=asc")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["id", "policy", "buyer", "invoice_number"]
    assert [r[3] for r in rows[1:]] == ["INV-1", "INV-2", "'=1+2", "INV-4", "INV-5"]
    assert rows[1][2] == "Berlin Machines GmbH"
    only = app_client.get("/declarations?format=csv&q=INV-5")
    assert len(list(csv.reader(io.StringIO(only.content.decode("utf-8-sig"))))) == 2


def test_xlsx_export_stores_no_formula(app_client: TestClient, book: Book) -> None:
    sign_in(app_client, book.exporter)
    answer = app_client.get("/declarations?format=xlsx&sort=id&dir=asc")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "id"
    assert values[3][3] == "'=1+2"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_an_insurer_export_is_logged_in_the_exporters_chain(
    app_client: TestClient, book: Book, database: Database
) -> None:
    sign_in(app_client, book.underwriter)
    answer = app_client.get("/declarations?format=csv")
    assert answer.status_code == 200
    with transaction(database.factory) as s:
        logged = [
            e.after
            for e in s.execute(
                select(AuditEntry)
                .where(AuditEntry.org_id == book.exporter_org_id, AuditEntry.action == "data.read")
                .order_by(AuditEntry.id)
            ).scalars()
            if e.after["path"] == "/declarations"
        ]
    assert logged, "the export is a read of the exporter's data"
    assert sorted(logged[-1]["records"]["declarations"]) == sorted(book.ids)
    assert logged[-1]["reader_role"] == "underwriter"


def test_an_export_passes_the_pages_consent_guard(app_client: TestClient, book: Book) -> None:
    sign_in(app_client, book.bank)
    for fmt in ("csv", "xlsx"):
        refused = app_client.get(f"/declarations?format={fmt}")
        assert refused.status_code == 403
        assert 'data-testid="consent-required"' in refused.text


def test_limits_claims_and_notices_are_tables(app_client: TestClient, book: Book) -> None:
    sign_in(app_client, book.exporter)
    limits = app_client.get("/limits?sort=amount&dir=desc")
    assert limits.status_code == 200
    assert 'data-testid="pager-limits"' in limits.text
    assert "Berlin Machines GmbH" in limits.text
    exported = app_client.get("/limits?format=csv")
    assert exported.status_code == 200
    assert "Berlin Machines GmbH" in exported.text
    claims = app_client.get("/claims?state=paid")
    assert claims.status_code == 200
    assert 'data-testid="empty-claims"' in claims.text
    assert app_client.get("/billing?format=xlsx").status_code == 200
    assert app_client.get("/billing?sort=total&dir=asc").status_code == 200
    assert app_client.get("/billing?month=2026-03").status_code == 200  # old links still work
    assert app_client.get("/billing?month=2026-03-15").status_code == 400
    sign_in(app_client, book.underwriter)
    queue = app_client.get("/limits?q=berlin&status=active")
    assert queue.status_code == 200
    assert 'data-testid="queue"' in queue.text
    assert _LIMIT_ROW.findall(queue.text) != []
    assert _LIMIT_ROW.findall(app_client.get("/limits?status=cancelled").text) == []


def test_the_buyer_register_and_the_audit_log(app_client: TestClient, book: Book) -> None:
    sign_in(app_client, book.exporter)
    buyers = app_client.get("/buyers?q=berlin")
    assert buyers.status_code == 200
    assert "Berlin Machines GmbH" in buyers.text
    assert "Berlin Machines GmbH" not in app_client.get("/buyers?q=nothing-like-it").text
    sign_in(app_client, book.underwriter)
    audit = app_client.get("/audit?size=5")
    assert audit.status_code == 200
    assert 'data-testid="audit"' in audit.text
    assert app_client.get("/audit?format=csv").status_code == 200

"""The data page [domain CS-6] [domain CS-8]: the exporter's plain-language summary, its
consents with authorise and revoke, the reads of its data; the grantee's view of what it
may see; in the reader's language."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.conftest import Cast, Database, make_person, sign_in
from tradecover.access.roles import Role
from tradecover.consents.model import Consent
from tradecover.db.engine import transaction
from tradecover.kit.dates import utc_now

BROWSER = {"Accept": "text/html"}


def _asked(db: Database, cast: Cast) -> int:
    with transaction(db.factory) as s:
        row = Consent(
            grantor_org_id=cast.exporter.org_id,
            grantee_org_id=cast.bank.org_id,
            scopes=["shipment_core", "invoice_documents"],
            purposes=["financing"],
            expires_at=utc_now() + timedelta(days=30),
            status="awaiting_authorisation",
            requested_by="apikey:bank",
            requested_at=utc_now(),
        )
        s.add(row)
        s.flush()
        return row.id


def test_the_exporter_authorises_and_reads_its_summary(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    consent = _asked(db, cast)
    sign_in(app_client, make_person(db, "acme-exports", Role.EXPORTER, "ex@acme.test"))
    page = app_client.get("/consents", headers=BROWSER)
    assert page.status_code == 200
    assert "It cannot see goods descriptions, line items and unit prices" in page.text
    assert f'action="/consents/{consent}/authorise"' in page.text
    done = app_client.post(f"/consents/{consent}/authorise", headers=BROWSER)
    assert done.status_code == 200 and "Authorised" in done.text
    assert (
        "First Bank can see buyer, amounts, currency, dates and payment terms, invoice documents"
        " of your shipments to 0 buyers."
    ) in done.text
    assert "Nobody read your data in this period." in done.text
    app_client.post("/language", data={"locale": "ko", "next": "/consents"}, headers=BROWSER)
    korean = app_client.get("/consents", headers=BROWSER)
    assert "쉽게 말하면" in korean.text and "품목 및 단가" in korean.text


def test_the_exporter_sees_what_each_source_shares(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    """[domain CS-11] The data page lists, per feed source, the fields shared and withheld."""
    chosen = app_client.put(
        "/api/v1/data-sharing/sources/ubl",
        json={"withheld": ["line_items", "original_document"], "reason": "trade secrets"},
        headers=cast.exporter.headers,
    )
    assert chosen.status_code == 200, chosen.text
    sign_in(app_client, make_person(db, "acme-exports", Role.EXPORTER, "ex@acme.test"))
    page = app_client.get("/consents", headers=BROWSER)
    assert page.status_code == 200
    assert (
        '<td data-testid="withheld-ubl">Line items and unit prices, Original document</td>'
        in page.text
    )
    assert '<td data-testid="withheld-erp">Nothing</td>' in page.text
    row = page.text.split('data-testid="source-ubl"', 1)[1].split("</tr>", 1)[0]
    assert "Buyer, Amounts, Currency" in row and "Transport document" in row
    app_client.post("/language", data={"locale": "zh_Hans", "next": "/consents"}, headers=BROWSER)
    chinese = app_client.get("/consents", headers=BROWSER)
    assert "明细项目和单价, 原始单据" in chinese.text


def test_the_grantee_sees_what_it_may_see(app_client: TestClient, db: Database, cast: Cast) -> None:
    sign_in(app_client, make_person(db, "insurer", Role.UNDERWRITER, "uw@insurer.test"))
    page = app_client.get("/consents", headers=BROWSER)
    assert page.status_code == 200
    assert "The policy contract" in page.text and "Acme Exports" in page.text
    third = app_client.post("/consents/1/authorise", headers=BROWSER)
    assert third.status_code == 404 and "problem" in third.text

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


def test_the_grantee_sees_what_it_may_see(app_client: TestClient, db: Database, cast: Cast) -> None:
    sign_in(app_client, make_person(db, "insurer", Role.UNDERWRITER, "uw@insurer.test"))
    page = app_client.get("/consents", headers=BROWSER)
    assert page.status_code == 200
    assert "The policy contract" in page.text and "Acme Exports" in page.text
    third = app_client.post("/consents/1/authorise", headers=BROWSER)
    assert third.status_code == 404 and "problem" in third.text

"""The data page [domain CS-6] [domain CS-8]: the exporter's plain-language summary, its
consents with authorise and revoke, the reads of its data; the grantee's view of what it
may see; in the reader's language."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.builders.buyers import add_buyer
from tests.conftest import Cast, Database, make_person, sign_in
from tradecover import consents
from tradecover.access.roles import Role
from tradecover.audit.model import AuditEntry
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


def _pool_rows(db: Database, org_id: int) -> int:
    with db.factory() as s:
        return len(consents.contributions_of(s, org_id))


def test_the_exporter_sees_its_pool_contribution_and_stops_it(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    """[domain CS-12] The data page shows what the exporter contributes to the pool; it
    stops from the page (its rows leave, audited) and nothing else changes."""
    sign_in(app_client, make_person(db, "acme-exports", Role.EXPORTER, "ex@acme.test"))
    refused = app_client.post("/consents/pool/contribute", headers=BROWSER)
    assert refused.status_code == 409 and "into the pool" in refused.text
    assert _pool_rows(db, cast.exporter.org_id) == 0
    asked = app_client.post(
        "/api/v1/consents",
        json={
            "grantor_org_id": cast.exporter.org_id,
            "scopes": ["payment_experience"],
            "purposes": ["portfolio_monitoring"],
            "expires_at": (utc_now() + timedelta(days=30)).isoformat(),
        },
        headers=cast.bank.headers,
    )
    assert asked.status_code == 201, asked.text
    consent_id = int(asked.json()["id"])
    done = app_client.post(
        f"/api/v1/consents/{consent_id}/authorise", headers=cast.exporter.headers
    )
    assert done.status_code == 200, done.text
    with transaction(db.factory) as s:
        buyer_id = add_buyer(s, org_id=cast.exporter.org_id)
        consents.contribute(
            s,
            exporter_org_id=cast.exporter.org_id,
            records=[consents.BuyerExperience(buyer_id, 2, 75, 1)],
            actor="test:pool",
        )
    page = app_client.get("/consents", headers=BROWSER)
    assert page.status_code == 200
    row = page.text.split(f'data-testid="pool-buyer-{buyer_id}"', 1)[1].split("</tr>", 1)[0]
    assert "<td>2</td><td>75</td><td>1</td>" in row
    assert f"(consent {consent_id})" in page.text
    assert 'action="/consents/pool/stop"' in page.text
    stopped = app_client.post("/consents/pool/stop", headers=BROWSER)
    assert stopped.status_code == 200 and "You contribute nothing to the pool." in stopped.text
    assert _pool_rows(db, cast.exporter.org_id) == 0
    with db.factory() as s:
        consent = s.get(Consent, consent_id)
        assert consent is not None and consent.status == "authorised"
        actions = s.execute(
            select(AuditEntry.action).where(AuditEntry.entity_type == "payment_experience_pool")
        ).scalars()
        assert list(actions) == ["consent.pool_contributed", "consent.pool_withdrawn"]
    again = app_client.post("/consents/pool/contribute", headers=BROWSER)
    assert again.status_code == 200, again.text
    app_client.post("/language", data={"locale": "ko", "next": "/consents"}, headers=BROWSER)
    korean = app_client.get("/consents", headers=BROWSER)
    assert "구매자 결제 경험" in korean.text
    sign_in(app_client, make_person(db, "insurer", Role.UNDERWRITER, "uw2@insurer.test"))
    assert app_client.post("/consents/pool/stop", headers=BROWSER).status_code == 404

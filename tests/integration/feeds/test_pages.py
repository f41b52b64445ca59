"""The feeds pages: the exporter sees its sources, documents (why each attached), the
quarantine with resubmit and withdraw, and its omissions; the underwriter sees per-buyer
exposure from automatic attachment."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.builders.declarations import World
from tests.conftest import Cast, Database, make_person, sign_in
from tests.integration.feeds.helpers import connect_source, customs_record, documents, erp_event
from tests.integration.feeds.test_reconcile import EXITED, SHIPPED, _receive
from tradecover.access.roles import Role
from tradecover.feeds.stream.envelope import FeedSource


def test_the_exporter_follows_its_documents_and_the_underwriter_the_exposure(
    app_client: TestClient, db: Database, cast: Cast, covered: World
) -> None:
    connect_source(db, cast.exporter.org_slug, FeedSource.CUSTOMS)
    _receive(db, cast, FeedSource.ERP, erp_event("S1", shipped=SHIPPED, amount="2500.00"))
    _receive(db, cast, FeedSource.CUSTOMS, customs_record("MRN1", invoice="INV-S1", exited=EXITED))
    _receive(db, cast, FeedSource.CUSTOMS, customs_record("MRN2", value="9000", exited=EXITED))
    _receive(db, cast, FeedSource.CUSTOMS, b"{not json")
    sign_in(app_client, make_person(db, cast.exporter.org_slug, Role.EXPORTER, "ops@acme.example"))
    page = app_client.get("/feeds")
    assert page.status_code == 200
    for part in ("sources", "documents", "quarantine", "omissions", "awaiting-confirmation"):
        assert f'data-testid="{part}"' in page.text, part
    assert "linked_to_shipment" in page.text and "record_malformed" in page.text
    assert "MRN2" in page.text and "9,000.00 USD" in page.text
    bad = next(d for d in documents(db) if d.status == "quarantined")
    withdrawn = app_client.post(f"/feeds/documents/{bad.id}/withdraw")
    assert withdrawn.status_code in (200, 303)
    assert next(d for d in documents(db) if d.id == bad.id).status == "withdrawn"
    again = app_client.post(f"/feeds/documents/{bad.id}/withdraw")
    assert again.status_code == 409 and 'data-testid="problem"' in again.text
    assert app_client.get("/feeds/exposure").status_code == 403
    sign_in(app_client, make_person(db, "insurer", Role.UNDERWRITER, "uw@insurer.example"))
    exposure = app_client.get("/feeds/exposure")
    assert exposure.status_code == 200 and 'data-testid="exposure"' in exposure.text
    assert "2,500.00 USD" in exposure.text

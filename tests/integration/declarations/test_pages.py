"""The declaration pages: declare one shipment with the web form, upload with a report."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.builders.declarations import body, world
from tests.conftest import Cast, Database, make_user_actor
from tests.integration.declarations.helpers import counts
from tests.integration.declarations.test_upload import csv_bytes, rows
from tests.integration.web.test_pages import sign_in
from tradecover.access.roles import Role
from tradecover.db.engine import transaction


def test_web_form_and_upload(app_client: TestClient, cast: Cast, db: Database) -> None:
    w = world(app_client, cast, db)
    with transaction(db.factory) as s:
        person = make_user_actor(
            s, org_slug=cast.exporter.org_slug, role=Role.EXPORTER, email="li.wei@acme.example"
        )
    assert app_client.get("/declarations", follow_redirects=False).status_code == 303
    sign_in(app_client, person)
    page = app_client.get("/declarations")
    assert page.status_code == 200
    assert 'data-testid="declare-form"' in page.text
    assert "No declarations yet." in page.text
    form = {k: str(v) for k, v in body(w, invoice_number="WEB-1").items()}
    made = app_client.post("/declarations", data=form)
    assert made.status_code == 200, made.text
    assert "WEB-1 · Covered in full (Within the credit limit)" in made.text
    before = counts(db)
    again = app_client.post("/declarations", data=form)
    assert again.status_code == 409
    assert "duplicate_invoice_number (invoice_number)" in again.text
    assert counts(db) == before
    report = app_client.post(
        "/declarations/upload", files={"file": ("s.csv", csv_bytes(rows(w)), "text/csv")}
    )
    assert report.status_code == 200, report.text
    assert "2 accepted, 5 rejected" in report.text
    assert "malformed_row (shipment_date)" in report.text
    app_client.post("/language", data={"locale": "zh_Hans", "next": "/declarations/upload"})
    assert "上传出运" in app_client.get("/declarations/upload").text

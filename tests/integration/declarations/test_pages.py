"""The declaration pages: declare one shipment with the web form, upload with a report."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.builders.declarations import body, world
from tests.conftest import Cast, Database, make_user_actor
from tests.integration.declarations.helpers import counts
from tests.integration.declarations.test_upload import csv_bytes, rows
from tests.integration.web.test_pages import sign_in
from tradecover.access.roles import Role
from tradecover.db.engine import transaction
from tradecover.declarations.model import Declaration


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


def test_the_form_picks_the_buyer_by_name_takes_the_limits_terms_and_previews(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    w = world(app_client, cast, db)
    with transaction(db.factory) as s:
        person = make_user_actor(
            s, org_slug=cast.exporter.org_slug, role=Role.EXPORTER, email="li.wei@acme.example"
        )
    sign_in(app_client, person)
    page = app_client.get("/declarations")
    assert (
        f'<option value="{w.buyer_id}">Berlin Machines GmbH · Germany · Open account' in page.text
    )
    form = {k: str(v) for k, v in body(w, invoice_number="WEB-2").items()}
    form.update(payment_terms="", due_date="", intent="preview")
    before = counts(db)
    preview = app_client.post("/declarations", data=form)
    assert preview.status_code == 200, preview.text
    assert "Preview, nothing recorded: Covered in full" in preview.text
    assert counts(db) == before  # nothing written by a preview
    assert 'value="WEB-2"' in preview.text  # the form keeps what was typed
    made = app_client.post("/declarations", data={**form, "intent": "declare"})
    assert "WEB-2 · Covered in full" in made.text
    assert "<td>Berlin Machines GmbH</td><td>WEB-2</td>" in made.text  # a name, not an id
    with transaction(db.factory) as s:
        row = s.execute(
            select(Declaration).where(Declaration.invoice_number == "WEB-2")
        ).scalar_one()
        assert row.payment_terms == "OA"  # the limit's terms
        assert (row.due_date - row.shipment_date).days == 180  # the limit's credit period
    wrong = app_client.post(
        "/declarations", data={**form, "invoice_number": "WEB-3", "invoice_amount": "ten"}
    )
    assert wrong.status_code == 422
    assert "invalid_form (invoice_amount)" in wrong.text

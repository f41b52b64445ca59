"""The billing pages: the notice list, a notice with its split, the printable notice."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from tests.conftest import Cast, Database, make_user_actor
from tests.integration.billing.helpers import book, declaration_row, declare
from tradecover.access.roles import Role
from tradecover.access.service import system_principal
from tradecover.billing import jobs
from tradecover.billing.notice import DEFAULT_TERMS
from tradecover.db.engine import transaction


def _sign_in(client: TestClient, email: str) -> None:
    answer = client.post(
        "/sign-in",
        data={"email": email, "password": "correct horse battery"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def test_notice_pages_only_for_the_owner(db: Database, app_client: TestClient, cast: Cast) -> None:
    b = book(db, app_client, cast)
    with transaction(db.factory) as s:
        declare(
            s,
            [
                declaration_row(
                    policy_id=b.policy_ids[0],
                    org_id=b.exporter_org_id,
                    buyer_id=b.buyer_id,
                    premium_minor=13401,
                    day=date(2026, 10, 2),
                    n=1,
                )
            ],
        )
        make_user_actor(s, org_slug="acme-exports", role=Role.EXPORTER, email="li@acme.example")
        make_user_actor(s, org_slug="other-exports", role=Role.EXPORTER, email="kim@other.example")
        principal = system_principal(s)
    jobs.run_month(
        db.factory,
        principal=principal,
        month="2026-10",
        issue_date=date(2026, 11, 2),
        terms=DEFAULT_TERMS,
    )
    _sign_in(app_client, "li@acme.example")
    listing = app_client.get("/billing")
    assert listing.status_code == 200 and 'href="/billing/notices/1"' in listing.text
    notice = app_client.get("/billing/notices/1")
    assert notice.status_code == 200
    assert "PN-2026-10-000001" in notice.text and "134.01" in notice.text
    printable = app_client.get("/billing/notices/1/print")
    assert printable.status_code == 200 and "/static/billing_print.css" in printable.text
    app_client.cookies.clear()
    _sign_in(app_client, "kim@other.example")
    assert app_client.get("/billing/notices/1").status_code == 404
    assert app_client.get("/billing/notices/1/print").status_code == 404
    assert "PN-2026-10" not in app_client.get("/billing").text

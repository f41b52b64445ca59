"""Finance records a payment from the notice page: applied oldest first, one payment for a
form sent twice, a refusal re-renders with the field and writes nothing; others see no form.
"""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import Cast, Database, make_user_actor
from tests.integration.billing.helpers import book, declaration_row, declare
from tradecover.access.roles import Role
from tradecover.access.service import system_principal
from tradecover.billing import jobs
from tradecover.billing.model import Payment, PremiumNotice
from tradecover.billing.notice import DEFAULT_TERMS
from tradecover.db.engine import transaction

_KEY = re.compile(r'name="form_key" value="([0-9a-f]{32})"')


def _sign_in(client: TestClient, email: str) -> None:
    client.cookies.clear()
    answer = client.post(
        "/sign-in",
        data={"email": email, "password": "correct horse battery"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def _payments(db: Database) -> int:
    with db.factory() as s:
        return int(s.execute(select(func.count()).select_from(Payment)).scalar_one())


def test_finance_records_a_payment_once_from_the_notice_page(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
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
        make_user_actor(s, org_slug="insurer", role=Role.FINANCE, email="fin@insurer.example")
        make_user_actor(s, org_slug="acme-exports", role=Role.EXPORTER, email="li@acme.example")
        principal = system_principal(s)
    jobs.run_month(
        db.factory,
        principal=principal,
        month="2026-10",
        issue_date=date(2026, 11, 2),
        terms=DEFAULT_TERMS,
    )
    _sign_in(app_client, "li@acme.example")
    assert 'id="record-payment"' not in app_client.get("/billing/notices/1").text

    _sign_in(app_client, "fin@insurer.example")
    page = app_client.get("/billing/notices/1")
    assert page.status_code == 200 and 'id="record-payment"' in page.text
    key = _KEY.search(page.text)
    assert key is not None
    form = {
        "payer": f"exporter:{b.exporter_org_id}",
        "amount": "abc",
        "received_on": "2026-11-20",
        "reference": "SWIFT-1",
        "form_key": key.group(1),
    }
    refused = app_client.post("/billing/notices/1/payments", data=form)
    assert refused.status_code == 422 and "amount" in refused.text
    assert 'value="abc"' in refused.text  # the field is kept as typed
    assert _payments(db) == 0
    foreign = app_client.post(
        "/billing/notices/1/payments", data={**form, "amount": "1", "payer": "exporter:999"}
    )
    assert foreign.status_code == 422 and _payments(db) == 0

    form["amount"] = "134.01"
    first = app_client.post("/billing/notices/1/payments", data=form)
    assert first.status_code == 200, first.text
    assert 'data-testid="payment-recorded"' in first.text and "PN-2026-10-000001" in first.text
    again = app_client.post("/billing/notices/1/payments", data=form)  # a double click
    assert again.status_code == 200 and 'data-testid="payment-recorded"' in again.text
    assert _payments(db) == 1
    with db.factory() as s:
        notice = s.get(PremiumNotice, 1)
        assert notice is not None and notice.exporter_paid_minor == 13401

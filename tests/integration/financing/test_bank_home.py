"""The bank's home [domain BA-9]: after sign-in a bank lands on its assigned policies and
its financing base (a chart and the same figures in a table), in the reader's language;
an assignment whose exporter has not consented to financing reads is counted, not shown.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import Cast, Database, make_person, sign_in
from tests.integration.claims.conftest import Book
from tests.integration.financing.test_assignments_api import (
    URL,
    activate,
    ask,
    consent,
    revoke_all,
)
from tradecover.access import Role
from tradecover.access.model import User
from tradecover.audit.model import AuditEntry
from tradecover.db.engine import transaction


def test_the_bank_lands_on_its_assigned_policies_and_financing_base(
    db: Database, app_client: TestClient, cast: Cast, claims_book: Book
) -> None:
    consent(db, cast.exporter.org_id, cast.bank.org_id)
    r = app_client.post(URL, headers=cast.bank.headers, json=ask(claims_book.policy_id))
    assert r.status_code == 201, r.text
    activate(app_client, cast, r.json()["id"])
    revoke_all(db)
    person = make_person(db, "first-bank", Role.BANK, "lender@first-bank.example")
    sign_in(app_client, person)
    page = app_client.get("/")
    assert page.status_code == 200
    assert "1 assignment is not shown" in page.text
    assert 'data-testid="financing-base"' not in page.text
    consent(db, cast.exporter.org_id, cast.bank.org_id)
    page = app_client.get("/")
    assert page.status_code == 200
    assert 'data-testid="financing-base"' in page.text
    assert 'data-testid="assigned-policies"' in page.text
    assert "<svg" in page.text and "financing base by policy" in page.text
    assert "not shown" not in page.text
    with db.factory() as s:  # the home's read is in the exporter's access log
        logged = s.execute(
            select(AuditEntry.after).where(
                AuditEntry.action == "data.read", AuditEntry.org_id == cast.exporter.org_id
            )
        ).scalars()
        assert any(e["path"] == "/" and e["purpose"] == "financing" for e in logged)
    with transaction(db.factory) as s:
        user = s.get(User, person.user_id)
        assert user is not None
        user.locale = "ko"
    page = app_client.get("/")
    assert "귀행의 융자 기준액" in page.text  # "Your financing base"
    assert "<td>유효</td>" in page.text  # the status "Active", in Korean

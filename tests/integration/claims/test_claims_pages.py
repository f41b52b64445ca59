"""The claims pages: the exporter's overdue list with the notice and claim forms, the
handler's queue with the checks and actions, the recovery ledger and the speed report,
each for the right people only; a refused form writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import Cast, Database, make_person, sign_in
from tests.integration.claims.conftest import AFTER_DUE, Book, counts
from tests.integration.claims.documents import accept_documents
from tradecover.access.roles import Role
from tradecover.claims.model import ClaimRow, RecoveryRow
from tradecover.collections.model import DueDateArrangement, PossibleLossNotice


@pytest.fixture(autouse=True)
def _after_due(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages see the day ten days after both invoices fell due."""
    monkeypatch.setattr("tradecover.web.claims.overdue_pages.business_today", lambda: AFTER_DUE)
    monkeypatch.setattr("tradecover.web.claims.pages.business_today", lambda: AFTER_DUE)


def test_from_overdue_list_to_recovery_ledger(
    app_client: TestClient, cast: Cast, db: Database, book: Book
) -> None:
    first, second = book.declarations
    exporter = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    stranger = make_person(db, "other-exports", Role.EXPORTER, "kim@other.example")
    handler = make_person(db, "insurer", Role.CLAIMS_HANDLER, "claims@insurer.example")
    finance = make_person(db, "insurer", Role.FINANCE, "finance@insurer.example")
    banker = make_person(db, "first-bank", Role.BANK, "bank@first.example")

    sign_in(app_client, exporter)
    page = app_client.get("/overdue")
    assert page.status_code == 200, page.text
    assert f'data-testid="notice-form-{first}"' in page.text
    assert f'data-testid="notice-form-{second}"' in page.text
    assert "30,000.00" in page.text

    before = counts(db)
    bad = app_client.post(
        "/overdue/notices", data={"declaration_id": str(first), "cause": "boredom"}
    )
    assert bad.status_code == 422 and "invalid_form" in bad.text
    unclaimed = app_client.post(
        "/overdue/claims", data={"declaration_id": [str(first)], "cause": "insolvency"}
    )
    assert unclaimed.status_code == 422 and "claim_without_notice" in unclaimed.text
    assert counts(db) == before

    done = app_client.post(
        "/overdue/notices", data={"declaration_id": str(first), "cause": "insolvency"}
    )
    assert done.status_code == 200 and 'data-testid="done"' in done.text
    asked = app_client.post(
        "/overdue/extensions",
        data={
            "declaration_id": str(second),
            "new_due_date": (AFTER_DUE + timedelta(days=30)).isoformat(),
        },
    )
    assert asked.status_code == 200, asked.text
    with db.factory() as s:
        notice = s.execute(select(PossibleLossNotice)).scalar_one()
        assert (notice.declaration_id, notice.cause, notice.filed_on) == (
            first,
            "insolvency",
            AFTER_DUE,
        )
        arrangement = s.execute(select(DueDateArrangement)).scalar_one()
        assert (arrangement.declaration_id, arrangement.status) == (second, "requested")
    filed = app_client.post(
        "/overdue/claims", data={"declaration_id": [str(first)], "cause": "insolvency"}
    )
    assert filed.status_code == 200, filed.text
    with db.factory() as s:
        claim = s.execute(select(ClaimRow)).scalar_one()
        assert (claim.state, claim.loss_minor, claim.indemnity_minor) == (
            "filed",
            3_000_000,
            2_700_000,
        )
    claim_id = claim.id

    sign_in(app_client, stranger)
    assert f"notice-form-{second}" not in app_client.get("/overdue").text
    before = counts(db)
    foreign = app_client.post(
        "/overdue/notices", data={"declaration_id": str(second), "cause": "insolvency"}
    )
    assert foreign.status_code == 404
    assert app_client.post(f"/claims/{claim_id}/reject", data={"reason": "no"}).status_code == 403
    assert f'data-testid="claim-{claim_id}"' not in app_client.get("/claims").text
    assert counts(db) == before

    sign_in(app_client, banker)
    assert app_client.get("/claims").status_code == 403
    assert app_client.get("/overdue").status_code == 403
    assert app_client.get("/recoveries").status_code == 403
    assert app_client.get("/claims-speed").status_code == 403
    assert app_client.get("/collections/upload").status_code == 403

    sign_in(app_client, handler)
    everyone = app_client.get("/overdue")  # insurer staff see every exporter's, no forms
    assert everyone.status_code == 200 and f"<td>{second}</td>" in everyone.text
    assert 'data-testid="claim-form"' not in everyone.text
    queue = app_client.get("/claims")
    assert queue.status_code == 200
    assert f'data-testid="checks-{claim_id}"' in queue.text
    assert ">Müller Maschinenbau GmbH</a></td>" in queue.text  # the buyer by name, not its id
    assert "<td>Notice of possible loss filed on time</td><td>Passed</td>" in queue.text
    assert app_client.post(f"/claims/{claim_id}/start-checks").status_code == 200
    accept_documents(db, cast, claim_id)
    assert app_client.post(f"/claims/{claim_id}/approve").status_code == 200
    before = counts(db)
    assert app_client.post(f"/claims/{claim_id}/pay").status_code == 403  # finance pays
    assert counts(db) == before
    speed = app_client.get("/claims-speed?payment_days=10&warn_days=30")
    assert speed.status_code == 200
    assert f"<td>{claim_id}</td><td>Payment</td>" in speed.text

    sign_in(app_client, finance)
    paid = app_client.post(f"/claims/{claim_id}/pay")
    assert paid.status_code == 200 and 'data-testid="done"' in paid.text
    before = counts(db)
    again = app_client.post(f"/claims/{claim_id}/pay")
    assert again.status_code == 409 and "claim_already_paid" in again.text
    assert counts(db) == before

    sign_in(app_client, handler)
    before = counts(db)
    wrong = app_client.post(
        "/recoveries",
        data={
            "claim_id": str(claim_id),
            "source": "buyer",
            "gross": "lots",
            "received_on": AFTER_DUE.isoformat(),
        },
    )
    assert wrong.status_code == 422
    assert counts(db) == before
    booked = app_client.post(
        "/recoveries",
        data={
            "claim_id": str(claim_id),
            "source": "collection_agency",
            "gross": "10000",
            "costs": "1000",
            "received_on": AFTER_DUE.isoformat(),
        },
    )
    assert booked.status_code == 200, booked.text
    with db.factory() as s:
        recovery = s.execute(select(RecoveryRow)).scalar_one()
        assert (recovery.insurer_minor, recovery.insured_minor) == (810_000, 90_000)
    ledger = app_client.get("/recoveries")
    assert ledger.status_code == 200
    assert "8,100.00" in ledger.text and "900.00" in ledger.text

    sign_in(app_client, exporter)
    own = app_client.get("/recoveries")
    assert own.status_code == 200 and "8,100.00" in own.text
    assert 'data-testid="recovery-form"' not in own.text
    assert app_client.post(f"/claims/{claim_id}/approve").status_code == 403

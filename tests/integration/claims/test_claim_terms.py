"""Claim terms are the policy's: its schedule carries them (through the API), the checks,
the approval and the payment read them, and what a policy leaves unset comes from the
installation's settings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.builders.policies import apply, draft, schedule_body
from tests.conftest import Cast, Database, FormClient
from tests.integration.claims.conftest import (
    AFTER_DUE,
    DUE,
    Book,
    counts,
    principal,
    run,
    set_claim_terms,
)
from tests.integration.claims.documents import accept_documents
from tradecover import claims
from tradecover.api.app import create_app
from tradecover.claims.indemnity import LossCause
from tradecover.claims.model import ClaimRow
from tradecover.collections import service as collections
from tradecover.collections.overdue import LossCauseHint
from tradecover.config import Settings
from tradecover.kit.errors import Conflict


def _claim(
    db: Database, cast: Cast, book: Book, *, cause: LossCause, filed: object = AFTER_DUE
) -> int:
    exporter = principal(db, cast.exporter)
    decl = book.declarations[0]
    run(
        db,
        lambda s: collections.file_notice(
            s,
            principal=exporter,
            declaration_id=decl,
            cause=LossCauseHint(cause.value),
            today=AFTER_DUE,
        ),
    )
    row = run(
        db,
        lambda s: claims.file_claim(
            s,
            principal=exporter,
            today=filed,  # type: ignore[arg-type]
            cause=cause,
            lines=[claims.LineIn(declaration_id=decl)],
        ),
    )
    assert isinstance(row, ClaimRow)
    return row.id


def _checks(db: Database, claim_id: int) -> dict[str, tuple[str, bool]]:
    with db.factory() as s:
        row = s.get(ClaimRow, claim_id)
        assert row is not None
        return {c["name"]: (c["outcome"], c["blocking"]) for c in row.checks}


def test_the_schedule_carries_the_claim_terms(
    app_client: TestClient, cast: Cast, book: Book
) -> None:
    policy = app_client.get(
        f"/api/v1/policies/{book.policy_id}", headers=cast.exporter.headers
    ).json()
    assert policy["schedule"]["claim_terms"] == {
        "claim_filing_days": None,
        "waiting_period_days": 0,
        "waiting_on_insolvency": None,
        "second_approval_above": None,
        "late_notice_denies_claim": None,
    }
    terms = {
        "claim_filing_days": 30,
        "waiting_period_days": 60,
        "waiting_on_insolvency": True,
        "second_approval_above": "250000",
        "late_notice_denies_claim": False,
    }
    own = draft(app_client, cast, claim_terms=terms)
    assert own["schedule"]["claim_terms"] == terms


@pytest.mark.parametrize(
    "terms",
    [
        {"waiting_period_days": 731},
        {"claim_filing_days": -1},
        {"second_approval_above": "-5"},
        {"grace_days": 3},
    ],
)
def test_bad_claim_terms_are_refused(
    app_client: TestClient, cast: Cast, db: Database, terms: dict[str, object]
) -> None:
    application = apply(app_client, cast.exporter)
    before = counts(db)
    r = app_client.post(
        f"/api/v1/applications/{application['id']}/underwrite",
        json={"inception": AFTER_DUE.isoformat(), "schedule": schedule_body(claim_terms=terms)},
        headers=cast.underwriter.headers,
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert counts(db) == before


def test_the_policy_s_waiting_period_holds_the_payment(
    db: Database, cast: Cast, book: Book
) -> None:
    set_claim_terms(db, book.policy_id, waiting_period_days=30)
    cid = _claim(db, cast, book, cause=LossCause.PROTRACTED_DEFAULT)
    handler, finance = principal(db, cast.claims_handler), principal(db, cast.finance)
    run(db, lambda s: claims.start_checks(s, principal=handler, claim_id=cid))
    accept_documents(db, cast, cid)
    row = run(db, lambda s: claims.approve(s, principal=handler, claim_id=cid, today=AFTER_DUE))
    assert isinstance(row, ClaimRow)
    assert row.payable_from == DUE + timedelta(days=30)
    before = counts(db)
    with pytest.raises(Conflict) as early:
        run(db, lambda s: claims.pay(s, principal=finance, claim_id=cid, today=AFTER_DUE))
    assert early.value.code == "waiting_period_not_over"
    assert early.value.details == {"earliest_payment_date": (DUE + timedelta(days=30)).isoformat()}
    assert counts(db) == before
    paid = run(
        db, lambda s: claims.pay(s, principal=finance, claim_id=cid, today=DUE + timedelta(days=30))
    )
    assert isinstance(paid, ClaimRow) and paid.state == "paid"


def test_insolvency_waits_only_where_the_policy_says_so(
    db: Database, cast: Cast, book: Book
) -> None:
    set_claim_terms(db, book.policy_id, waiting_period_days=45, waiting_on_insolvency=True)
    cid = _claim(db, cast, book, cause=LossCause.INSOLVENCY)
    handler = principal(db, cast.claims_handler)
    run(db, lambda s: claims.start_checks(s, principal=handler, claim_id=cid))
    accept_documents(db, cast, cid)
    row = run(db, lambda s: claims.approve(s, principal=handler, claim_id=cid, today=AFTER_DUE))
    assert isinstance(row, ClaimRow) and row.payable_from == DUE + timedelta(days=45)


def test_a_claim_filed_after_the_policy_s_deadline(db: Database, cast: Cast, book: Book) -> None:
    set_claim_terms(db, book.policy_id, waiting_period_days=0, claim_filing_days=5)
    late = _claim(db, cast, book, cause=LossCause.INSOLVENCY, filed=AFTER_DUE + timedelta(days=6))
    assert _checks(db, late)["claim_filed_on_time"] == ("failed", True)
    handler = principal(db, cast.claims_handler)
    run(db, lambda s: claims.start_checks(s, principal=handler, claim_id=late))
    accept_documents(db, cast, late)
    before = counts(db)
    with pytest.raises(Conflict) as blocked:
        run(
            db,
            lambda s: claims.approve(
                s, principal=handler, claim_id=late, today=AFTER_DUE + timedelta(days=6)
            ),
        )
    assert blocked.value.code == "blocking_check_failed"
    assert blocked.value.details == {"failed_checks": ["claim_filed_on_time"]}
    assert counts(db) == before


def test_a_lenient_policy_only_warns_on_a_late_claim(db: Database, cast: Cast, book: Book) -> None:
    set_claim_terms(
        db,
        book.policy_id,
        waiting_period_days=0,
        claim_filing_days=5,
        late_notice_denies_claim=False,
    )
    late = _claim(db, cast, book, cause=LossCause.INSOLVENCY, filed=AFTER_DUE + timedelta(days=6))
    assert _checks(db, late)["claim_filed_on_time"] == ("warning", False)
    handler = principal(db, cast.claims_handler)
    run(db, lambda s: claims.start_checks(s, principal=handler, claim_id=late))
    accept_documents(db, cast, late)
    row = run(
        db,
        lambda s: claims.approve(
            s, principal=handler, claim_id=late, today=AFTER_DUE + timedelta(days=6)
        ),
    )
    assert isinstance(row, ClaimRow) and row.state == "approved"


@pytest.fixture
def strict_client(settings: Settings) -> Iterator[TestClient]:
    """An app whose installation defaults: 45 days' wait, two approvers above 20,000."""
    custom = settings.model_copy(
        update={"claim_waiting_period_days": 45, "claim_second_approval_above": 20_000}
    )
    app = create_app(custom)
    with FormClient(app, raise_server_exceptions=False) as client:  # forms send their token
        yield client
    app.state.engine.dispose()  # the next test's reset replaces the database file


def test_unset_terms_come_from_the_settings(
    strict_client: TestClient, db: Database, cast: Cast, book: Book
) -> None:
    set_claim_terms(db, book.policy_id)  # the policy sets none of its own
    cid = _claim(db, cast, book, cause=LossCause.PROTRACTED_DEFAULT)
    h = cast.claims_handler.headers
    assert strict_client.post(f"/api/v1/claims/{cid}/start-checks", headers=h).status_code == 200
    accept_documents(db, cast, cid)
    first = strict_client.post(f"/api/v1/claims/{cid}/approve", headers=h)
    assert first.status_code == 200, first.text
    assert first.json()["state"] == "checking"  # 27,000 is above 20,000: a second approver
    second = strict_client.post(f"/api/v1/claims/{cid}/approve", headers=cast.admin.headers)
    assert second.status_code == 200, second.text
    assert second.json()["state"] == "approved"
    # decided on the business day, long before the due date: due + 45 days
    assert second.json()["payable_from"] == (DUE + timedelta(days=45)).isoformat()

"""Closing a claim: a paid one is settled, a rejected one closed as rejected, an undecided
one withdrawn by its exporter (with a reason); an approved one must be paid first.  Through
the API, the CLI and the handler's page; every refusal writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import Cast, Database, make_user_actor
from tests.integration.claims.conftest import (
    AFTER_DUE,
    TODAY,
    Book,
    counts,
    principal,
    run,
    usd,
)
from tests.integration.claims.documents import accept_documents
from tradecover import claims
from tradecover.access.roles import Role
from tradecover.claims.indemnity import LossCause
from tradecover.claims.model import ClaimRow
from tradecover.claims.recovery import RecoverySource
from tradecover.cli.main import app
from tradecover.collections import service as collections
from tradecover.collections.overdue import LossCauseHint
from tradecover.config import get_settings
from tradecover.db.engine import transaction
from tradecover.kit.errors import Conflict, PermissionDenied


def _claim(
    db: Database, cast: Cast, book: Book, *, declaration: int | None = None, notice: bool = True
) -> int:
    exporter = principal(db, cast.exporter)
    decl = declaration or book.declarations[0]
    if notice:
        run(
            db,
            lambda s: collections.file_notice(
                s,
                principal=exporter,
                declaration_id=decl,
                cause=LossCauseHint.INSOLVENCY,
                today=AFTER_DUE,
            ),
        )
    row = run(
        db,
        lambda s: claims.file_claim(
            s,
            principal=exporter,
            today=AFTER_DUE,
            cause=LossCause.INSOLVENCY,
            lines=[claims.LineIn(declaration_id=decl)],
        ),
    )
    assert isinstance(row, ClaimRow)
    return row.id


def _row(db: Database, claim_id: int) -> ClaimRow:
    with db.factory() as s:
        row = s.get(ClaimRow, claim_id)
        assert row is not None
        s.expunge(row)
        return row


def test_a_paid_claim_is_settled_and_still_takes_recoveries(
    app_client: TestClient, db: Database, cast: Cast, book: Book
) -> None:
    cid = _claim(db, cast, book)
    handler, finance = principal(db, cast.claims_handler), principal(db, cast.finance)
    run(db, lambda s: claims.start_checks(s, principal=handler, claim_id=cid))
    accept_documents(db, cast, cid)
    run(db, lambda s: claims.approve(s, principal=handler, claim_id=cid, today=AFTER_DUE))
    # an approved claim's indemnity is booked as payable: it cannot be closed unpaid
    before = counts(db)
    r = app_client.post(
        f"/api/v1/claims/{cid}/close", headers=cast.claims_handler.headers, json={"reason": "done"}
    )
    assert (r.status_code, r.json()["code"]) == (409, "illegal_transition")
    assert counts(db) == before
    run(db, lambda s: claims.pay(s, principal=finance, claim_id=cid, today=AFTER_DUE))
    # the exporter cannot close a paid claim; the handler settles it
    r = app_client.post(f"/api/v1/claims/{cid}/close", headers=cast.exporter.headers, json={})
    assert r.status_code == 403
    r = app_client.post(f"/api/v1/claims/{cid}/close", headers=cast.claims_handler.headers, json={})
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["closure"], r.json()["closed_on"]) == (
        "closed",
        "settled",
        TODAY.isoformat(),
    )  # the API closes on the business day
    before = counts(db)
    again = app_client.post(
        f"/api/v1/claims/{cid}/close", headers=cast.claims_handler.headers, json={}
    )
    assert (again.status_code, again.json()["code"]) == (409, "claim_already_closed")
    assert counts(db) == before
    recovery = run(
        db,
        lambda s: claims.record_recovery(
            s,
            principal=handler,
            claim_id=cid,
            source=RecoverySource.ESTATE,
            gross=usd(1_000),
            costs=usd(0),
            received_on=AFTER_DUE,
        ),
    )
    assert recovery is not None


def test_a_withdrawn_claim_frees_its_shipment_and_is_never_paid(
    app_client: TestClient, db: Database, cast: Cast, book: Book
) -> None:
    cid = _claim(db, cast, book)
    h = cast.exporter.headers
    before = counts(db)
    r = app_client.post(f"/api/v1/claims/{cid}/close", headers=h, json={"reason": "  "})
    assert (r.status_code, r.json()["code"]) == (422, "reason_required")
    assert (
        app_client.post(
            f"/api/v1/claims/{cid}/close",
            headers=cast.other_exporter.headers,
            json={"reason": "mine now"},
        ).status_code
        == 404
    )
    assert counts(db) == before
    r = app_client.post(
        f"/api/v1/claims/{cid}/close", headers=h, json={"reason": "the buyer promised to pay"}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["closure"], r.json()["close_reason"]) == (
        "closed",
        "withdrawn",
        "the buyer promised to pay",
    )
    finance, handler = principal(db, cast.finance), principal(db, cast.claims_handler)
    before = counts(db)
    with pytest.raises(Conflict) as paid:
        run(db, lambda s: claims.pay(s, principal=finance, claim_id=cid, today=AFTER_DUE))
    assert paid.value.code == "claim_closed"
    with pytest.raises(Conflict) as recovered:
        run(
            db,
            lambda s: claims.record_recovery(
                s,
                principal=handler,
                claim_id=cid,
                source=RecoverySource.BUYER,
                gross=usd(100),
                costs=usd(0),
                received_on=AFTER_DUE,
            ),
        )
    assert recovered.value.code == "rights_not_transferred"
    assert counts(db) == before
    # the shipment (its notice still open) can be claimed again
    again = _claim(db, cast, book, notice=False)
    assert _row(db, again).state == "filed"


@pytest.fixture
def cli(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_a_rejected_claim_is_closed_from_the_cli(
    cli: CliRunner, db: Database, cast: Cast, book: Book
) -> None:
    cid = _claim(db, cast, book)
    handler = principal(db, cast.claims_handler)
    run(
        db,
        lambda s: claims.reject(
            s,
            principal=handler,
            claim_id=cid,
            reason="the goods were never shipped",
            today=AFTER_DUE,
        ),
    )
    exporter = principal(db, cast.exporter)
    before = counts(db)
    with pytest.raises(PermissionDenied):
        run(
            db,
            lambda s: claims.close(
                s, principal=exporter, claim_id=cid, reason="x", today=AFTER_DUE
            ),
        )
    assert counts(db) == before
    result = cli.invoke(app, ["claims", "close", str(cid), "--today", AFTER_DUE.isoformat()])
    assert result.exit_code == 0, result.output
    assert f"claim {cid} closed (rejected) on {AFTER_DUE.isoformat()}" in result.output
    assert (_row(db, cid).state, _row(db, cid).closure) == ("closed", "rejected")
    result = cli.invoke(app, ["claims", "close", str(cid)])
    assert result.exit_code != 0
    assert "claim_already_closed" in result.output


def test_the_handler_closes_a_claim_on_its_page(
    app_client: TestClient, db: Database, cast: Cast, book: Book
) -> None:
    cid = _claim(db, cast, book)
    with transaction(db.factory) as s:
        person = make_user_actor(
            s,
            org_slug="insurer",
            role=Role.CLAIMS_HANDLER,
            email="hana@insurer.example",
            password="correct horse battery",
        )
    assert (
        app_client.post(
            "/sign-in",
            data={"email": person.email, "password": "correct horse battery"},
            follow_redirects=False,
        ).status_code
        == 303
    )
    queue = app_client.get("/claims")
    assert f'data-testid="close-form-{cid}"' in queue.text
    page = app_client.post(f"/claims/{cid}/close", data={"reason": "exporter withdrew by phone"})
    assert page.status_code == 200
    assert 'data-testid="done"' in page.text
    row = _row(db, cid)
    assert (row.state, row.closure, row.closed_by) == (
        "closed",
        "withdrawn",
        f"user:{person.user_id}",
    )


def test_closed_claims_leave_the_speed_dashboard(
    app_client: TestClient, db: Database, cast: Cast, book: Book
) -> None:
    first, second = book.declarations
    withdrawn = _claim(db, cast, book, declaration=first)
    rejected = _claim(db, cast, book, declaration=second)
    handler, exporter = principal(db, cast.claims_handler), principal(db, cast.exporter)
    h = cast.claims_handler.headers
    # both filed on AFTER_DUE: 2 days before the 60-day decision target
    late = (AFTER_DUE + timedelta(days=58)).isoformat()

    def at_risk() -> list[tuple[int, str]]:
        body = app_client.get(f"/api/v1/claims/speed?today={late}", headers=h).json()
        return [(a["claim_id"], a["stage"]) for a in body["at_risk"]]

    assert at_risk() == [(withdrawn, "decision"), (rejected, "decision")]
    run(
        db,
        lambda s: claims.close(
            s,
            principal=exporter,
            claim_id=withdrawn,
            reason="settled with the buyer",
            today=AFTER_DUE,
        ),
    )
    run(
        db,
        lambda s: claims.reject(
            s, principal=handler, claim_id=rejected, reason="no cover", today=AFTER_DUE
        ),
    )
    run(
        db,
        lambda s: claims.close(
            s, principal=handler, claim_id=rejected, reason=None, today=AFTER_DUE
        ),
    )
    assert at_risk() == []  # nothing to decide, nothing to pay
    speed = app_client.get(f"/api/v1/claims/speed?today={late}", headers=h).json()
    assert sum(m["filed"] for m in speed["months"]) == 1  # the withdrawn one is left out

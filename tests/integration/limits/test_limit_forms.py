"""The credit limit page forms: an underwriter decides from the queue, a second underwriter
gives the second approval, a risk manager reduces or cancels a limit, the exporter
acknowledges the notice; refused input shows a problem on the page and writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.builders.buyers import buyer
from tests.builders.limits import application
from tests.builders.policies import active
from tests.conftest import Cast, Database, FormClient, make_person, sign_in
from tests.integration.limits.helpers import committed, counts
from tradecover.access.roles import Role
from tradecover.api.app import create_app
from tradecover.config import Settings
from tradecover.limits.model import CreditLimitVersion, LimitApplication, LimitNotification


@contextmanager
def _client(settings: Settings, **over: object) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update=over))
    with FormClient(app, raise_server_exceptions=False) as client:  # forms send their token
        yield client
    app.state.engine.dispose()


def _buyer(client: TestClient, cast: Cast, n: int) -> int:
    return int(
        buyer(
            client,
            cast.exporter,
            name=f"Form Buyer {n} Handels GmbH",
            registration_number=f"HRB 9{n:04d}",
            own_reference=f"F-{n}",
        )["buyer"]["id"]
    )


def _app_row(db: Database, app_id: int) -> LimitApplication:
    with db.factory() as s:
        return s.get_one(LimitApplication, app_id)


def test_underwriter_approves_in_full_approves_less_and_refuses_from_the_queue(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    pol = active(app_client, cast)
    full, less, refused = (
        application(
            app_client,
            cast.exporter,
            policy_id=pol["id"],
            buyer_id=_buyer(app_client, cast, n),
            amount="300000",
        )
        for n in (1, 2, 3)
    )
    underwriter = make_person(db, "insurer", Role.UNDERWRITER, "uw@insurer.example")
    sign_in(app_client, underwriter)
    queue = app_client.get("/limits")
    assert f'data-testid="decide-{full["id"]}"' in queue.text
    assert 'name="reason"' in queue.text and "underwriter_judgement" in queue.text

    before = counts(db)
    bad = app_client.post(
        f"/limits/applications/{full['id']}/decision",
        data={"outcome": "approved", "amount": "lots", "reason": "underwriter_judgement"},
    )
    assert bad.status_code == 422
    assert 'data-testid="problem"' in bad.text and "amount" in bad.text
    too_much = app_client.post(
        f"/limits/applications/{full['id']}/decision",
        data={"outcome": "approved", "amount": "900000000", "reason": "underwriter_judgement"},
    )
    assert too_much.status_code == 409 and "exceeds_room" in too_much.text
    no_code = app_client.post(
        f"/limits/applications/{full['id']}/decision",
        data={"outcome": "approved", "amount": "300000"},
    )
    assert no_code.status_code == 422 and "invalid_form" in no_code.text
    assert counts(db) == before
    assert _app_row(db, full["id"]).status == "pending"

    done = app_client.post(
        f"/limits/applications/{full['id']}/decision",
        data={"outcome": "approved", "amount": "300,000", "reason": "underwriter_judgement"},
    )
    assert done.status_code == 200, done.text
    assert 'data-testid="done"' in done.text
    assert f'data-testid="decide-{full["id"]}"' not in done.text  # out of the queue
    row = _app_row(db, full["id"])
    assert (row.status, row.outcome, row.approved_minor) == ("decided", "approved", 30_000_000)
    assert row.maker_actor == f"user:{underwriter.user_id}"

    partly = app_client.post(
        f"/limits/applications/{less['id']}/decision",
        data={"outcome": "partly_approved", "amount": "120000", "reason": "weak_financials"},
    )
    assert partly.status_code == 200, partly.text
    row = _app_row(db, less["id"])
    assert (row.outcome, row.approved_minor, row.reasons) == (
        "partly_approved",
        12_000_000,
        ["weak_financials"],
    )

    refusal = app_client.post(
        f"/limits/applications/{refused['id']}/decision",
        data={"outcome": "not_approved", "amount": "", "reason": "poor_payment_record"},
    )
    assert refusal.status_code == 200, refusal.text
    row = _app_row(db, refused["id"])
    assert (row.status, row.outcome, row.limit_id) == ("decided", "not_approved", None)
    again = app_client.post(
        f"/limits/applications/{refused['id']}/decision",
        data={"outcome": "approved", "amount": "300000", "reason": "underwriter_judgement"},
    )
    assert again.status_code == 409 and "application_not_pending" in again.text
    assert committed(db, buyer_id=full["buyer_id"], country="DE")[0] == 30_000_000

    exporter = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    sign_in(app_client, exporter)
    pending = application(
        app_client,
        cast.exporter,
        policy_id=pol["id"],
        buyer_id=_buyer(app_client, cast, 4),
        amount="300000",
    )
    assert 'data-testid="decide-' not in app_client.get("/limits").text
    before = counts(db)
    own = app_client.post(
        f"/limits/applications/{pending['id']}/decision",
        data={"outcome": "approved", "amount": "300000", "reason": "underwriter_judgement"},
    )
    assert own.status_code == 403 and 'data-testid="problem"' in own.text
    assert counts(db) == before


def test_second_underwriter_gives_the_second_approval_on_the_page(
    settings: Settings, cast: Cast, db: Database
) -> None:
    with _client(settings, limit_four_eyes_above=100_000) as client:
        pol = active(client, cast)
        app = application(
            client,
            cast.exporter,
            policy_id=pol["id"],
            buyer_id=_buyer(client, cast, 5),
            amount="300000",
        )
        first = make_person(db, "insurer", Role.UNDERWRITER, "first@insurer.example")
        second = make_person(db, "insurer", Role.UNDERWRITER, "second@insurer.example")
        sign_in(client, first)
        answer = client.post(
            f"/limits/applications/{app['id']}/decision",
            data={"outcome": "approved", "amount": "300000", "reason": "underwriter_judgement"},
        )
        assert answer.status_code == 200, answer.text
        assert f'data-testid="second-{app["id"]}"' in answer.text
        assert _app_row(db, app["id"]).status == "pending_second_approval"
        assert committed(db, buyer_id=app["buyer_id"], country="DE") == (0, 0)

        before = counts(db)
        same = client.post(f"/limits/applications/{app['id']}/second-approval")
        assert same.status_code == 403 and "four_eyes_same_person" in same.text
        assert counts(db) == before

        sign_in(client, second)
        done = client.post(f"/limits/applications/{app['id']}/second-approval")
        assert done.status_code == 200, done.text
        assert 'data-testid="done"' in done.text
        row = _app_row(db, app["id"])
        assert (row.status, row.maker_actor, row.checker_actor) == (
            "decided",
            f"user:{first.user_id}",
            f"user:{second.user_id}",
        )
        assert committed(db, buyer_id=app["buyer_id"], country="DE") == (30_000_000, 30_000_000)


def test_risk_manager_reduces_and_cancels_and_the_exporter_acknowledges(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    pol = active(app_client, cast)
    small = application(
        app_client,
        cast.exporter,
        policy_id=pol["id"],
        buyer_id=_buyer(app_client, cast, 6),
        amount="40000",
    )
    other = application(
        app_client,
        cast.exporter,
        policy_id=pol["id"],
        buyer_id=_buyer(app_client, cast, 7),
        amount="30000",
    )
    limit_id, other_id = small["limit_id"], other["limit_id"]
    risk = make_person(db, "insurer", Role.RISK_MANAGER, "risk@insurer.example")
    sign_in(app_client, risk)
    page = app_client.get(f"/limits/{limit_id}")
    assert 'data-testid="change-form"' in page.text

    before = counts(db)
    higher = app_client.post(
        f"/limits/{limit_id}/change",
        data={"kind": "reduction", "amount": "90000", "reason": "payment record worsened"},
    )
    assert 400 <= higher.status_code < 500 and 'data-testid="problem"' in higher.text
    no_reason = app_client.post(
        f"/limits/{limit_id}/change", data={"kind": "reduction", "amount": "10000", "reason": " "}
    )
    assert no_reason.status_code == 422 and "reason_required" in no_reason.text
    assert counts(db) == before

    cut = app_client.post(
        f"/limits/{limit_id}/change",
        data={"kind": "reduction", "amount": "25000", "reason": "payment record worsened"},
    )
    assert cut.status_code == 200, cut.text
    assert 'data-testid="done"' in cut.text and "25,000.00" in cut.text
    gone = app_client.post(
        f"/limits/{other_id}/change", data={"kind": "cancellation", "reason": "buyer insolvent"}
    )
    assert gone.status_code == 200, gone.text
    assert 'data-testid="change-form"' not in gone.text  # nothing left to change
    with db.factory() as s:
        kinds = [
            (v.kind, v.amount_minor)
            for v in s.execute(
                select(CreditLimitVersion)
                .where(CreditLimitVersion.limit_id == limit_id)
                .order_by(CreditLimitVersion.number)
            ).scalars()
        ]
        notices = list(
            s.execute(select(LimitNotification).order_by(LimitNotification.id)).scalars()
        )
    assert kinds == [("new_limit", 4_000_000), ("reduction", 2_500_000)]
    assert [n.kind for n in notices] == ["reduced", "cancelled"]

    exporter = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    sign_in(app_client, exporter)
    assert 'data-testid="change-form"' not in app_client.get(f"/limits/{limit_id}").text
    refused = app_client.post(
        f"/limits/{limit_id}/change", data={"kind": "cancellation", "reason": "no longer needed"}
    )
    assert refused.status_code == 403
    queue = app_client.get("/limits")
    assert f'data-testid="notice-{notices[0].id}"' in queue.text
    ack = app_client.post(f"/limits/notices/{notices[0].id}/acknowledge")
    assert ack.status_code == 200, ack.text
    assert f'data-testid="notice-{notices[0].id}"' not in ack.text
    twice = app_client.post(f"/limits/notices/{notices[0].id}/acknowledge")
    assert twice.status_code == 409 and "already_acknowledged" in twice.text
    with db.factory() as s:
        row = s.get_one(LimitNotification, notices[0].id)
        assert row.acknowledged_by == f"user:{exporter.user_id}"

    stranger = make_person(db, "other-exports", Role.EXPORTER, "kim@other.example")
    sign_in(app_client, stranger)
    assert app_client.post(f"/limits/notices/{notices[1].id}/acknowledge").status_code == 404

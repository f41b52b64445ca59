"""Credit limits through the API: applications, decisions, four eyes, changes, tracking."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.builders.buyers import buyer
from tests.builders.limits import application
from tests.builders.policies import active
from tests.conftest import Cast, Database
from tests.integration.limits.helpers import committed, counts


def test_small_clean_application_is_approved_automatically(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    pol = active(app_client, cast)
    b = buyer(app_client, cast.exporter)["buyer"]
    app = application(
        app_client, cast.exporter, policy_id=pol["id"], buyer_id=b["id"], amount="40000"
    )
    assert (app["status"], app["outcome"], app["route"]) == ("decided", "approved", "automatic")
    assert app["approved"] == {"amount": "40000.00", "currency": "USD"}
    assert app["proposal"] is None  # the insurer's workings are not the exporter's
    limits = app_client.get("/api/v1/limits", headers=cast.exporter.headers).json()
    assert limits["total"] == 1
    assert limits["items"][0]["amount"] == {"amount": "40000.00", "currency": "USD"}
    assert committed(db, buyer_id=b["id"], country="DE") == (4_000_000, 4_000_000)
    versions = app_client.get(
        f"/api/v1/limits/{limits['items'][0]['id']}/versions", headers=cast.exporter.headers
    ).json()
    assert [(v["number"], v["kind"], v["amount"]["amount"]) for v in versions] == [
        (1, "new_limit", "40000.00")
    ]
    assert (
        app_client.get(
            f"/api/v1/limits/{limits['items'][0]['id']}", headers=cast.other_exporter.headers
        ).status_code
        == 404
    )
    assert counts(db)["credit_limits"] == 1


def _settings_client(settings: object, **over: object) -> TestClient:
    from tradecover.api.app import create_app
    from tradecover.config import Settings

    assert isinstance(settings, Settings)
    return TestClient(create_app(settings.model_copy(update=over)), raise_server_exceptions=False)


def test_underwriter_decides_and_four_eyes_needs_another_person(
    settings: object, cast: Cast, db: Database
) -> None:
    with _settings_client(settings, limit_four_eyes_above=100_000) as client:
        pol = active(client, cast)
        b = buyer(client, cast.exporter)["buyer"]
        app = application(
            client, cast.exporter, policy_id=pol["id"], buyer_id=b["id"], amount="300000"
        )
        assert (app["status"], app["route"]) == ("pending", "underwriter")
        queue = client.get(
            "/api/v1/limit-applications?status=pending", headers=cast.underwriter.headers
        ).json()
        assert [a["id"] for a in queue["items"]] == [app["id"]]
        assert queue["items"][0]["proposal"]["reasons"] == ["amount_above_auto_threshold"]
        url = f"/api/v1/limit-applications/{app['id']}"
        first = client.post(
            f"{url}/decision",
            headers=cast.underwriter.headers,
            json={
                "outcome": "partly_approved",
                "amount": "250000",
                "reasons": ["underwriter_judgement"],
            },
        )
        assert first.status_code == 200, first.text
        assert first.json()["status"] == "pending_second_approval"
        assert committed(db, buyer_id=b["id"], country="DE") == (0, 0)
        before = counts(db)
        again = client.post(f"{url}/second-approval", headers=cast.underwriter.headers)
        assert again.status_code == 403
        assert again.json()["code"] == "four_eyes_same_person"
        assert counts(db) == before
        own = client.post(
            f"{url}/decision",
            headers=cast.exporter.headers,
            json={"outcome": "approved", "amount": "300000"},
        )
        assert own.status_code == 403
        assert counts(db) == before
        second = client.post(f"{url}/second-approval", headers=cast.admin.headers)
        assert second.status_code == 200, second.text
        done = second.json()
        assert (done["status"], done["outcome"]) == ("decided", "partly_approved")
        assert done["approved"] == {"amount": "250000.00", "currency": "USD"}
        assert committed(db, buyer_id=b["id"], country="DE") == (25_000_000, 25_000_000)
    client.app.state.engine.dispose()  # type: ignore[attr-defined]


def test_bad_input_gets_a_problem_and_writes_nothing(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    pol = active(app_client, cast)
    b = buyer(app_client, cast.exporter)["buyer"]
    application(app_client, cast.exporter, policy_id=pol["id"], buyer_id=b["id"], amount="40000")
    before = counts(db)
    cases = [
        ({"amount": "0", "request_type": "increase"}, 422, "amount_not_positive"),
        ({"amount": "-5", "request_type": "increase"}, 422, "amount_not_positive"),
        (
            {"amount": "1000", "currency": "EUR", "request_type": "increase"},
            422,
            "currency_not_allowed",
        ),
        ({"amount": "30000", "request_type": "increase"}, 422, "increase_below_current"),
        ({"amount": "40000", "request_type": "increase"}, 422, "increase_not_above_current"),
        ({"amount": "50000"}, 409, "limit_already_exists"),
    ]
    for over, status, code in cases:
        answer = application(
            app_client, cast.exporter, policy_id=pol["id"], buyer_id=b["id"], expect=status, **over
        )
        assert answer["code"] == code, (over, answer)
        assert answer["type"] and answer["detail"]
    below = application(
        app_client,
        cast.exporter,
        policy_id=pol["id"],
        buyer_id=b["id"],
        expect=422,
        amount="30000",
        request_type="increase",
    )
    assert "that is a reduction request" in below["detail"]
    # a buyer in an off-cover country
    r = app_client.put(
        "/api/v1/countries/DE",
        headers=cast.risk_manager.headers,
        json={"cover_status": "off_cover", "effective_from": "2026-01-01", "reason": "war"},
    )
    assert r.status_code == 200, r.text
    before = counts(db)
    other = buyer(
        app_client, cast.exporter, name="Schmidt Handel AG", registration_number="HRB 99999"
    )["buyer"]
    after_register = counts(db)
    off = application(
        app_client,
        cast.exporter,
        policy_id=pol["id"],
        buyer_id=other["id"],
        amount="10000",
        expect=409,
    )
    assert off["code"] == "country_off_cover"
    assert counts(db) == after_register
    assert after_register["credit_limits"] == before["credit_limits"]
    # another exporter's buyer answers like a missing one
    foreign = application(
        app_client,
        cast.other_exporter,
        policy_id=pol["id"],
        buyer_id=b["id"],
        amount="10000",
        expect=404,
    )
    assert foreign["code"] == "policy_not_found"

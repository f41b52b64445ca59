"""The payment-experience pool [domain CS-12]: contributions enter only under a pool
consent; a buyer's pooled figures show, no exporter named, from three contributors and
feed its rating; revoking the consent takes the exporter's rows out (both databases)."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.builders.buyers import add_buyer
from tests.conftest import Actor, Cast, Database, make_key_actor, make_org
from tradecover import consents
from tradecover.access import Role
from tradecover.buyers.model import Buyer
from tradecover.buyers.rating_records import rating_of
from tradecover.consents.model import PaymentExperience
from tradecover.db.engine import transaction
from tradecover.kit.dates import utc_now

POOL = "/api/v1/data-sharing/pool"


def _pool_consent(client: TestClient, cast: Cast, grantor: Actor) -> int:
    asked = client.post(
        "/api/v1/consents",
        json={
            "grantor_org_id": grantor.org_id,
            "scopes": ["payment_experience"],
            "purposes": ["portfolio_monitoring"],
            "expires_at": (utc_now() + timedelta(days=30)).isoformat(),
        },
        headers=cast.bank.headers,
    )
    assert asked.status_code == 201, asked.text
    consent_id = int(asked.json()["id"])
    done = client.post(f"/api/v1/consents/{consent_id}/authorise", headers=grantor.headers)
    assert done.status_code == 200, done.text
    return consent_id


def _rows(db: Database) -> int:
    with db.factory() as s:
        return int(s.execute(select(func.count()).select_from(PaymentExperience)).scalar_one())


def _contribute(db: Database, exporter: Actor, buyer_id: int, notices: int) -> int:
    with transaction(db.factory) as s:
        return consents.contribute(
            s,
            exporter_org_id=exporter.org_id,
            records=[consents.BuyerExperience(buyer_id, notices, 45 * notices, 0)],
            actor=f"test:{exporter.org_slug}",
        )


def _overdue_points(db: Database, buyer_id: int) -> str:
    with db.factory() as s:
        buyer = s.get(Buyer, buyer_id)
        assert buyer is not None
        rating = rating_of(s, buyer)
    return next(c.value for c in rating.contributions if c.factor == "overdue_reports")


def test_the_pool_is_shown_from_three_contributors_and_left_on_revocation(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    with transaction(db.factory) as s:
        make_org(s, slug="third-exports")
        third = make_key_actor(s, org_slug="third-exports", role=Role.EXPORTER)
        buyer_id = add_buyer(s, org_id=cast.exporter.org_id)
    exporters = [cast.exporter, cast.other_exporter, third]
    assert _contribute(db, cast.exporter, buyer_id, 2) == 0  # no consent: nothing enters
    refused = app_client.post(f"{POOL}/contribute", headers=cast.exporter.headers)
    assert refused.status_code == 409 and refused.json()["code"] == "pool_consent_missing"
    assert _rows(db) == 0

    consent_ids = [_pool_consent(app_client, cast, e) for e in exporters]
    before = _overdue_points(db, buyer_id)
    for exporter, notices in zip(exporters[:2], (2, 0), strict=True):
        assert _contribute(db, exporter, buyer_id, notices) == 1
    hidden = app_client.get(f"{POOL}/buyers/{buyer_id}", headers=cast.bank.headers).json()
    assert hidden == {
        "buyer_id": buyer_id,
        "shown": False,
        "min_contributors": 3,
        "contributors": None,
        "overdue_notices": None,
        "max_days_late": None,
        "claims": None,
    }
    assert _overdue_points(db, buyer_id) == before

    assert _contribute(db, third, buyer_id, 1) == 1
    shown = app_client.get(f"{POOL}/buyers/{buyer_id}", headers=cast.underwriter.headers)
    assert shown.json()["shown"] is True
    assert (shown.json()["contributors"], shown.json()["overdue_notices"]) == (3, 3)
    assert str(cast.exporter.org_id) not in str(sorted(shown.json()))
    assert _overdue_points(db, buyer_id) != before  # two contributors reported: the rating reads it
    mine = app_client.get(POOL, headers=cast.exporter.headers).json()
    assert mine["contributing"] is True
    assert mine["contributions"] == [
        {"buyer_id": buyer_id, "overdue_notices": 2, "max_days_late": 90, "claims": 0}
    ]
    assert (
        app_client.get(f"{POOL}/buyers/{buyer_id}", headers=cast.exporter.headers).status_code
        == 403
    )

    revoked = app_client.post(
        f"/api/v1/consents/{consent_ids[0]}/revoke", headers=cast.exporter.headers
    )
    assert revoked.status_code == 200, revoked.text
    assert _rows(db) == 2
    again = app_client.get(f"{POOL}/buyers/{buyer_id}", headers=cast.bank.headers).json()
    assert again["shown"] is False
    assert app_client.get(POOL, headers=cast.exporter.headers).json() == {
        "contributing": False,
        "consent_ids": [],
        "contributions": [],
    }


def test_the_exporter_stops_and_others_cannot(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    with transaction(db.factory) as s:
        buyer_id = add_buyer(s, org_id=cast.exporter.org_id)
    _pool_consent(app_client, cast, cast.exporter)
    assert _contribute(db, cast.exporter, buyer_id, 1) == 1
    for actor in (cast.underwriter, cast.bank):
        answer = app_client.post(f"{POOL}/stop", headers=actor.headers)
        assert answer.status_code == 403, answer.text
    assert _rows(db) == 1
    stopped = app_client.post(f"{POOL}/stop", headers=cast.exporter.headers)
    assert stopped.status_code == 200 and stopped.json()["contributions"] == []
    assert _rows(db) == 0
    empty = app_client.post(f"{POOL}/contribute", headers=cast.exporter.headers)
    assert empty.status_code == 200 and empty.json()["contributions"] == []

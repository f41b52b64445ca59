"""The homes of a co-insurer and a subsidy programme through HTTP: each lands on what it
does here (a follower's share of the book and its statement, a programme's subsidies owed
and budget used), with a chart and its table, in the reader's language, and no link on it
leads to a refusal [domain CO-14].
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from tests.builders.policies import make_policy
from tests.conftest import BACKENDS, Actor, Cast, Database, make_org, make_user_actor
from tests.integration.billing.helpers import add_programme
from tradecover import access
from tradecover.access import OrganisationKind, Role
from tradecover.coinsurance.model import CoinsuranceParticipation
from tradecover.db.engine import transaction
from tradecover.kit.money import Money
from tradecover.subsidies.programme import Programme

PASSWORD = "correct horse battery"
_HREF = re.compile(r'href="(/[^"#?]*)"')


def _sign_in(client: TestClient, actor: Actor) -> None:
    answer = client.post(
        "/sign-in", data={"email": actor.email, "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text


def _follower(db: Database, cast: Cast) -> tuple[Actor, str]:
    """A co-insurer with 25 % of a policy of the exporter, and one of its people."""
    with transaction(db.factory) as s:
        org = make_org(s, slug="co-pacific", kind=OrganisationKind.COINSURER, region=None)
        policy = make_policy(s, exporter_org_id=cast.exporter.org_id)
        policy.number = "TC-CO-0001"
        lead = access.insurer(s).id
        day = date(2020, 1, 1)
        s.add_all(
            CoinsuranceParticipation(
                policy_id=policy.id,
                org_id=org_id,
                role=role,
                share=Decimal(share),
                effective_from=day,
            )
            for org_id, role, share in ((lead, "lead", "75"), (org, "follower", "25"))
        )
        person = make_user_actor(
            s, org_slug="co-pacific", role=Role.COINSURER, email="lee@co-pacific.example"
        )
    return person, "TC-CO-0001"


def _programme(db: Database) -> Actor:
    """A programme with a budget of 1,000,000 CNY, and one of its people."""
    with transaction(db.factory) as s:
        add_programme(
            s,
            Programme(
                code="ZJ",
                name="Zhejiang export subsidy",
                sponsor="Zhejiang",
                currency="CNY",
                share=Decimal("0.5"),
                budget=Money.of(1_000_000, "CNY"),
            ),
            slug="zj-fund",
        )
        return make_user_actor(
            s, org_slug="zj-fund", role=Role.PROGRAMME, email="huang@zj-fund.example"
        )


def test_the_followers_home_shows_its_share_of_the_book(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    person, number = _follower(db, cast)
    _sign_in(app_client, person)
    page = app_client.get("/")
    assert page.status_code == 200, page.text
    assert "Your share of the book" in page.text
    assert 'data-testid="follower-book"' in page.text and number in page.text
    assert "25%" in page.text and "Follower" in page.text
    assert "No claim waits for your approval." in page.text
    app_client.post("/language", data={"locale": "zh_Hans", "next": "/"})
    chinese = app_client.get("/")
    assert "您在承保业务中的份额" in chinese.text and "跟随共保人" in chinese.text
    assert "Your share of the book" not in chinese.text


def test_the_programmes_home_shows_subsidies_owed_and_budget_used(
    app_client: TestClient, db: Database
) -> None:
    _sign_in(app_client, _programme(db))
    page = app_client.get("/")
    assert page.status_code == 200, page.text
    assert "Subsidies owed and budget used" in page.text
    assert 'data-testid="programme-budget"' in page.text
    assert "Zhejiang export subsidy" in page.text
    assert "<svg" in page.text and 'role="img"' in page.text
    assert "No premium notice has asked this programme for a subsidy yet." in page.text
    app_client.post("/language", data={"locale": "ko", "next": "/"})
    korean = app_client.get("/")
    assert "지급할 보조금 및 사용한 예산" in korean.text


@pytest.mark.parametrize("database", [BACKENDS[-1]], indirect=True)  # links follow roles only
@pytest.mark.parametrize("role", [Role.COINSURER, Role.PROGRAMME])
def test_no_link_on_a_partys_home_leads_to_a_refusal(
    app_client: TestClient, db: Database, cast: Cast, role: Role
) -> None:
    person = _follower(db, cast)[0] if role is Role.COINSURER else _programme(db)
    _sign_in(app_client, person)
    page = app_client.get("/")
    assert page.status_code == 200
    links = sorted(set(_HREF.findall(page.text)) - {"/static/style.css", "/static/favicon.svg"})
    assert "/consents" in links
    for link in links:
        answer = app_client.get(link, follow_redirects=False)
        assert answer.status_code in (200, 303), (role, link, answer.status_code)

"""The role homes through HTTP: each role lands on a page that answers its first question,
in the reader's language, and no link on it leads to a refusal.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from tests.builders.buyers import add_buyer
from tests.builders.limits import add_limit
from tests.builders.policies import make_policy
from tests.conftest import BACKENDS, Actor, Cast, Database, make_user_actor
from tradecover.access.roles import Role
from tradecover.db.engine import transaction

PASSWORD = "correct horse battery"
_HREF = re.compile(r'href="(/[^"#?]*)"')


def _sign_in(client: TestClient, actor: Actor) -> None:
    answer = client.post(
        "/sign-in", data={"email": actor.email, "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text


def _person(db: Database, org_slug: str, role: Role, email: str) -> Actor:
    with transaction(db.factory) as s:
        return make_user_actor(s, org_slug=org_slug, role=role, email=email)


@pytest.fixture
def exporter(db: Database, cast: Cast) -> Actor:
    with transaction(db.factory) as s:
        policy = make_policy(s, exporter_org_id=cast.exporter.org_id)
        buyer = add_buyer(s, org_id=cast.exporter.org_id, name="Berlin Machines GmbH")
        add_limit(
            s,
            org_id=cast.exporter.org_id,
            policy_id=policy.id,
            buyer_id=buyer,
            amount=50_000,
            effective_from=date(2026, 1, 1),
        )
        other = make_policy(s, exporter_org_id=cast.other_exporter.org_id)
        hidden = add_buyer(s, org_id=cast.other_exporter.org_id, name="Hidden Traders Ltd")
        add_limit(
            s,
            org_id=cast.other_exporter.org_id,
            policy_id=other.id,
            buyer_id=hidden,
            amount=70_000,
            effective_from=date(2026, 1, 1),
        )
    return _person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")


def test_the_exporters_home_answers_can_i_ship_in_its_language(
    app_client: TestClient, exporter: Actor
) -> None:
    _sign_in(app_client, exporter)
    page = app_client.get("/")
    assert page.status_code == 200
    assert "Can I ship to this buyer?" in page.text
    assert "Berlin Machines GmbH" in page.text and "Germany" in page.text
    assert "$50,000.00" in page.text  # approved and available: nothing outstanding
    assert "Hidden Traders Ltd" not in page.text  # another exporter's buyer
    assert "Nothing to pay" in page.text
    missed = app_client.get("/", params={"q": "no such buyer"})
    assert "Berlin Machines GmbH" not in missed.text
    assert "No limit in force on a buyer matching this search" in missed.text
    app_client.post("/language", data={"locale": "ko", "next": "/"})
    korean = app_client.get("/")
    assert "독일" in korean.text and "Germany" not in korean.text
    assert "Can I ship to this buyer?" not in korean.text


def test_the_underwriters_home_shows_the_queue_by_age(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    _sign_in(app_client, _person(db, "insurer", Role.UNDERWRITER, "uw@insurer.example"))
    page = app_client.get("/")
    assert page.status_code == 200
    assert 'data-testid="queue-by-age"' in page.text
    assert "0 limit applications wait for a decision" in page.text
    assert "<svg" in page.text and 'role="img"' in page.text


@pytest.mark.parametrize("database", [BACKENDS[-1]], indirect=True)  # links follow roles only
@pytest.mark.parametrize(
    ("org_slug", "role"),
    [
        ("insurer", Role.ADMIN),
        ("insurer", Role.RISK_MANAGER),
        ("insurer", Role.CLAIMS_HANDLER),
        ("insurer", Role.FINANCE),
        ("insurer", Role.UNDERWRITER),
        ("acme-exports", Role.EXPORTER),
        ("first-bank", Role.BANK),
    ],
)
def test_no_link_on_a_home_leads_to_a_refusal(
    app_client: TestClient, db: Database, cast: Cast, org_slug: str, role: Role
) -> None:
    _sign_in(app_client, _person(db, org_slug, role, f"{role.value}@{org_slug}.example"))
    page = app_client.get("/")
    assert page.status_code == 200
    links = sorted(set(_HREF.findall(page.text)) - {"/static/style.css", "/static/favicon.svg"})
    assert "/consents" in links
    for link in links:
        answer = app_client.get(link, follow_redirects=False)
        assert answer.status_code in (200, 303), (role, link, answer.status_code)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.RISK_MANAGER, ('data-testid="by-country"', "Germany", "hold 100% of the exposure")),
        (Role.CLAIMS_HANDLER, ("Awaiting a decision: 0", "No claim is about to miss its target.")),
        (Role.FINANCE, ("Nothing unpaid", "No subsidy is owed by a programme.")),
    ],
)
def test_each_insurer_role_has_its_own_home(
    app_client: TestClient,
    db: Database,
    exporter: Actor,
    role: Role,
    expected: tuple[str, ...],
) -> None:
    _sign_in(app_client, _person(db, "insurer", role, f"{role.value}@insurer.example"))
    page = app_client.get("/")
    assert page.status_code == 200
    for text in expected:
        assert text in page.text, text

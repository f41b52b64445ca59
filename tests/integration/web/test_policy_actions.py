"""The policy page's actions [domain P-14]: each role sees the buttons it may use, an
action runs its use case, and a refused one re-renders the page with 4xx, writing nothing.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.builders.policies import active, draft
from tests.conftest import Cast, Database, make_user_actor
from tradecover.access.roles import Role
from tradecover.db.engine import transaction
from tradecover.policies.model import Endorsement, Policy

PASSWORD = "correct horse battery"
BROWSER = {"Accept": "text/html"}


def _person(db: Database, role: Role, org_slug: str, email: str) -> str:
    with transaction(db.factory) as s:
        make_user_actor(s, org_slug=org_slug, role=role, email=email)
    return email


def _sign_in(client: TestClient, email: str) -> None:
    client.cookies.clear()
    answer = client.post(
        "/sign-in", data={"email": email, "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text


def _state(db: Database, policy_id: int) -> str:
    with db.factory() as s:
        policy = s.get(Policy, policy_id)
        assert policy is not None
        return policy.state


def test_underwriter_quotes_and_the_exporter_issues_from_the_page(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    policy = draft(app_client, cast)
    underwriter = _person(db, Role.UNDERWRITER, "insurer", "uw.page@insurer.example")
    _sign_in(app_client, underwriter)
    page = app_client.get(f"/policies/{policy['id']}", headers=BROWSER)
    assert 'data-action="quote"' in page.text and 'data-action="issue"' not in page.text
    done = app_client.post(f"/policies/{policy['id']}/actions/quote", headers=BROWSER)
    assert done.status_code == 200 and 'data-testid="done"' in done.text
    assert _state(db, policy["id"]) == "quoted"
    issued = app_client.post(f"/policies/{policy['id']}/actions/issue", headers=BROWSER)
    assert issued.status_code == 200, issued.text
    assert _state(db, policy["id"]) == "active"


def test_a_refused_action_shows_the_field_and_writes_nothing(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    policy = active(app_client, cast)
    underwriter = _person(db, Role.UNDERWRITER, "insurer", "uw.refused@insurer.example")
    _sign_in(app_client, underwriter)
    count = select(func.count()).select_from(Endorsement)
    with db.factory() as s:
        before = s.execute(count).scalar_one()
    refused = app_client.post(
        f"/policies/{policy['id']}/actions/endorse",
        data={"text": "  ", "effective_date": "not a date"},
        headers=BROWSER,
    )
    assert 400 <= refused.status_code < 500
    assert 'data-testid="problem"' in refused.text and "effective_date" in refused.text
    with db.factory() as s:
        assert s.execute(count).scalar_one() == before
    unknown = app_client.post(f"/policies/{policy['id']}/actions/explode", headers=BROWSER)
    assert unknown.status_code == 422 and "unknown_action" in unknown.text
    suspended = app_client.post(
        f"/policies/{policy['id']}/actions/suspend", data={"reason": ""}, headers=BROWSER
    )
    assert 400 <= suspended.status_code < 500
    assert _state(db, policy["id"]) == "active"


def test_the_exporter_sees_only_its_own_actions(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    policy = active(app_client, cast)
    _sign_in(app_client, _person(db, Role.EXPORTER, "acme-exports", "li.page@acme.example"))
    page = app_client.get(f"/policies/{policy['id']}", headers=BROWSER)
    assert page.status_code == 200
    assert 'data-action="cancel"' in page.text
    for insurer_only in ("suspend", "rescind", "endorse", "quote"):
        assert f'data-action="{insurer_only}"' not in page.text
    forbidden = app_client.post(
        f"/policies/{policy['id']}/actions/rescind", data={"reason": "x"}, headers=BROWSER
    )
    assert forbidden.status_code == 422 and "rescission_by_insured" in forbidden.text
    assert _state(db, policy["id"]) == "active"
    cancelled = app_client.post(
        f"/policies/{policy['id']}/actions/cancel",
        data={"reason": "we stop exporting"},
        headers=BROWSER,
    )
    assert cancelled.status_code == 200, cancelled.text
    assert _state(db, policy["id"]) == "cancelled"

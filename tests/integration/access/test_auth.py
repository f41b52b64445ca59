"""Credentials: API keys, the OAuth2 password flow, revocation and roles."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.conftest import Cast, Database, make_user_actor
from tradecover.access.model import ApiKey, Organisation, User
from tradecover.access.roles import Role
from tradecover.db.engine import transaction


def _count(db: Database, model: type) -> int:
    with transaction(db.factory) as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def test_password_flow_issues_a_token_that_identifies_the_user(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    with transaction(db.factory) as s:
        person = make_user_actor(
            s, org_slug="acme-exports", role=Role.EXPORTER, email="li.wei@acme.example"
        )
    answer = app_client.post(
        "/api/v1/auth/token", data={"username": "LI.WEI@acme.example", "password": person.password}
    )
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    me = app_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me == {
        "actor": f"user:{person.user_id}",
        "organisation": "acme-exports",
        "organisation_kind": "exporter",
        "role": "exporter",
    }


def test_wrong_password_is_refused_with_a_problem(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    with transaction(db.factory) as s:
        make_user_actor(s, org_slug="acme-exports", role=Role.EXPORTER, email="a@b.example")
    answer = app_client.post(
        "/api/v1/auth/token", data={"username": "a@b.example", "password": "not the one"}
    )
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "invalid_credentials"


@pytest.mark.parametrize(
    "header",
    [
        {"X-API-Key": "tc_nothing_here"},
        {"X-API-Key": "garbage"},
        {"Authorization": "Bearer not-a-jwt"},
        {},
    ],
)
def test_bad_credentials_are_401(
    app_client: TestClient, cast: Cast, header: dict[str, str]
) -> None:
    answer = app_client.get("/api/v1/me", headers=header)
    assert answer.status_code == 401
    assert answer.json()["code"] in {"invalid_api_key", "invalid_token", "unauthenticated"}


def test_revoked_key_stops_working_at_once(app_client: TestClient, cast: Cast) -> None:
    assert app_client.get("/api/v1/me", headers=cast.exporter.headers).status_code == 200
    keys = app_client.get(
        f"/api/v1/organisations/{cast.exporter.org_id}/api-keys", headers=cast.admin.headers
    ).json()
    key_id = keys[0]["id"]
    assert "secret" not in keys[0] or keys[0]["secret"] is None
    assert (
        app_client.delete(f"/api/v1/api-keys/{key_id}", headers=cast.admin.headers).status_code
        == 204
    )
    answer = app_client.get("/api/v1/me", headers=cast.exporter.headers)
    assert answer.status_code == 401
    assert answer.json()["code"] == "api_key_revoked"


def test_only_insurer_admins_register_organisations(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    body = {
        "slug": "new-exporter",
        "name": "New Exporter Ltd",
        "kind": "exporter",
        "country": "CN",
        "region": "CN-GD",
    }
    before = _count(db, Organisation)
    for actor in (cast.exporter, cast.underwriter, cast.bank):
        answer = app_client.post("/api/v1/organisations", json=body, headers=actor.headers)
        assert answer.status_code == 403, actor.role
    assert _count(db, Organisation) == before
    created = app_client.post("/api/v1/organisations", json=body, headers=cast.admin.headers)
    assert created.status_code == 201
    assert created.json()["slug"] == "new-exporter"
    again = app_client.post("/api/v1/organisations", json=body, headers=cast.admin.headers)
    assert again.status_code == 409
    assert again.json()["code"] == "organisation_exists"


def test_unknown_country_and_wrong_role_are_refused_and_write_nothing(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    before = _count(db, Organisation)
    answer = app_client.post(
        "/api/v1/organisations",
        headers=cast.admin.headers,
        json={"slug": "nowhere-co", "name": "Nowhere", "kind": "exporter", "country": "XX"},
    )
    assert answer.status_code == 422
    assert (answer.json()["code"], answer.json()["field"]) == ("unknown_country", "country")
    assert _count(db, Organisation) == before
    users = _count(db, User)
    answer = app_client.post(
        f"/api/v1/organisations/{cast.exporter.org_id}/users",
        headers=cast.admin.headers,
        json={
            "email": "x@acme.example",
            "full_name": "X",
            "role": "underwriter",
            "password": "long enough pw",
        },
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "role_not_allowed"
    assert _count(db, User) == users


def test_exporter_sees_only_its_own_organisation(app_client: TestClient, cast: Cast) -> None:
    listing = app_client.get("/api/v1/organisations", headers=cast.exporter.headers).json()
    assert [o["slug"] for o in listing["items"]] == ["acme-exports"]
    foreign = app_client.get(
        f"/api/v1/organisations/{cast.other_exporter.org_id}", headers=cast.exporter.headers
    )
    missing = app_client.get("/api/v1/organisations/999999", headers=cast.exporter.headers)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["detail"].replace(str(cast.other_exporter.org_id), "N") == missing.json()[
        "detail"
    ].replace("999999", "N")


def test_cli_apikey_create_prints_the_key_last(
    db: Database, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tradecover.cli.main import app
    from tradecover.config import get_settings

    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    get_settings.cache_clear()
    keys_before = _count(db, ApiKey)
    result = CliRunner().invoke(
        app, ["apikey", "create", "--org", "insurer", "--role", "underwriter"]
    )
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    assert secret.startswith("tc_")
    refused = CliRunner().invoke(
        app, ["apikey", "create", "--org", "acme-exports", "--role", "underwriter"]
    )
    unknown = CliRunner().invoke(
        app, ["apikey", "create", "--org", "no-such-org", "--role", "exporter"]
    )
    get_settings.cache_clear()
    assert refused.exit_code == 4
    assert unknown.exit_code == 3
    assert _count(db, ApiKey) == keys_before + 1

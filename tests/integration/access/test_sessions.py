"""Server-side sessions: signing out ends the token, people and admins list and revoke."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.conftest import TEST_SECRET, Actor, Cast, Database, make_person, sign_in
from tradecover.access.model import UserSession
from tradecover.access.roles import Role
from tradecover.access.secrets import issue_token
from tradecover.audit.model import AuditEntry
from tradecover.db.engine import transaction


def _bearer(client: TestClient, person: Actor, agent: str = "pytest") -> dict[str, str]:
    answer = client.post(
        "/api/v1/auth/token",
        headers={"User-Agent": agent},
        data={"username": person.email, "password": person.password},
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _revocations(db: Database) -> list[tuple[str, str, str | None]]:
    with transaction(db.factory) as s:
        rows = s.execute(
            select(AuditEntry).where(AuditEntry.action == "session.revoked").order_by(AuditEntry.id)
        ).scalars()
        return [(r.actor, r.entity_id, r.reason) for r in rows]


def _live(db: Database, user_id: int | None) -> list[int]:
    with transaction(db.factory) as s:
        return list(
            s.execute(
                select(UserSession.id)
                .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
                .order_by(UserSession.id)
            ).scalars()
        )


def test_signing_out_through_the_api_ends_the_token_at_once(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    person = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    headers = _bearer(app_client, person)
    other = _bearer(app_client, person)
    assert app_client.get("/api/v1/me", headers=headers).status_code == 200
    assert app_client.post("/api/v1/auth/sign-out", headers=headers).status_code == 204
    answer = app_client.get("/api/v1/me", headers=headers)
    assert (answer.status_code, answer.json()["code"]) == (401, "session_revoked")
    assert app_client.get("/api/v1/me", headers=other).status_code == 200  # the other one lives
    [session_id] = _live(db, person.user_id)
    assert _revocations(db) == [(f"user:{person.user_id}", str(session_id - 1), "signed out")]


def test_signing_out_of_the_dashboard_ends_the_cookie_token(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    person = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    sign_in(app_client, person)
    token = app_client.cookies.get("tc_session")
    assert (
        app_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )
    answer = app_client.post("/sign-out", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/sign-in")
    reused = app_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert (reused.status_code, reused.json()["code"]) == (401, "session_revoked")
    app_client.cookies.set("tc_session", str(token))  # a copied cookie is no way back in
    assert (
        app_client.get("/policies", follow_redirects=False)
        .headers["location"]
        .startswith("/sign-in")
    )
    assert _live(db, person.user_id) == []


def test_a_person_lists_and_ends_their_own_sessions(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    person = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    first = _bearer(app_client, person, agent="laptop")
    second = _bearer(app_client, person, agent="phone")
    listed = app_client.get("/api/v1/me/sessions", headers=second).json()
    assert [(s["user_agent"], s["current"], s["revoked_at"]) for s in listed] == [
        ("phone", True, None),
        ("laptop", False, None),
    ]
    assert listed[0]["client_address"] == "testclient"
    laptop = listed[1]["id"]
    assert app_client.delete(f"/api/v1/sessions/{laptop}", headers=second).status_code == 204
    assert app_client.get("/api/v1/me", headers=first).status_code == 401
    assert [s["id"] for s in app_client.get("/api/v1/me/sessions", headers=second).json()] == [
        listed[0]["id"]
    ]
    everything = app_client.get(
        f"/api/v1/users/{person.user_id}/sessions?include_ended=true", headers=second
    ).json()
    assert [(s["id"], s["revoked_by"]) for s in everything] == [
        (listed[0]["id"], None),
        (laptop, f"user:{person.user_id}"),
    ]


def test_an_admin_revokes_all_sessions_of_a_person(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    person = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    tokens = [_bearer(app_client, person) for _ in range(3)]
    listed = app_client.get(f"/api/v1/users/{person.user_id}/sessions", headers=cast.admin.headers)
    assert listed.status_code == 200
    assert len(listed.json()) == 3
    answer = app_client.delete(
        f"/api/v1/users/{person.user_id}/sessions", headers=cast.admin.headers
    )
    assert (answer.status_code, answer.json()) == (200, {"revoked": 3})
    for headers in tokens:
        assert app_client.get("/api/v1/me", headers=headers).json()["code"] == "session_revoked"
    admin_actor = app_client.get("/api/v1/me", headers=cast.admin.headers).json()["actor"]
    assert [(a, r) for a, _, r in _revocations(db)] == [(admin_actor, "all sessions revoked")] * 3
    again = app_client.delete(
        f"/api/v1/users/{person.user_id}/sessions", headers=cast.admin.headers
    )
    assert again.json() == {"revoked": 0}
    assert len(_revocations(db)) == 3
    assert _bearer(app_client, person)  # signing in again still works


def test_others_cannot_see_or_end_a_persons_sessions(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    person = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    colleague = make_person(db, "acme-exports", Role.EXPORTER, "wang.fang@acme.example")
    headers = _bearer(app_client, person)
    [session_id] = _live(db, person.user_id)
    attempts = [(cast.other_exporter.headers, 404), (_bearer(app_client, colleague), 404)]
    for other, status in attempts:
        assert (
            app_client.delete(f"/api/v1/sessions/{session_id}", headers=other).status_code == status
        )
        assert app_client.delete(
            f"/api/v1/users/{person.user_id}/sessions", headers=other
        ).status_code in {403, 404}
        assert app_client.get(
            f"/api/v1/users/{person.user_id}/sessions", headers=other
        ).status_code in {403, 404}
    assert app_client.get("/api/v1/me", headers=headers).status_code == 200
    assert _live(db, person.user_id) == [session_id]
    assert _revocations(db) == []
    assert (
        app_client.delete("/api/v1/sessions/999999", headers=cast.admin.headers).json()["code"]
        == "session_not_found"
    )
    assert (
        app_client.post("/api/v1/auth/sign-out", headers=cast.exporter.headers).json()["code"]
        == "not_a_session"
    )


def test_a_token_without_a_live_session_is_refused(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    person = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    headers = _bearer(app_client, person)
    [session_id] = _live(db, person.user_id)
    now = datetime.now(UTC)
    old_style = jwt.encode(
        {
            "sub": str(person.user_id),
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(hours=1)).timestamp()),
            "typ": "access",
        },
        TEST_SECRET,
        algorithm="HS256",
    )
    forged_owner = issue_token(
        user_id=cast_user(db, "wang"),
        session_id=session_id,
        key=TEST_SECRET,
        now=now,
        ttl=timedelta(hours=1),
    )
    missing = issue_token(
        user_id=person.user_id or 0,
        session_id=session_id + 100,
        key=TEST_SECRET,
        now=now,
        ttl=timedelta(hours=1),
    )
    for token in (old_style, forged_owner, missing):
        answer = app_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert (answer.status_code, answer.json()["code"]) == (401, "invalid_token")
    with transaction(db.factory) as s:
        row = s.get(UserSession, session_id)
        assert row is not None
        row.expires_at = now - timedelta(seconds=1)
    answer = app_client.get("/api/v1/me", headers=headers)
    assert (answer.status_code, answer.json()["code"]) == (401, "token_expired")


def cast_user(db: Database, name: str) -> int:
    """A second person's id (for a token that names someone else's session)."""
    person = make_person(db, "acme-exports", Role.EXPORTER, f"{name}@acme.example")
    assert person.user_id is not None
    return person.user_id


def test_the_session_row_records_the_sign_in_and_the_audit_log_stays_for_changes(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    person = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    with transaction(db.factory) as s:
        before = s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    _bearer(app_client, person, agent="laptop")
    [session_id] = _live(db, person.user_id)
    with transaction(db.factory) as s:
        row = s.get(UserSession, session_id)
        assert row is not None
        assert (row.user_id, row.client_address, row.user_agent, row.revoked_at) == (
            person.user_id,
            "testclient",
            "laptop",
            None,
        )
        assert row.expires_at - row.created_at == timedelta(minutes=480)
        assert s.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == before


def test_the_cli_lists_and_ends_a_persons_sessions(
    app_client: TestClient, db: Database, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tradecover.cli.main import app
    from tradecover.config import get_settings

    person = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    tokens = [_bearer(app_client, person, agent=f"device-{n}") for n in range(3)]
    first, second, third = _live(db, person.user_id)
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    try:
        listed = CliRunner().invoke(app, ["sessions", "list", "LI.WEI@acme.example"])
        one = CliRunner().invoke(app, ["sessions", "revoke", str(first), "--reason", "lost"])
        rest = CliRunner().invoke(app, ["sessions", "revoke-all", "li.wei@acme.example"])
        unknown = CliRunner().invoke(app, ["sessions", "revoke-all", "nobody@acme.example"])
        missing = CliRunner().invoke(app, ["sessions", "revoke", "999999"])
        everything = CliRunner().invoke(app, ["sessions", "list", "li.wei@acme.example", "--all"])
    finally:
        get_settings.cache_clear()
    assert listed.exit_code == 0, listed.output
    assert [line.split()[1] for line in listed.stdout.splitlines() if "device-" in line] == [
        str(third),
        str(second),
        str(first),
    ]
    assert (one.exit_code, one.stdout.strip()) == (0, f"session {first} ended")
    assert (rest.exit_code, rest.stdout.strip()) == (0, "2 session(s) of li.wei@acme.example ended")
    assert (unknown.exit_code, missing.exit_code) == (3, 3)
    assert everything.stdout.count("system:cli") == 3
    for headers in tokens:
        assert app_client.get("/api/v1/me", headers=headers).status_code == 401
    assert _revocations(db) == [
        ("system:cli", str(first), "lost"),
        ("system:cli", str(second), "all revoked"),
        ("system:cli", str(third), "all revoked"),
    ]

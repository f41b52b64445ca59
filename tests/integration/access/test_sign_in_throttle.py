"""Sign-in throttling through the API, the dashboard and the service, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import Cast, Database, FormClient, make_person
from tradecover.access import sessions
from tradecover.access.model import SignInThrottle, UserSession
from tradecover.access.roles import Role
from tradecover.access.secrets import subject_digest, verify_password
from tradecover.api.app import create_app
from tradecover.audit.model import AuditEntry
from tradecover.config import Settings
from tradecover.db.engine import transaction
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import AuthenticationFailed, TooManyAttempts

TOKEN_URL = "/api/v1/auth/token"
WRONG = "not the password"


def _client(settings: Settings, **changes: object) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update=changes))
    with FormClient(app, raise_server_exceptions=False) as client:
        yield client
    app.state.engine.dispose()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """An app whose accounts lock after 3 failures and addresses after 6, for 60 s first."""
    yield from _client(
        settings,
        sign_in_account_free_failures=3,
        sign_in_address_free_failures=6,
        sign_in_lock_seconds=60,
        sign_in_max_lock_seconds=600,
    )


def _token(client: TestClient, email: str, password: str) -> tuple[int, dict[str, object]]:
    answer = client.post(TOKEN_URL, data={"username": email, "password": password})
    return answer.status_code, {
        **answer.json(),
        **{k.lower(): v for k, v in answer.headers.items() if k.lower() == "retry-after"},
    }


def _lockouts(db: Database) -> list[tuple[int, str, str, dict[str, object]]]:
    with transaction(db.factory) as s:
        rows = s.execute(
            select(AuditEntry).where(AuditEntry.action == "sign_in.locked").order_by(AuditEntry.id)
        ).scalars()
        return [(r.org_id, r.entity_type, r.entity_id, r.after) for r in rows]


def test_wrong_passwords_lock_the_account_and_then_the_right_one_is_refused_too(
    client: TestClient, db: Database, cast: Cast
) -> None:
    person = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    assert person.email is not None
    assert person.password is not None
    for _ in range(2):
        assert _token(client, person.email, WRONG)[0] == 401
    status, body = _token(client, person.email, WRONG)  # the third locks
    assert (status, body["code"]) == (401, "invalid_credentials")
    status, body = _token(client, person.email, person.password)
    assert status == 429
    assert body["code"] == "sign_in_locked"
    assert 59 <= int(str(body["retry-after"])) <= 60
    with transaction(db.factory) as s:
        assert s.execute(select(func.count()).select_from(UserSession)).scalar_one() == 0
        row = s.get(SignInThrottle, ("account", subject_digest("account", person.email)))
        assert row is not None
        assert row.failures == 3
    [(org_id, entity_type, entity_id, after)] = _lockouts(db)
    assert (org_id, entity_type, entity_id) == (person.org_id, "user", str(person.user_id))
    assert after["account"] == person.email
    assert after["failures"] == 3


def test_the_lock_holds_across_processes_sharing_the_database(
    client: TestClient, settings: Settings, db: Database, cast: Cast
) -> None:
    person = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    assert person.email is not None
    assert person.password is not None
    for _ in range(3):
        assert _token(client, person.email, WRONG)[0] == 401
    for other in _client(settings, sign_in_account_free_failures=3):
        assert _token(other, person.email, person.password)[0] == 429


def test_an_unknown_address_is_throttled_and_answered_exactly_like_a_known_one(
    client: TestClient, db: Database, cast: Cast
) -> None:
    person = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    assert person.email is not None
    known = [_token(client, person.email, WRONG) for _ in range(4)]
    unknown = [_token(client, "nobody@acme.example", WRONG) for _ in range(4)]
    assert [(s, b["code"], b["detail"] if s == 401 else "") for s, b in known] == [
        (s, b["code"], b["detail"] if s == 401 else "") for s, b in unknown
    ]
    assert [s for s, _ in unknown] == [401, 401, 401, 429]
    lockouts = _lockouts(db)
    assert [(e, a["scope"], a.get("account")) for _, e, _, a in lockouts] == [
        ("user", "account", person.email),
        ("sign_in_subject", "account", "nobody@acme.example"),
        ("sign_in_subject", "address", None),
    ]  # the 6th failure from the address locks it
    assert lockouts[2][3]["address"] == "testclient"


def test_unknown_accounts_cost_the_same_password_check(
    client: TestClient, db: Database, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    assert person.email is not None
    checked: list[str] = []
    real = verify_password

    def counting(password: str, stored: str) -> bool:
        checked.append(stored)
        return real(password, stored)

    monkeypatch.setattr(sessions, "verify_password", counting)
    assert _token(client, person.email, WRONG)[0] == 401
    assert _token(client, "nobody@acme.example", WRONG)[0] == 401
    assert len(checked) == 2
    assert checked[1] == sessions._DECOY_HASH
    assert checked[0].startswith("scrypt$")
    assert checked[0] != checked[1]


def test_the_client_address_is_locked_across_accounts(
    client: TestClient, db: Database, cast: Cast
) -> None:
    person = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    assert person.email is not None
    assert person.password is not None
    for n in range(6):  # six different accounts, two failures each at most
        assert _token(client, f"guess{n}@acme.example", WRONG)[0] == 401
    status, body = _token(client, person.email, person.password)
    assert (status, body["code"]) == (429, "sign_in_locked")


def test_a_successful_sign_in_forgets_the_account_failures(
    client: TestClient, db: Database, cast: Cast
) -> None:
    person = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    assert person.email is not None
    assert person.password is not None
    for _ in range(2):
        assert _token(client, person.email, WRONG)[0] == 401
    assert _token(client, person.email, person.password)[0] == 200
    for _ in range(2):
        assert _token(client, person.email, WRONG)[0] == 401
    assert _token(client, person.email, person.password)[0] == 200
    with transaction(db.factory) as s:
        assert s.get(SignInThrottle, ("account", subject_digest("account", person.email))) is None
    assert _lockouts(db) == []


def test_the_lock_runs_out_and_the_next_failure_doubles_it(db: Database, cast: Cast) -> None:
    person = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    assert person.email is not None
    assert person.password is not None
    limits = sessions.sign_in_limits(
        Settings(sign_in_account_free_failures=2, sign_in_lock_seconds=30)
    )
    t0 = utc_now()

    def attempt(password: str, at: timedelta) -> sessions.SignInOutcome:
        with transaction(db.factory) as s:
            return sessions.attempt_sign_in(
                s,
                email=person.email or "",
                password=password,
                client_address=None,
                user_agent=None,
                key="k" * 40,
                ttl=timedelta(hours=1),
                limits=limits,
                now=t0 + at,
            )

    assert isinstance(attempt(WRONG, timedelta(0)).refusal, AuthenticationFailed)
    assert isinstance(attempt(WRONG, timedelta(seconds=1)).refusal, AuthenticationFailed)
    locked = attempt(person.password, timedelta(seconds=30)).refusal
    assert isinstance(locked, TooManyAttempts)
    assert locked.retry_after == 1
    assert isinstance(attempt(WRONG, timedelta(seconds=31)).refusal, AuthenticationFailed)
    again = attempt(person.password, timedelta(seconds=32)).refusal
    assert isinstance(again, TooManyAttempts)
    assert again.retry_after == 59  # the second lock is 60 s from the failure at 31 s
    assert attempt(person.password, timedelta(seconds=91)).refusal is None
    assert len(_lockouts(db)) == 2


def test_the_dashboard_sign_in_is_throttled_too(
    client: TestClient, db: Database, cast: Cast
) -> None:
    person = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    for _ in range(3):
        answer = client.post("/sign-in", data={"email": person.email, "password": WRONG})
        assert answer.status_code == 400
        assert "Wrong e-mail or password." in answer.text
    answer = client.post(
        "/sign-in",
        data={"email": person.email, "password": person.password},
        follow_redirects=False,
    )
    assert answer.status_code == 429
    assert "Too many failed sign-ins. Please try again in a few minutes." in answer.text
    assert 59 <= int(answer.headers["retry-after"]) <= 60
    assert "tc_session" not in answer.cookies

"""Cross-site request forgery: every state-changing page route checks the form token and
the browser's Origin / Sec-Fetch-Site; every POST form of the templates carries the token.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.builders.declarations import body, world
from tests.conftest import Cast, Database, make_person, sign_in
from tests.integration.declarations.helpers import counts
from tradecover.access.model import User
from tradecover.access.roles import Role
from tradecover.audit.model import AuditEntry
from tradecover.db.engine import transaction
from tradecover.web import csrf, i18n, security

FOREIGN = "https://evil.example"
_POST_FORM = re.compile(r"<form\b[^>]*\bmethod=[\"']?post\b[^>]*>(.*?)</form>", re.I | re.S)


def _raw(app_client: TestClient) -> TestClient:
    """A client that sends what it is told, with the browser's cookies, and no token."""
    raw = TestClient(app_client.app, raise_server_exceptions=False)
    for name, value in app_client.cookies.items():
        raw.cookies.set(name, value)
    return raw


def _token(client: TestClient) -> str:
    client.get("/sign-in")  # a page view gives the browser its nonce
    nonce = client.cookies.get(csrf.CSRF_COOKIE)
    assert csrf.is_nonce(nonce)
    assert nonce is not None
    return csrf.form_token(
        nonce=nonce,
        session_cookie=client.cookies.get("tc_session"),
        signing_key=client.app.state.settings.signing_key(),  # type: ignore[attr-defined]
    )


def _flat(routes: list[Any]) -> Iterator[Any]:
    """Every route, those of included routers too (kept nested by this FastAPI)."""
    for route in routes:
        nested = getattr(route, "original_router", None)
        yield from _flat(nested.routes) if nested is not None else [route]


def _page_post_routes(app_client: TestClient) -> list[str]:
    paths = []
    for route in _flat(app_client.app.routes):  # type: ignore[attr-defined]
        if (
            isinstance(route, APIRoute)
            and (route.methods or set()) & security.UNSAFE_METHODS
            and not route.path.startswith(security.API_PREFIXES)
        ):
            paths.append(re.sub(r"\{[^}]+\}", "1", route.path))
    return sorted(set(paths))


def _audit_count(db: Database) -> int:
    with transaction(db.factory) as s:
        return int(s.execute(select(func.count()).select_from(AuditEntry)).scalar_one())


def test_every_post_form_of_the_templates_renders_the_token() -> None:
    forms = 0
    for template in sorted(Path(i18n.TEMPLATE_DIR).rglob("*.html")):
        for form in _POST_FORM.finditer(template.read_text(encoding="utf-8")):
            forms += 1
            assert "csrf_field()" in form.group(0), f"{template.name}: {form.group(0)[:120]}"
    assert forms >= 25


def test_every_state_changing_page_route_refuses_a_request_without_the_token(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    admin = make_person(db, "insurer", Role.ADMIN, "admin@insurer.example")
    sign_in(app_client, admin)
    raw = _raw(app_client)
    routes = _page_post_routes(app_client)
    assert len(routes) >= 29
    assert {"/declarations", "/language", "/sign-in", "/sign-out", "/declarations/upload"} <= set(
        routes
    )
    before = _audit_count(db)
    for path in routes:
        answer = raw.post(path, data={"locale": "ko", "reason": "x", "email": "a@b.c"})
        assert answer.status_code == 403, path
        assert answer.headers["content-type"] == "application/problem+json", path
        assert answer.json()["code"] == "csrf_failed", path
        wrong = raw.post(path, data={csrf.CSRF_FIELD: "0" * 64})
        assert wrong.status_code == 403, path
        html = raw.post(path, headers={"Accept": "text/html"}, files={"file": ("a.csv", b"x")})
        assert html.status_code == 403, path
        assert 'data-testid="csrf-refused"' in html.text, path
    assert _audit_count(db) == before
    assert app_client.get("/policies").status_code == 200  # still signed in: nothing ended


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": FOREIGN},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "http://testserver.evil.example"},
    ],
)
def test_a_foreign_origin_is_refused_even_with_a_valid_token(
    app_client: TestClient, db: Database, cast: Cast, headers: dict[str, str]
) -> None:
    person = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    sign_in(app_client, person)
    raw = _raw(app_client)
    token = _token(raw)
    answer = raw.post(
        "/language", headers=headers, data={"locale": "ko", "next": "/", csrf.CSRF_FIELD: token}
    )
    assert (answer.status_code, answer.json()["code"]) == (403, "csrf_failed")
    with transaction(db.factory) as s:
        assert s.get(User, person.user_id).locale == "en"  # type: ignore[union-attr]
    same = raw.post(
        "/language",
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
        data={"locale": "ko", "next": "/", csrf.CSRF_FIELD: token},
        follow_redirects=False,
    )
    assert same.status_code == 303
    with transaction(db.factory) as s:
        assert s.get(User, person.user_id).locale == "ko"  # type: ignore[union-attr]


def test_a_cross_site_declaration_is_refused_and_writes_nothing(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    w = world(app_client, cast, db)
    person = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    sign_in(app_client, person)
    raw = _raw(app_client)
    form = {k: str(v) for k, v in body(w, invoice_number="CSRF-1").items()}
    before = counts(db)
    answer = raw.post(
        "/declarations", headers={"Origin": FOREIGN, "Accept": "text/html"}, data=form
    )
    assert answer.status_code == 403
    assert "This form was not accepted" in answer.text
    assert counts(db) == before
    made = raw.post("/declarations", data={**form, csrf.CSRF_FIELD: _token(raw)})
    assert made.status_code == 200, made.text
    assert counts(db)["declarations"] == before["declarations"] + 1


def test_a_token_is_bound_to_its_session(app_client: TestClient, db: Database, cast: Cast) -> None:
    first = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    second = make_person(db, "acme-exports", Role.EXPORTER, "wang.fang@acme.example")
    sign_in(app_client, first)
    raw = _raw(app_client)
    stale = _token(raw)
    nonce = raw.cookies.get(csrf.CSRF_COOKIE)
    sign_in(app_client, second)
    raw = _raw(app_client)
    raw.cookies.set(csrf.CSRF_COOKIE, str(nonce))
    answer = raw.post("/language", data={"locale": "ko", csrf.CSRF_FIELD: stale})
    assert answer.status_code == 403
    with transaction(db.factory) as s:
        assert s.get(User, second.user_id).locale == "en"  # type: ignore[union-attr]


def test_a_browser_without_a_nonce_gets_one_and_its_forms_carry_the_token(
    app_client: TestClient,
) -> None:
    raw = TestClient(app_client.app, raise_server_exceptions=False)
    page = raw.get("/sign-in")
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"{csrf.CSRF_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    rendered = re.findall(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert len(rendered) == 2  # the language switch and the sign-in form
    assert set(rendered) == {_token(raw)}
    assert "set-cookie" not in raw.get("/sign-in").headers  # kept, not renewed

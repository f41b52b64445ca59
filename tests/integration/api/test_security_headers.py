"""Security headers on every response, HSTS and Secure cookies by the ``behind_tls`` setting."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Cast, Database, FormClient, make_person
from tradecover.access.roles import Role
from tradecover.api.app import create_app
from tradecover.api.headers import API_CSP, PAGE_CSP
from tradecover.config import Settings


@pytest.fixture
def tls_client(settings: Settings) -> Iterator[TestClient]:
    """An app that is told it is served behind TLS (plain HTTP inside, as behind a proxy)."""
    app = create_app(settings.model_copy(update={"behind_tls": True}))
    with FormClient(app, raise_server_exceptions=False) as client:
        yield client
    app.state.engine.dispose()


def _responses(client: TestClient, cast: Cast) -> dict[str, Any]:
    return {
        "api": client.get("/api/v1/me", headers=cast.exporter.headers),
        "api_401": client.get("/api/v1/me"),
        "api_404": client.get("/api/v1/nothing-here"),
        "api_413": client.post(
            "/api/v1/organisations", headers=cast.admin.headers, content=b"x" * (3 * 1024 * 1024)
        ),
        "openapi": client.get("/openapi.json"),
        "health": client.get("/health"),
        "page": client.get("/sign-in"),
        "redirect": client.get("/", follow_redirects=False),
        "static": client.get("/static/style.css"),
        "page_404": client.get("/no-such-page"),
    }


def test_every_response_says_nosniff_and_has_a_policy(app_client: TestClient, cast: Cast) -> None:
    answers = _responses(app_client, cast)
    expected = {
        "api": API_CSP,
        "api_401": API_CSP,
        "api_404": API_CSP,
        "api_413": API_CSP,
        "openapi": API_CSP,
        "health": API_CSP,
        "redirect": PAGE_CSP,
        "static": PAGE_CSP,
        "page_404": PAGE_CSP,
    }
    statuses = {name: a.status_code for name, a in answers.items()}
    assert statuses == {
        "api": 200,
        "api_401": 401,
        "api_404": 404,
        "api_413": 413,
        "openapi": 200,
        "health": 200,
        "page": 200,
        "redirect": 303,
        "static": 200,
        "page_404": 404,
    }
    for name, answer in answers.items():
        headers = answer.headers
        assert headers["x-content-type-options"] == "nosniff", name
        assert headers.get_list("content-security-policy") == [
            expected.get(name, headers["content-security-policy"])
        ], name
        assert "strict-transport-security" not in headers, name
    # the dashboard's pages keep their own policy, one header only
    assert "form-action 'self'" in answers["page"].headers["content-security-policy"]


@pytest.mark.parametrize("path", ["/api/docs", "/docs/oauth2-redirect"])
def test_the_docs_pages_may_run_exactly_their_own_inline_scripts(
    app_client: TestClient, path: str
) -> None:
    docs = app_client.get(path)
    assert docs.status_code == 200
    policy = docs.headers["content-security-policy"]
    assert docs.headers["x-content-type-options"] == "nosniff"
    inline = re.findall(r"<script(?: [^>]*)?>(.*?)</script>", docs.text, re.S)
    inline = [script for script in inline if script.strip()]
    assert inline
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    for asset in re.findall(r'(?:src|href)="(https?://[^"/]+)', docs.text):
        assert f" {asset}" in policy  # the hosts its scripts and styles come from
    assert "'unsafe-eval'" not in policy
    assert "connect-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def test_behind_tls_every_response_asks_for_https_and_cookies_are_secure(
    tls_client: TestClient, db: Database, cast: Cast
) -> None:
    for name, answer in _responses(tls_client, cast).items():
        assert (
            answer.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
        ), name
    tls_client.cookies.clear()
    person = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    answer = tls_client.post(
        "/sign-in",
        data={"email": person.email, "password": person.password},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    cookies = answer.headers.get_list("set-cookie")
    assert [c.split("=")[0] for c in cookies] == ["tc_session", "tc_locale"]
    assert all("; Secure" in c for c in cookies)
    fresh = TestClient(tls_client.app).get("/sign-in")
    assert "; Secure" in fresh.headers["set-cookie"]  # the CSRF nonce too


def test_a_forwarded_proto_does_not_make_the_cookie_secure(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    person = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    answer = app_client.post(
        "/sign-in",
        headers={"X-Forwarded-Proto": "https"},
        data={"email": person.email, "password": person.password},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    session_cookie = next(
        c for c in answer.headers.get_list("set-cookie") if c.startswith("tc_session=")
    )
    assert "Secure" not in session_cookie
    assert "strict-transport-security" not in answer.headers


def test_the_docs_page_loads_nothing_from_another_host(app_client: TestClient) -> None:
    docs = app_client.get("/api/docs")
    assert docs.status_code == 200
    assert re.findall(r'(?:src|href)="(https?://[^"]+)"', docs.text) == []
    assert re.findall(r"https?://", docs.text) == []  # no validator, no CDN
    assert '"validatorUrl": null' in docs.text
    assets = re.findall(r'(?:src|href)="(/api/docs/assets/[^"]+)"', docs.text)
    assert sorted(a.rsplit("/", 1)[1] for a in assets) == [
        "favicon-32x32.png",
        "swagger-ui-bundle.js",
        "swagger-ui.css",
    ]
    for asset in assets:
        answer = app_client.get(asset)
        assert answer.status_code == 200, asset
        assert len(answer.content) > 1000, asset
    assert "https:" not in docs.headers["content-security-policy"]

"""Browsers get an HTML error page in their language; API clients keep problem+json."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Database, make_person, sign_in
from tradecover.access.roles import Role
from tradecover.web import i18n
from tradecover.web.limits import tracking_pages as limit_tracking_pages

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def _html(answer: object) -> str:
    text: str = answer.text  # type: ignore[attr-defined]
    headers = answer.headers  # type: ignore[attr-defined]
    assert headers["content-type"].startswith("text/html"), text
    return text


def test_an_unknown_page_is_the_html_404_in_the_visitors_language(
    app_client: TestClient, db: Database
) -> None:
    korean = app_client.get("/no-such-page", headers={**BROWSER, "Accept-Language": "ko"})
    assert korean.status_code == 404
    html = _html(korean)
    assert '<html lang="ko">' in html and "찾을 수 없음" in html
    assert 'data-testid="error-code">not_found<' in html
    app_client.cookies.set(i18n.LOCALE_COOKIE, "zh_Hant")
    chinese = app_client.get("/no-such-page", headers=BROWSER)
    assert chinese.status_code == 404 and "錯誤代碼" in _html(chinese)


def test_api_clients_and_api_paths_keep_problem_json(app_client: TestClient, db: Database) -> None:
    api = app_client.get("/api/v1/no-such-thing", headers=BROWSER)
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"
    assert api.json()["code"] == "not_found"
    machine = app_client.get("/no-such-page", headers={"Accept": "application/json"})
    assert machine.status_code == 404
    assert machine.headers["content-type"] == "application/problem+json"


def test_invalid_query_and_crashes_show_the_page_in_the_users_language(
    app_client: TestClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = make_person(db, "insurer", Role.UNDERWRITER, "uw@insurer.example")
    sign_in(app_client, person)
    app_client.post(
        "/language",
        data={"locale": "zh_Hans", "next": "/policies"},
        headers=BROWSER,
        follow_redirects=False,
    )
    app_client.cookies.set(i18n.LOCALE_COOKIE, "zh_Hans")
    invalid = app_client.get("/limits/idle?idle_days=1234567890", headers=BROWSER)
    assert invalid.status_code == 422
    html = _html(invalid)
    assert "请求无效" in html and "invalid_request" in html
    assert 'data-testid="organisation"' in html  # the signed-in frame

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a template bug")

    monkeypatch.setattr(limit_tracking_pages, "_idle_page", broken)
    crash = app_client.get("/limits/idle", headers=BROWSER)
    assert crash.status_code == 500
    assert "未做任何更改" in _html(crash) and "internal_error" in crash.text
    as_api = app_client.get("/limits/idle", headers={"Accept": "application/json"})
    assert as_api.status_code == 500 and as_api.json()["code"] == "internal_error"


def test_a_page_that_cannot_render_falls_back_to_english_then_to_plain_html(
    app_client: TestClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = i18n.render

    def korean_broken(code: str, template: str, context: dict[str, object]) -> str:
        if code == "ko":
            raise ValueError("unsupported format character")
        return real(code, template, context)

    monkeypatch.setattr(i18n, "render", korean_broken)
    english = app_client.get("/nowhere", headers={**BROWSER, "Accept-Language": "ko"})
    assert english.status_code == 404 and '<html lang="en">' in _html(english)
    assert "Not found" in english.text

    def all_broken(*_args: object, **_kwargs: object) -> str:
        raise ValueError("broken")

    monkeypatch.setattr(i18n, "render", all_broken)
    plain = app_client.get("/nowhere", headers={**BROWSER, "Accept-Language": "ko"})
    assert plain.status_code == 404 and "<h1>404</h1>" in _html(plain)
    assert "not_found" in plain.text


def test_wants_html_reads_the_accept_header_and_the_path() -> None:
    from starlette.requests import Request

    from tradecover.api.problems import wants_html

    def request(path: str, accept: str) -> Request:
        return Request(
            {
                "type": "http",
                "method": "GET",
                "path": path,
                "query_string": b"",
                "headers": [(b"accept", accept.encode())],
            }
        )

    assert wants_html(request("/limits/bulk", BROWSER["Accept"]))
    assert not wants_html(request("/limits/bulk", "application/json"))
    assert not wants_html(request("/api/v1/limits", BROWSER["Accept"]))
    assert not wants_html(request("/openapi.json", BROWSER["Accept"]))

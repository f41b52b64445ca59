"""The dashboard through HTTP: sign-in, scoping, the policy page and the language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.builders.policies import make_policy
from tests.conftest import Actor, Cast, Database, make_user_actor
from tradecover.access.model import User
from tradecover.access.roles import Role
from tradecover.audit.model import AuditEntry
from tradecover.db.engine import transaction

PASSWORD = "correct horse battery"
OWN, SUSPENDED, FOREIGN = "ST-2026-000001", "ST-2025-000002", "ST-2026-000003"


@dataclass(frozen=True)
class Book:
    """People who sign in and the policies they may or may not see."""

    exporter: Actor
    underwriter: Actor
    bank: Actor
    own_id: int
    suspended_id: int
    foreign_id: int


@pytest.fixture
def book(db: Database, cast: Cast) -> Book:
    with transaction(db.factory) as s:
        exporter = make_user_actor(
            s, org_slug="acme-exports", role=Role.EXPORTER, email="li.wei@acme.example"
        )
        underwriter = make_user_actor(
            s, org_slug="insurer", role=Role.UNDERWRITER, email="uw@insurer.example"
        )
        bank = make_user_actor(s, org_slug="first-bank", role=Role.BANK, email="ops@bank.example")
        own = make_policy(
            s,
            exporter_org_id=cast.exporter.org_id,
            endorsement="Buyers in DE covered up to 120 days.",
            with_offer=True,
        )
        suspended = make_policy(
            s, exporter_org_id=cast.exporter.org_id, inception=date(2025, 6, 1), suspend=True
        )
        foreign = make_policy(
            s,
            exporter_org_id=cast.other_exporter.org_id,
            currency="KRW",
            expected_turnover="9000000000",
            maximum_liability="3000000000",
        )
        return Book(exporter, underwriter, bank, own.id, suspended.id, foreign.id)


def sign_in(client: TestClient, actor: Actor) -> None:
    answer = client.post(
        "/sign-in", data={"email": actor.email, "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text


def locale_of(db: Database, user_id: int | None) -> str:
    with transaction(db.factory) as s:
        user = s.get(User, user_id)
        assert user is not None
        return user.locale


def test_root_sends_visitors_to_sign_in_and_people_to_their_home(
    app_client: TestClient, book: Book
) -> None:
    first = app_client.get("/", follow_redirects=False)
    assert (first.status_code, first.headers["location"]) == (303, "/sign-in")
    sign_in(app_client, book.exporter)
    second = app_client.get("/", follow_redirects=False)
    assert second.status_code == 200
    assert "Can I ship to this buyer?" in second.text


def test_sign_in_sets_an_http_only_lax_session_cookie(app_client: TestClient, book: Book) -> None:
    answer = app_client.post(
        "/sign-in",
        data={"email": "LI.WEI@acme.example", "password": PASSWORD, "next": "/policies/1"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/policies/1"
    cookies = answer.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("tc_session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=lax" in session_cookie
    assert "Path=/" in session_cookie
    assert "Max-Age=28800" in session_cookie
    assert any(c.startswith("tc_locale=en;") for c in cookies)
    # the same cookie authenticates the JSON API
    me = app_client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["organisation"] == "acme-exports"


def test_wrong_password_shows_an_error_and_sets_no_cookie(
    app_client: TestClient, book: Book
) -> None:
    answer = app_client.post(
        "/sign-in",
        data={"email": book.exporter.email, "password": "wrong password"},
        follow_redirects=False,
    )
    assert answer.status_code == 400
    assert "Wrong e-mail or password." in answer.text
    assert 'value="li.wei@acme.example"' in answer.text
    assert "set-cookie" not in answer.headers
    assert app_client.cookies.get("tc_session") is None
    assert app_client.get("/policies", follow_redirects=False).status_code == 303


def test_sign_in_never_redirects_off_site(app_client: TestClient, book: Book) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "\\\\evil"):
        answer = app_client.post(
            "/sign-in",
            data={"email": book.exporter.email, "password": PASSWORD, "next": target},
            follow_redirects=False,
        )
        assert answer.headers["location"] == "/"  # home


def test_pages_need_a_session(app_client: TestClient, book: Book) -> None:
    answer = app_client.get("/policies?state=active", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=%2Fpolicies%3Fstate%3Dactive"
    page = app_client.get(f"/policies/{book.own_id}", follow_redirects=False)
    assert page.headers["location"] == f"/sign-in?next=%2Fpolicies%2F{book.own_id}"
    app_client.cookies.set("tc_session", "not-a-token")
    assert app_client.get("/policies", follow_redirects=False).status_code == 303


def test_sign_out_forgets_the_session(app_client: TestClient, book: Book) -> None:
    sign_in(app_client, book.exporter)
    answer = app_client.post("/sign-out", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/sign-in")
    assert app_client.cookies.get("tc_session") is None
    assert app_client.get("/policies", follow_redirects=False).status_code == 303


def _numbers(html: str) -> list[str]:
    return re.findall(r'<a href="/policies/\d+">([^<]+)</a>', html)


def test_an_exporter_sees_only_its_own_policies(app_client: TestClient, book: Book) -> None:
    sign_in(app_client, book.exporter)
    page = app_client.get("/policies")
    assert page.status_code == 200
    assert _numbers(page.text) == [SUSPENDED, OWN]
    assert "2 policies" in page.text
    assert FOREIGN not in page.text
    assert '<th scope="col">Exporter</th>' not in page.text
    assert '<span class="org" data-testid="organisation">Acme Exports</span>' in page.text
    assert '<span class="role">Exporter</span>' in page.text
    assert '<span class="badge state-active">Active</span>' in page.text
    assert "$5,000,000.00" in page.text
    assert "Jan 1, 2026" in page.text
    assert "Dec 31, 2026" in page.text


def test_an_underwriter_sees_every_exporter_with_its_name(
    app_client: TestClient, book: Book
) -> None:
    sign_in(app_client, book.underwriter)
    page = app_client.get("/policies")
    assert page.status_code == 200, page.text[-600:]
    assert _numbers(page.text) == [FOREIGN, SUSPENDED, OWN]
    assert '<th scope="col">Exporter</th>' in page.text
    assert "<td>Other Exports</td>" in page.text
    assert "₩3,000,000,000" in page.text
    other_id = re.search(r'<option value="(\d+)">Other Exports</option>', page.text)
    assert other_id is not None
    only_other = app_client.get("/policies", params={"exporter": other_id.group(1)})
    assert _numbers(only_other.text) == [FOREIGN]


def test_filter_by_state_and_search(app_client: TestClient, book: Book) -> None:
    sign_in(app_client, book.exporter)
    suspended = app_client.get("/policies", params={"state": "suspended"})
    assert _numbers(suspended.text) == [SUSPENDED]
    assert '<option value="suspended" selected>' in suspended.text
    assert '<span class="badge state-suspended">Suspended</span>' in suspended.text
    found = app_client.get("/policies", params={"q": "st-2026-0000"})
    assert _numbers(found.text) == [OWN]
    # searching by another exporter's number finds nothing for this exporter
    assert _numbers(app_client.get("/policies", params={"q": "000003"}).text) == []
    assert "No policies match." in app_client.get("/policies", params={"q": "zz%_"}).text
    # an unknown state is ignored rather than refused
    assert len(_numbers(app_client.get("/policies", params={"state": "bogus"}).text)) == 2


def test_the_list_pages(app_client: TestClient, db: Database, cast: Cast, book: Book) -> None:
    with transaction(db.factory) as s:
        for _ in range(26):
            make_policy(s, exporter_org_id=cast.exporter.org_id, inception=date(2024, 1, 1))
    sign_in(app_client, book.exporter)
    first = app_client.get("/policies")
    assert len(_numbers(first.text)) == 25
    assert "Page 1 of 2" in first.text
    assert 'href="/policies?page=2" rel="next"' in first.text
    second = app_client.get("/policies", params={"page": "2"})
    assert len(_numbers(second.text)) == 3
    assert "28 policies" in second.text


def test_the_policy_page_shows_the_schedule(app_client: TestClient, book: Book) -> None:
    sign_in(app_client, book.exporter)
    page = app_client.get(f"/policies/{book.own_id}")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Policy ST-2026-000001</h1>" in html
    assert '<span class="badge big state-active" id="policy-state">Active</span>' in html
    assert "Destinations: DE, US" in html
    assert "Payment terms: Letter of credit, Open account" in html
    assert "Credit period up to 180 days" in html
    assert "Yes: every export inside the insurable scope must be declared." in html
    assert "Commercial risks: 90% · Political risks: 95%" in html
    assert '<strong id="maximum-liability">$5,000,000.00</strong>' in html
    assert (
        "Usually one third to one half of the expected insurable turnover: "
        "$4,000,000.00 to $6,000,000.00."
    ) in html
    assert "This policy: 41.67%, within that range." in html
    assert "<code>short-term-2026</code> · Base rate: 0.45%" in html
    assert "<dd>Monthly</dd>" in html
    assert "Within 90 days of the due date" in html
    assert "Arbitration (CIETAC, Beijing)" in html
    assert "Buyers in DE covered up to 120 days." in html
    assert '<th scope="row">Declarations on time</th><td class="num">96%</td>' in html
    assert '<th scope="row">Loss ratio</th><td class="num">12.5%</td>' in html
    assert '<th scope="row">Outstanding liability</th><td class="num">$250,000.00</td>' in html
    assert "<td>Policy issued</td>" in html
    assert "<td>Quoted → Active</td>" in html
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_a_foreign_policy_is_not_found_like_a_missing_one(
    app_client: TestClient, book: Book
) -> None:
    sign_in(app_client, book.exporter)
    foreign = app_client.get(f"/policies/{book.foreign_id}")
    missing = app_client.get("/policies/999999")
    garbage = app_client.get("/policies/abc")
    for answer in (foreign, missing, garbage):
        assert answer.status_code == 404
        assert "<h1>Not found</h1>" in answer.text
        assert FOREIGN not in answer.text
    token = re.compile(r'name="csrf_token" value="[0-9a-f]+"')  # the same, digits aside
    assert token.sub("", foreign.text).replace(str(book.foreign_id), "X") == token.sub(
        "", missing.text
    ).replace("999999", "X")


def test_a_role_without_policy_access_gets_the_403_page(app_client: TestClient, book: Book) -> None:
    sign_in(app_client, book.bank)
    answer = app_client.get("/policies")
    assert answer.status_code == 403
    assert "<h1>Not allowed</h1>" in answer.text
    assert app_client.get(f"/policies/{book.own_id}").status_code == 403


def test_choosing_chinese_is_remembered_in_the_cookie_and_the_user_row(
    app_client: TestClient, db: Database, book: Book
) -> None:
    sign_in(app_client, book.exporter)
    answer = app_client.post(
        "/language",
        data={"locale": "zh_Hans", "next": f"/policies/{book.own_id}"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/policies/{book.own_id}"
    assert app_client.cookies.get("tc_locale") == "zh_Hans"
    assert locale_of(db, book.exporter.user_id) == "zh_Hans"
    with transaction(db.factory) as s:
        entry = s.execute(
            select(AuditEntry).where(AuditEntry.action == "user.locale_changed")
        ).scalar_one()
        assert (entry.entity_id, entry.before, entry.after) == (
            str(book.exporter.user_id),
            {"locale": "en"},
            {"locale": "zh_Hans"},
        )
    page = app_client.get(f"/policies/{book.own_id}")
    html = page.text
    assert '<html lang="zh-Hans">' in html
    for words in (
        "保单 ST-2026-000001",
        "保险单明细表",
        "统保",
        "赔偿比例",
        "保单最高赔偿限额",
        "商业风险: 90%",
        "有效",
        "批单",
        "续保方案",
        "可能损失通知书",
        "通常为预计可保出口额的三分之一至二分之一：US$4,000,000.00 至 US$6,000,000.00。",
    ):
        assert words in html, words
    listing = app_client.get("/policies").text
    assert "共 2 份保单" in listing
    assert "2026年1月1日" in listing


def test_the_user_row_wins_over_a_stale_cookie(
    app_client: TestClient, db: Database, book: Book
) -> None:
    sign_in(app_client, book.exporter)
    app_client.post("/language", data={"locale": "ko", "next": "/policies"})
    app_client.cookies.set("tc_locale", "zh_Hant")
    page = app_client.get("/policies")
    assert '<html lang="ko">' in page.text
    assert "보험증권 2건" in page.text
    assert "최고보상한도" in page.text


def test_traditional_chinese_uses_traditional_forms(app_client: TestClient, book: Book) -> None:
    sign_in(app_client, book.underwriter)
    app_client.post("/language", data={"locale": "zh_Hant"})
    html = app_client.get(f"/policies/{book.own_id}").text
    assert '<html lang="zh-Hant">' in html
    assert "保險單明細表" in html
    assert "保單最高賠償限額" in html
    assert "統保" in html


def test_a_visitor_chooses_a_language_before_signing_in(
    app_client: TestClient, db: Database, book: Book
) -> None:
    answer = app_client.post(
        "/language", data={"locale": "ko", "next": "/sign-in"}, follow_redirects=False
    )
    assert answer.headers["location"] == "/sign-in"
    assert app_client.cookies.get("tc_locale") == "ko"
    page = app_client.get("/sign-in")
    assert '<html lang="ko">' in page.text
    assert "<h1>로그인</h1>" in page.text
    assert locale_of(db, book.exporter.user_id) == "en"
    # an unsupported language changes nothing
    app_client.post("/language", data={"locale": "xx", "next": "/sign-in"})
    assert app_client.cookies.get("tc_locale") == "ko"


def test_accept_language_picks_the_first_language_of_a_visitor(
    app_client: TestClient, book: Book
) -> None:
    page = app_client.get("/sign-in", headers={"Accept-Language": "zh-TW,zh;q=0.9,en;q=0.5"})
    assert '<html lang="zh-Hant">' in page.text
    assert "<h1>登入</h1>" in page.text


def test_assets_are_served_locally(app_client: TestClient, book: Book) -> None:
    css = app_client.get("/static/style.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert app_client.get("/static/favicon.svg").status_code == 200
    assert app_client.get("/static/missing.css").status_code == 404
    sign_in(app_client, book.underwriter)
    for path in ("/sign-in", "/policies", f"/policies/{book.own_id}"):
        html = app_client.get(path).text
        assert not re.search(r"(src|href)=\"(https?:)?//", html), path
    assert "url(" not in css.text

"""Every dashboard page, in every language, for every role: no 500, no message left
untranslated (a source string shown raw where its translation belongs) and no stored
code shown as it is stored (``new_limit``, ``covered_in_full``, ``protracted_default``).

One demo book is seeded for the module; each (language, role) signs in once and opens
every GET page of the dashboard (its identifiers taken from the book).  A page may
answer 200, a redirect, 403 or 404 (roles see different things); never 5xx, never JSON.
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
import re
from collections.abc import Iterator
from functools import lru_cache
from html import unescape
from typing import Any

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlalchemy import select, update

import tradecover
from tests.conftest import TEST_SECRET, Database, FormClient
from tradecover.access.model import User
from tradecover.api.app import create_app
from tradecover.billing.model import PremiumNotice
from tradecover.buyers.model import Buyer
from tradecover.claims.model import ClaimRow
from tradecover.config import Settings
from tradecover.db.engine import transaction
from tradecover.declarations.model import Declaration
from tradecover.demo.seed import DEMO_PASSWORD, DEMO_USERS, seed_demo
from tradecover.limits.model import CreditLimit
from tradecover.policies.model import Policy
from tradecover.pricing.model import RateTableVersion
from tradecover.web import i18n

pytestmark = pytest.mark.xdist_group("every_page")

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
ROLES = {u.role.value: u for u in DEMO_USERS if u.email != "korea@tradecover.demo"}
NOT_PAGES = {
    "/openapi.json",
    "/docs/oauth2-redirect",
    "/health",
    "/claims/{claim_id}/documents/{document_id}/content",
    "/billing/notices/{notice_id}/pdf",
    "/claims/{claim_id}/decision.pdf",
    "/policies/{policy_id}/schedule.pdf",
    "/policies/{policy_id}/endorsements/{number}.pdf",
    "/limits/{limit_id}/decision.pdf",
    "/billing/notices/{notice_id}/subsidy.pdf",
    "/claims/{claim_id}/recoveries.pdf",
}  # a stored file, and the PDFs (tests/integration/mail, tests/integration/claims)
_TAGS = re.compile(
    r"<script.*?</script>|<style.*?</style>|<textarea.*?</textarea>|<code.*?</code>|<[^>]+>",
    re.DOTALL,
)  # a textarea holds what the reader edits (a rate table's JSON), code is shown as code
# (the column names of an upload file), not as words of the page
_ENGLISH = re.compile(r'<(\w+)[^>]*\blang="en"[^>]*>.*?</\1>', re.DOTALL)
"""A passage the page declares English (a claim check's explanation, the rule's own text)."""


def _routes(routes: list[Any]) -> Iterator[Any]:
    for route in routes:
        inner = getattr(route, "original_router", None)
        yield from _routes(inner.routes) if inner is not None else (route,)


def page_paths(app: Any) -> list[str]:
    """Every GET path of the dashboard (not the API), as declared."""
    paths: list[str] = []
    for route in _routes(app.routes):
        path = getattr(route, "path", "")
        if (
            "GET" in (getattr(route, "methods", None) or set())
            and path not in paths
            and not path.startswith("/api")
            and path not in NOT_PAGES
        ):
            paths.append(path)
    return paths


@lru_cache(maxsize=len(i18n.LOCALES))
def _untranslated(code: str) -> tuple[str, ...]:
    """Source strings of ``code``'s catalog that read differently once translated, long
    enough not to be a name (two words and more), longest first."""
    with (i18n.LOCALE_DIR / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=code)
    out = [
        m.id
        for m in catalog
        if isinstance(m.id, str)
        and m.id
        and m.string
        and m.string != m.id
        and " " in m.id
        and "%(" not in m.id
    ]
    return tuple(sorted(out, key=len, reverse=True))


_EDGES = {"api", "cli", "web", "demo", "db", "wiring", "config"}


def _domain_enums() -> Iterator[type[enum.Enum]]:
    for found in pkgutil.walk_packages(tradecover.__path__, "tradecover."):
        parts = set(found.name.split(".")[1:])
        if parts & _EDGES or found.name.endswith(("cli", "api", "jobs", "worker")):
            continue
        module = importlib.import_module(found.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, enum.Enum)
                and value.__module__ == module.__name__
            ):
                yield value


@lru_cache(maxsize=1)
def _raw_codes() -> re.Pattern[str]:
    """A stored code shown as it is stored: a value of a domain enumeration in
    ``snake_case`` (``new_limit``, ``covered_in_full``) in any language, and a one-word
    value (``pending``) among the words of a page in another language than English.
    """
    codes = {
        member.value
        for kind in _domain_enums()
        for member in kind
        if isinstance(member.value, str) and re.fullmatch(r"[a-z]+(?:_[a-z0-9]+)+", member.value)
    }
    return re.compile(
        r"(?<![\w./-])(" + "|".join(sorted(codes, key=len, reverse=True)) + r")(?![\w/-])"
    )


@pytest.fixture(scope="module")
def site(database: Database) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The demo book on a clean database, the app, and every page's concrete path."""
    database.reset()
    seed_demo(database.factory, exporters=4)
    with transaction(database.factory) as s:
        ids = {
            "policy_id": s.execute(select(Policy.id).order_by(Policy.id)).scalars().first(),
            "buyer_id": s.execute(select(Buyer.id).order_by(Buyer.id)).scalars().first(),
            "limit_id": s.execute(select(CreditLimit.id).order_by(CreditLimit.id))
            .scalars()
            .first(),
            "notice_id": s.execute(select(PremiumNotice.id).order_by(PremiumNotice.id))
            .scalars()
            .first(),
            "code": s.execute(select(RateTableVersion.code).order_by(RateTableVersion.code))
            .scalars()
            .first(),
            "run_id": 1,
            "declaration_id": s.execute(select(Declaration.id).order_by(Declaration.id))
            .scalars()
            .first(),
            "claim_id": s.execute(select(ClaimRow.id).order_by(ClaimRow.id)).scalars().first(),
            "endpoint_id": 1,  # no webhook endpoint in the demo: its not-found page
            "job_id": "job_" + "0" * 32,  # no job in the demo: its not-found page
        }
    app = create_app(Settings(database_url=database.url, secret_key=TEST_SECRET))
    paths = {
        p: re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)] or 1), p) for p in page_paths(app)
    }
    with FormClient(app, raise_server_exceptions=False) as client:  # forms send their token
        yield client, paths
    app.state.engine.dispose()


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("code", i18n.LOCALES)
def test_every_page_renders_translated(
    site: tuple[TestClient, dict[str, str]], database: Database, code: str, role: str
) -> None:
    client, paths = site
    user = ROLES[role]
    with transaction(database.factory) as s:
        s.execute(update(User).where(User.email == user.email).values(locale=code))
    client.cookies.clear()
    signed = client.post(
        "/sign-in", data={"email": user.email, "password": DEMO_PASSWORD}, follow_redirects=False
    )
    assert signed.status_code == 303, signed.text
    raw_ids = _untranslated(code) if code != i18n.DEFAULT_LOCALE else ()
    failures: list[str] = []
    for url in paths.values():
        answer = client.get(url, headers=BROWSER, follow_redirects=False)
        kind = answer.headers.get("content-type", "")
        if answer.status_code >= 500 or answer.status_code not in (200, 303, 307, 403, 404):
            failures.append(f"{url}: {answer.status_code}")
            continue
        if answer.status_code in (303, 307):
            continue
        if not kind.startswith("text/html"):
            failures.append(f"{url}: {answer.status_code} answered {kind}")
            continue
        if f'<html lang="{i18n.language(code).html_lang}"' not in answer.text:
            failures.append(f"{url}: not in {code}")
        text = unescape(_TAGS.sub(" ", _ENGLISH.sub(" ", answer.text)))
        text = " ".join(text.split())
        shown = [m for m in raw_ids if m in text]
        if shown:
            failures.append(f"{url}: untranslated {shown[:3]}")
        codes = sorted(set(_raw_codes().findall(text)))
        if codes:
            failures.append(f"{url}: raw codes {codes[:5]}")
    assert failures == [], f"{len(paths)} pages checked"
    assert len(paths) >= 28

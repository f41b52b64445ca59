"""The dashboard's pages pass the consent guard [domain CS-15]: every ``GET`` page route is
declared (exporter data with its scope, or other data with why); a page that shows an
exporter's data to another organisation answers the translated 403 page naming the scope
without a valid consent, for the insurer and for the kinds that read it under consent,
with the consent granted, missing, expired and revoked; a bank's page lists exactly the
granting exporter's records in the consent's window [domain CS-14]."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import BACKENDS, Cast, Database, make_org, make_person, sign_in
from tests.integration.consents.test_consented_reads import WINDOW, book  # noqa: F401
from tradecover.access import OrganisationKind, Role
from tradecover.api.deps import SESSION_COOKIE
from tradecover.audit import AuditEntry
from tradecover.consents import (
    CONSENTED_READS,
    OTHER_PAGES,
    PAGE_READS,
    ConsentStatus,
    Purpose,
    Scope,
    contract_covers,
    read_of,
)
from tradecover.consents.access_log import REFUSED
from tradecover.consents.model import Consent
from tradecover.db.engine import transaction
from tradecover.kit.dates import utc_now

BROWSER = {"Accept": "text/html"}
STATES = ("granted", "missing", "expired", "revoked")


def _page_routes(client: TestClient) -> list[str]:
    """The dashboard's ``GET`` routes (not in the API's schema), from the app's routers."""
    found: list[str] = []

    def walk(routes: Any, prefix: str) -> None:
        for route in routes:
            included = getattr(route, "include_context", None)
            if included is not None:
                walk(included.included_router.routes, prefix + included.prefix)
            elif isinstance(route, APIRoute) and "GET" in (route.methods or set()):
                path = prefix + route.path
                if not route.include_in_schema and not path.startswith("/api/v1/"):
                    found.append(path)

    walk(client.app.router.routes, "")  # type: ignore[attr-defined]
    return found


def test_every_page_route_is_declared(app_client: TestClient) -> None:
    pages = _page_routes(app_client)
    undeclared = [p for p in pages if p not in PAGE_READS and p not in OTHER_PAGES]
    assert undeclared == [], "declare each page's scope in tradecover/consents/reads.py"
    assert not set(PAGE_READS) & set(OTHER_PAGES)
    assert sorted(set(PAGE_READS) | set(OTHER_PAGES)) == sorted(pages)


def _set_state(db: Database, grantor: int, grantees: list[int], state: str) -> None:
    now = utc_now()
    with transaction(db.factory) as s:
        s.query(Consent).delete()
        for grantee in grantees if state != "missing" else []:
            s.add(
                Consent(
                    grantor_org_id=grantor,
                    grantee_org_id=grantee,
                    scopes=[x.value for x in Scope],
                    purposes=[p.value for p in Purpose],
                    expires_at=now + timedelta(days=-1 if state == "expired" else 30),
                    status=(
                        ConsentStatus.REVOKED if state == "revoked" else ConsentStatus.AUTHORISED
                    ).value,
                    requested_by="test",
                    requested_at=now - timedelta(days=2),
                )
            )


def _token(client: TestClient, db: Database, slug: str, role: Role) -> tuple[int, str]:
    person = make_person(db, slug, role, f"{role.value}@{slug}.test")
    sign_in(client, person)
    return person.org_id, str(client.cookies.get(SESSION_COOKIE))


@pytest.mark.parametrize("database", [BACKENDS[0]], indirect=True)
def _refusals_logged(db: Database) -> int:
    """How many refused reads of pages the access log holds (each entry counts its reads)."""
    with db.factory() as s:
        rows = s.execute(select(AuditEntry.after).where(AuditEntry.action == REFUSED)).scalars()
        return sum(int(a["reads"]) for a in rows if not str(a["path"]).startswith("/api/"))


def test_the_page_matrix(app_client: TestClient, db: Database, cast: Cast) -> None:
    with transaction(db.factory) as s:
        make_org(s, slug="co-insurer", kind=OrganisationKind.COINSURER, region=None)
        make_org(s, slug="programme", kind=OrganisationKind.SUBSIDY_PROGRAMME, region=None)
    readers = {
        "insurer": _token(app_client, db, "insurer", Role.UNDERWRITER),
        "bank": _token(app_client, db, "first-bank", Role.BANK),
        "coinsurer": _token(app_client, db, "co-insurer", Role.COINSURER),
        "subsidy_programme": _token(app_client, db, "programme", Role.PROGRAMME),
    }
    grantees = sorted(org for org, _token in readers.values())
    failures: list[str] = []
    checked = refusals = 0
    for state in STATES:
        _set_state(db, cast.exporter.org_id, grantees, state)
        for kind, (_org, token) in readers.items():
            app_client.cookies.clear()
            app_client.cookies.set(SESSION_COOKIE, token)
            pages = PAGE_READS if kind == "insurer" else CONSENTED_READS[kind] & set(PAGE_READS)
            for path in sorted(pages):
                read = read_of(path, kind)
                assert read is not None
                covered = contract_covers(kind, read.scope, read.purpose)
                if covered and state != "revoked":
                    continue  # never asks for a consent: its revoked state is the proof
                url = re.sub(r"\{\w+\}", "1", path)
                answer = app_client.get(url, headers=BROWSER)
                checked += 1
                refused = answer.status_code == 403 and 'data-testid="consent-required"' in (
                    answer.text
                )
                refusals += refused
                if refused != (not covered and state != "granted"):
                    failures.append(f"{state} {kind} {path}: {answer.status_code}")
                if refused and f'data-scope="{read.scope.value}"' not in answer.text:
                    failures.append(f"{state} {kind} {path}: the page does not name the scope")
    assert failures == []
    assert refusals and _refusals_logged(db) == refusals  # every refused page [domain CS-8]
    for kind in ("bank", "coinsurer", "subsidy_programme"):  # pages its kind never reads
        app_client.cookies.clear()
        app_client.cookies.set(SESSION_COOKIE, readers[kind][1])
        answer = app_client.get("/claims", headers=BROWSER)
        assert answer.status_code == 403 and "<h1>Not allowed</h1>" in answer.text
    # the insurer: 2 documents pages in every state, 25 contract pages revoked (the audit
    # log's among them, and 5 registered PDFs [domain DOC-1]); the bank's 4 pages, the
    # programme's and the co-insurer's 2 each, in every state
    assert checked == 2 * 4 + 26 + (4 + 2 + 2) * 4


def test_a_banks_page_lists_the_granting_exporters_records_in_its_window(
    app_client: TestClient,
    db: Database,
    cast: Cast,
    book: dict[str, Any],  # noqa: F811
) -> None:
    sign_in(app_client, make_person(db, "first-bank", Role.BANK, "ops@bank.test"))
    app_client.post("/language", data={"locale": "ko", "next": "/consents"}, headers=BROWSER)
    refused = app_client.get("/declarations", headers=BROWSER)
    assert refused.status_code == 403
    assert "<h1>동의 필요</h1>" in refused.text
    assert 'data-scope="shipment_core" data-purpose="financing"' in refused.text
    with transaction(db.factory) as s:
        s.add(
            Consent(
                grantor_org_id=cast.exporter.org_id,
                grantee_org_id=cast.bank.org_id,
                scopes=["shipment_core"],
                purposes=["financing"],
                data_from=WINDOW[0],
                data_to=WINDOW[1],
                expires_at=utc_now() + timedelta(days=30),
                status="authorised",
                requested_by="test",
                requested_at=utc_now(),
            )
        )
    page = app_client.get("/declarations", headers=BROWSER)
    assert page.status_code == 200
    shown = sorted(set(re.findall(r"\b(acme|other)-([0-9])\b", page.text)))
    assert shown == [("acme", "2")]

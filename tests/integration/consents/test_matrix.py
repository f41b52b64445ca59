"""The consent matrix [domain CS-6] [domain CS-9]: every API route that returns exporter
data, for every role of every organisation kind, with the exporter's consent granted,
missing, expired and revoked.  Routes come from the OpenAPI document; one that is declared
neither as exporter data (with its scope) nor as other data fails the test.  SQLite only
(the decision is the same on both databases; a PostgreSQL smoke runs in test_api.py).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import BACKENDS, Actor, Cast, Database, make_key_actor, make_org
from tradecover.access import OrganisationKind, Role
from tradecover.access.roles import ROLES_BY_KIND
from tradecover.audit import AuditEntry
from tradecover.consents import (
    EXPORTER_READS,
    OTHER_READS,
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

STATES = ("granted", "missing", "expired", "revoked")
PARAMS = {"month": "2026-11", "country": "DE", "code": "standard"}


def _get_paths(client: TestClient) -> list[str]:
    spec: dict[str, Any] = client.get("/openapi.json").json()
    return [path for path, ops in spec["paths"].items() if "get" in ops]


@pytest.fixture
def readers(db: Database, cast: Cast) -> dict[str, Actor]:
    """One credential for every role of every organisation kind but the exporter's own."""
    with transaction(db.factory) as s:
        make_org(s, slug="co-insurer", kind=OrganisationKind.COINSURER, region=None)
        make_org(s, slug="programme", kind=OrganisationKind.SUBSIDY_PROGRAMME, region=None)
        found = {
            "insurer:admin": cast.admin,
            "insurer:underwriter": cast.underwriter,
            "insurer:risk_manager": cast.risk_manager,
            "insurer:finance": cast.finance,
            "insurer:claims_handler": cast.claims_handler,
            "exporter:exporter": cast.exporter,
            "bank:bank": cast.bank,
            "coinsurer:coinsurer": make_key_actor(s, org_slug="co-insurer", role=Role.COINSURER),
            "subsidy_programme:programme": make_key_actor(
                s, org_slug="programme", role=Role.PROGRAMME
            ),
        }
    every_role = {
        f"{kind.value}:{role.value}" for kind, roles in ROLES_BY_KIND.items() for role in roles
    }
    assert set(found) == every_role
    return found


def _set_state(db: Database, grantor: int, grantees: list[int], state: str) -> None:
    now = utc_now()
    with transaction(db.factory) as s:
        s.query(Consent).delete()
        if state == "missing":
            return
        for grantee in grantees:
            s.add(
                Consent(
                    grantor_org_id=grantor,
                    grantee_org_id=grantee,
                    scopes=[x.value for x in Scope],
                    purposes=[p.value for p in Purpose],
                    expires_at=now - timedelta(days=1)
                    if state == "expired"
                    else now + timedelta(days=30),
                    status=(
                        ConsentStatus.REVOKED if state == "revoked" else ConsentStatus.AUTHORISED
                    ).value,
                    requested_by="test",
                    requested_at=now - timedelta(days=2),
                )
            )


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PARAMS.get(m.group(1), "1"), path)


@pytest.fixture
def client(app_client: TestClient) -> TestClient:
    """The app's client."""
    return app_client


def test_every_get_route_is_declared(app_client: TestClient) -> None:
    undeclared = [
        p for p in _get_paths(app_client) if p not in EXPORTER_READS and p not in OTHER_READS
    ]
    assert undeclared == [], "declare each route's scope in tradecover/consents/reads.py"
    assert not set(EXPORTER_READS) & set(OTHER_READS)


@pytest.mark.parametrize("database", [BACKENDS[0]], indirect=True)
def test_the_matrix(
    client: TestClient, db: Database, cast: Cast, readers: dict[str, Actor]
) -> None:
    routes = [p for p in _get_paths(client) if p in EXPORTER_READS]
    assert len(routes) == len(EXPORTER_READS)
    grantees = sorted({a.org_id for a in readers.values() if a.org_id != cast.exporter.org_id})
    failures: list[str] = []
    refusals = 0
    for state in STATES:
        _set_state(db, cast.exporter.org_id, grantees, state)
        for name, actor in readers.items():
            kind = name.split(":")[0]
            for path in routes:
                read = read_of(path, kind)  # a bank's, programme's, co-insurer's purpose
                assert read is not None
                if (kind == "exporter" or contract_covers(kind, read.scope, read.purpose)) and (
                    state != "revoked"
                ):
                    continue  # never asks for a consent: its revoked state is the proof
                answer = client.get(_url(path), headers=actor.headers)
                refused = (
                    answer.status_code == 403 and answer.json().get("code") == "consent_required"
                )
                refusals += refused
                own = kind == "exporter"
                expected = not (
                    own or contract_covers(kind, read.scope, read.purpose) or state == "granted"
                )
                if refused != expected:
                    failures.append(
                        f"{state} {name} {path}: {answer.status_code} {answer.text[:80]}"
                    )
                if refused and read.scope.value not in answer.json()["detail"]:
                    failures.append(f"{state} {name} {path}: the refusal does not name the scope")
    assert failures == []
    with db.factory() as s:  # every refused read is in the access log [domain CS-8]
        logged = s.execute(select(AuditEntry.after).where(AuditEntry.action == REFUSED)).scalars()
        assert refusals and sum(int(a["reads"]) for a in logged) == refusals

"""Banks, co-insurers and subsidy programmes read an exporter's data under its consent
[domain CS-14]: with one they see exactly the granting exporter's records in the
consent's data window (one query), without one 403 ``consent_required``; a revoked or
expired consent refuses, and the refused read is logged.  Every read is in the access
log as soon as its response is sent [domain CS-8] (both databases).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.builders.buyers import add_buyer
from tests.builders.limits import add_limit
from tests.builders.policies import make_policy
from tests.conftest import Actor, Cast, Database, make_key_actor, make_org
from tradecover.access import OrganisationKind, Role
from tradecover.audit import AuditEntry
from tradecover.consents.access_log import READ, REFUSED
from tradecover.consents.model import Consent
from tradecover.db.engine import transaction
from tradecover.declarations.model import Declaration
from tradecover.kit.dates import utc_now

WINDOW = (date(2026, 1, 1), date(2026, 3, 31))


def _declaration(s: Session, org: int, policy: int, buyer: int, day: date, number: str) -> int:
    now = utc_now()
    row = Declaration(
        exporter_org_id=org,
        policy_id=policy,
        buyer_id=buyer,
        buyer_country="DE",
        invoice_number=number,
        shipment_date=day,
        due_date=day + timedelta(days=60),
        credit_days=60,
        payment_terms="OA",
        transport_mode="sea",
        hs_code="8459.61",
        goods_description="CNC milling machines",
        currency="USD",
        invoice_minor=1_000_000,
        prepayment_minor=0,
        insured_minor=900_000,
        covered_minor=900_000,
        uninsured_minor=0,
        cover_status="covered_in_full",
        reason_code="covered",
        cover_explanation="covered",
        rate=Decimal("0.0045"),
        premium_minor=4050,
        declaration_date=day,
        declaration_due=day + timedelta(days=30),
        late=False,
        days_late=0,
        status="active",
        channel="api",
        declared_at=now,
        declared_by="test",
    )
    s.add(row)
    s.flush()
    return row.id


@pytest.fixture
def book(db: Database, cast: Cast) -> dict[str, Any]:
    """Two exporters' policies, limits and declarations, in and out of the window; a
    co-insurer and a subsidy programme with an API key each."""
    with transaction(db.factory) as s:
        make_org(s, slug="co-insurer", kind=OrganisationKind.COINSURER, region=None)
        make_org(s, slug="programme", kind=OrganisationKind.SUBSIDY_PROGRAMME, region=None)
        out: dict[str, Any] = {
            "coinsurer": make_key_actor(s, org_slug="co-insurer", role=Role.COINSURER),
            "programme": make_key_actor(s, org_slug="programme", role=Role.PROGRAMME),
        }
        for name, org in (("acme", cast.exporter.org_id), ("other", cast.other_exporter.org_id)):
            policy = make_policy(s, exporter_org_id=org, inception=date(2026, 1, 1)).id
            buyer = add_buyer(s, org_id=org, name=f"Buyer of {name}")
            out[f"{name}_policy"] = policy
            out[f"{name}_limits"] = [
                add_limit(
                    s, org_id=org, policy_id=policy, buyer_id=buyer, amount=1, effective_from=d
                )[0]
                for d in (date(2026, 1, 10), date(2026, 6, 10))
            ]
            out[f"{name}_declarations"] = [
                _declaration(s, org, policy, buyer, d, f"{name}-{d.month}")
                for d in (date(2026, 2, 1), date(2026, 7, 1))
            ]
    return out


def _grant(
    db: Database,
    cast: Cast,
    grantee: int,
    scopes: list[str],
    purposes: list[str],
    *,
    status: str = "authorised",
    expires_at: datetime | None = None,
) -> None:
    with transaction(db.factory) as s:
        s.add(
            Consent(
                grantor_org_id=cast.exporter.org_id,
                grantee_org_id=grantee,
                scopes=scopes,
                purposes=purposes,
                data_from=WINDOW[0],
                data_to=WINDOW[1],
                expires_at=expires_at or utc_now() + timedelta(days=30),
                status=status,
                requested_by="test",
                requested_at=utc_now() - timedelta(days=2),
            )
        )


def _ids(client: TestClient, path: str, actor: Actor) -> list[int]:
    answer = client.get(path, headers=actor.headers)
    assert answer.status_code == 200, answer.text
    return [int(item["id"]) for item in answer.json()["items"]]


def _log(db: Database, action: str) -> list[AuditEntry]:
    with db.factory() as s:
        return list(
            s.execute(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            ).scalars()
        )


def test_a_bank_sees_exactly_the_granting_exporters_records_in_the_window(
    app_client: TestClient, db: Database, cast: Cast, book: dict[str, Any]
) -> None:
    _grant(db, cast, cast.bank.org_id, ["shipment_core", "buyer_identity"], ["financing"])
    inside, outside = book["acme_declarations"]
    assert _ids(app_client, "/api/v1/declarations", cast.bank) == [inside]
    assert _ids(app_client, "/api/v1/limits", cast.bank) == [book["acme_limits"][0]]
    one = app_client.get(f"/api/v1/declarations/{inside}", headers=cast.bank.headers)
    assert one.status_code == 200 and one.json()["invoice_number"] == "acme-2"
    late = app_client.get(f"/api/v1/declarations/{outside}", headers=cast.bank.headers)
    assert late.status_code == 404
    foreign = book["other_declarations"][0]
    other = app_client.get(f"/api/v1/declarations/{foreign}", headers=cast.bank.headers)
    assert other.status_code == 404
    # the insurer and the exporter keep seeing what they saw
    assert _ids(app_client, "/api/v1/declarations", cast.exporter) == [outside, inside]
    assert len(_ids(app_client, "/api/v1/declarations", cast.underwriter)) == 4
    # logged before the response: no flush, no batch [domain CS-8]
    reads = [e for e in _log(db, READ) if e.after["reader_org_id"] == cast.bank.org_id]
    assert [(e.org_id, e.entity_id, e.reason) for e in reads] == [
        (cast.exporter.org_id, "shipment_core", "financing"),
        (cast.exporter.org_id, "buyer_identity", "financing"),
        (cast.exporter.org_id, "shipment_core", "financing"),
    ]
    assert reads[0].after["records"] == {"declarations": [inside]}
    assert reads[1].after["records"] == {"credit_limits": [book["acme_limits"][0]]}


def test_a_consent_for_another_purpose_does_not_open_the_read(
    app_client: TestClient, db: Database, cast: Cast, book: dict[str, Any]
) -> None:
    _grant(db, cast, cast.bank.org_id, ["shipment_core"], ["cover_attachment"])
    answer = app_client.get("/api/v1/declarations", headers=cast.bank.headers)
    assert answer.status_code == 403
    assert answer.json()["code"] == "consent_required"
    assert "shipment_core for financing" in answer.json()["detail"]


@pytest.mark.parametrize("state", ["missing", "revoked", "expired"])
def test_without_a_valid_consent_the_read_is_refused_and_logged(
    app_client: TestClient, db: Database, cast: Cast, book: dict[str, Any], state: str
) -> None:
    if state == "revoked":
        _grant(db, cast, cast.bank.org_id, ["shipment_core"], ["financing"], status="revoked")
    if state == "expired":
        past = utc_now() - timedelta(seconds=1)
        _grant(db, cast, cast.bank.org_id, ["shipment_core"], ["financing"], expires_at=past)
    answer = app_client.get("/api/v1/declarations", headers=cast.bank.headers)
    assert answer.status_code == 403
    assert answer.json()["code"] == "consent_required"
    assert "read shipment_core for financing" in answer.json()["detail"]
    refused = _log(db, REFUSED)
    assert [(e.org_id, e.entity_id, e.reason, e.after["path"]) for e in refused] == [
        (cast.bank.org_id, "shipment_core", "financing", "/api/v1/declarations")
    ]
    assert _log(db, READ) == []


def test_programmes_and_co_insurers_read_policies_under_their_purpose(
    app_client: TestClient, db: Database, cast: Cast, book: dict[str, Any]
) -> None:
    programme, coinsurer = book["programme"], book["coinsurer"]
    for actor in (programme, coinsurer):
        refused = app_client.get("/api/v1/policies", headers=actor.headers)
        assert refused.status_code == 403 and refused.json()["code"] == "consent_required"
    _grant(db, cast, programme.org_id, ["shipment_core"], ["subsidy_eligibility"])
    _grant(db, cast, coinsurer.org_id, ["shipment_core"], ["portfolio_monitoring"])
    for actor in (programme, coinsurer):
        assert _ids(app_client, "/api/v1/policies", actor) == [book["acme_policy"]]
        theirs = app_client.get(f"/api/v1/policies/{book['other_policy']}", headers=actor.headers)
        assert theirs.status_code == 404
    assert _ids(app_client, "/api/v1/billing/notices", programme) == []
    # a co-insurer's portfolio consent opens no declarations
    answer = app_client.get("/api/v1/declarations", headers=coinsurer.headers)
    assert answer.status_code == 403

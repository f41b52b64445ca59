"""Retention [domain CS-13]: once a consent ended and its retention passed, the purge
empties the documents it opened — but a financial record within the legal years, one a
claim in progress holds, or one another valid consent still opens — audits it on both
chains and never runs twice; the CLI runs it; sharing is set from the CLI (both databases).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from typer.testing import CliRunner

from tests.builders.declarations import World, world
from tests.conftest import Cast, Database
from tests.integration.feeds.helpers import connect_source, documents, erp_event
from tradecover import feeds
from tradecover.audit import AuditEntry
from tradecover.cli.main import app
from tradecover.config import get_settings
from tradecover.consents.model import Consent, FieldSharing
from tradecover.db.engine import transaction
from tradecover.feeds import service
from tradecover.feeds.attach_bridge import document_attacher
from tradecover.feeds.stream.envelope import Envelope, FeedSource
from tradecover.kit.dates import utc_now
from tradecover.wiring import purge_retention, store_for


@pytest.fixture
def cli(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.fixture
def covered(app_client: TestClient, cast: Cast, db: Database) -> World:
    w = world(app_client, cast, db)
    connect_source(db, cast.exporter.org_slug, FeedSource.ERP)
    return w


def _receive(db: Database, cast: Cast, content: bytes) -> None:
    envelope = Envelope.new(
        source=FeedSource.ERP, exporter_org_id=cast.exporter.org_id, content=content
    )
    with transaction(db.factory) as s:
        service.receive(s, envelope, attach=document_attacher(store_for(db.engine)))


def _consent(client: TestClient, cast: Cast, *, revoked: bool) -> int:
    asked = client.post(
        "/api/v1/consents",
        json={
            "grantor_org_id": cast.exporter.org_id,
            "scopes": ["invoice_documents", "payment_experience"],
            "purposes": ["financing"],
            "expires_at": (utc_now() + timedelta(days=60)).isoformat(),
        },
        headers=cast.bank.headers,
    )
    consent_id = int(asked.json()["id"])
    client.post(f"/api/v1/consents/{consent_id}/authorise", headers=cast.exporter.headers)
    if revoked:
        client.post(f"/api/v1/consents/{consent_id}/revoke", headers=cast.exporter.headers)
    return consent_id


def _ended(db: Database, consent_id: int, days_ago: int) -> None:
    with transaction(db.factory) as s:
        s.execute(
            update(Consent)
            .where(Consent.id == consent_id)
            .values(revoked_at=utc_now() - timedelta(days=days_ago))
        )


def _purge(db: Database) -> dict[int, dict[str, int]]:
    with transaction(db.factory) as s:
        return purge_retention(s, actor="test:purge")


def test_the_purge_empties_what_an_ended_consent_opened_and_keeps_the_records(
    app_client: TestClient, db: Database, cast: Cast, covered: World
) -> None:
    _receive(db, cast, erp_event("R1"))  # attached: a financial record
    _receive(db, cast, b"{not json")  # quarantined: no record rests on it
    recent = _consent(app_client, cast, revoked=True)
    old = _consent(app_client, cast, revoked=True)
    _ended(db, recent, 5)
    _ended(db, old, 40)

    assert _purge(db) == {old: {"documents": 1, "pool_rows": 0}}

    attached, quarantined = documents(db)
    assert attached.content != b"" and attached.declaration_id is not None
    assert quarantined.content == b"" and len(quarantined.content_sha256) == 64
    assert quarantined.status == "quarantined"
    with db.factory() as s:
        chains = set(
            s.execute(
                select(AuditEntry.org_id).where(
                    AuditEntry.action == "consent.purged", AuditEntry.entity_id == str(old)
                )
            ).scalars()
        )
    assert chains == {cast.exporter.org_id, cast.bank.org_id}
    assert _purge(db) == {}  # purged once


def test_a_valid_consent_keeps_the_documents_it_opens(
    app_client: TestClient, db: Database, cast: Cast, covered: World
) -> None:
    _receive(db, cast, b"{not json")
    old = _consent(app_client, cast, revoked=True)
    _ended(db, old, 40)
    _consent(app_client, cast, revoked=False)
    assert _purge(db) == {old: {"documents": 0, "pool_rows": 0}}
    assert documents(db)[0].content == b"{not json"


def test_a_claim_in_progress_keeps_its_documents_past_the_legal_years(
    db: Database, cast: Cast, covered: World
) -> None:
    _receive(db, cast, erp_event("R2"))
    (row,) = documents(db)
    assert row.declaration_id is not None
    later = utc_now() + timedelta(days=1)
    with transaction(db.factory) as s:
        kept = feeds.purge_documents(
            s,
            exporter_org_id=cast.exporter.org_id,
            data_from=None,
            data_to=None,
            keep_declarations={row.declaration_id},
            financial_years=0,
            now=later,
        )
        purged = feeds.purge_documents(
            s,
            exporter_org_id=cast.exporter.org_id,
            data_from=None,
            data_to=None,
            keep_declarations=set(),
            financial_years=0,
            now=later,
        )
    assert (kept, purged) == (0, 1)


def test_the_cli_sets_sharing_and_purges(cli: CliRunner, db: Database, cast: Cast) -> None:
    shared = cli.invoke(
        app,
        [
            "consents",
            "sharing",
            "set",
            "--exporter",
            cast.exporter.org_slug,
            "--source",
            "ubl",
            "--withhold",
            "line_items",
        ],
    )
    assert shared.exit_code == 0, shared.output
    assert "it cannot see line items with unit prices" in shared.output
    refused = cli.invoke(
        app,
        [
            "consents",
            "sharing",
            "set",
            "--exporter",
            cast.exporter.org_slug,
            "--source",
            "ubl",
            "--withhold",
            "currency",
        ],
    )
    assert refused.exit_code != 0 and "field_in_minimum" in refused.output
    with db.factory() as s:
        (row,) = s.execute(select(FieldSharing)).scalars()
        assert row.withheld == ["line_items"]
    purged = cli.invoke(app, ["consents", "purge"])
    assert purged.exit_code == 0, purged.output
    assert "0 consent(s) purged" in purged.output

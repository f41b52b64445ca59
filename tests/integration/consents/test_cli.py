"""The operator's consents CLI: an organisation's consents, a receipt (JSON and ODRL)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from tests.conftest import Cast, Database
from tradecover.cli.main import app
from tradecover.config import get_settings
from tradecover.consents.model import Consent
from tradecover.db.engine import transaction
from tradecover.kit.dates import utc_now


def test_list_and_receipts(db: Database, cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    with transaction(db.factory) as s:
        row = Consent(
            grantor_org_id=cast.exporter.org_id,
            grantee_org_id=cast.bank.org_id,
            scopes=["shipment_core"],
            purposes=["financing"],
            expires_at=utc_now() + timedelta(days=5),
            status="authorised",
            requested_by="apikey:bank",
            requested_at=utc_now(),
        )
        s.add(row)
        s.flush()
        consent = row.id
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        listed = runner.invoke(app, ["consents", "list", "first-bank"])
        assert listed.exit_code == 0 and "financing" in listed.output, listed.output
        made = runner.invoke(app, ["consents", "receipt", "acme-exports", str(consent)])
        assert json.loads(made.output)["state"] == "authorised"
        odrl = runner.invoke(app, ["consents", "receipt", "acme-exports", str(consent), "--odrl"])
        assert json.loads(odrl.output)["@type"] == "Agreement"
        stranger = runner.invoke(app, ["consents", "receipt", "other-exports", str(consent)])
        assert stranger.exit_code != 0
        log = runner.invoke(app, ["consents", "access-log", "acme-exports", "--csv"])
        assert log.exit_code == 0 and log.output.startswith("at,refused")
    finally:
        get_settings.cache_clear()

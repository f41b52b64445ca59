"""``tradecover webhooks worker --once`` delivers what is due and stops."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.conftest import Cast, Database
from tests.integration.webhooks.helpers import endpoint_for, record
from tests.receivers import WebhookReceiver
from tradecover.cli.main import app
from tradecover.config import get_settings
from tradecover.webhooks import verify


def test_the_worker_command_delivers_and_stops(
    db: Database, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    monkeypatch.setenv("TRADECOVER_WEBHOOKS_DEVELOPMENT", "true")
    get_settings.cache_clear()
    try:
        with WebhookReceiver() as receiver:
            _id, secret = endpoint_for(db, "acme-exports", receiver.url)
            record(db, cast.exporter.org_id, [("s:1", 1), ("s:2", 2)])
            result = CliRunner().invoke(app, ["webhooks", "worker", "--once"])
            assert result.exit_code == 0, result.output
    finally:
        get_settings.cache_clear()
    assert len(receiver.received) == 2
    for got in receiver.received:
        verify(secret, got.headers, got.body)

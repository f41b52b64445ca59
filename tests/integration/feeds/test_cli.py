"""The ``tradecover feeds`` commands against the test database and the test's own stream."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.builders.declarations import World
from tests.conftest import Cast, Database
from tests.integration.feeds.helpers import declaration_count, documents, drain, erp_event
from tradecover.cli.main import app
from tradecover.config import get_settings
from tradecover.feeds.stream.nats_stream import StreamSettings


@pytest.fixture
def cli(
    db: Database, stream: StreamSettings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CliRunner]:
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    monkeypatch.setenv("TRADECOVER_NATS_URL", ",".join(stream.servers))
    monkeypatch.setenv("TRADECOVER_FEEDS_STREAM", stream.stream)
    monkeypatch.setenv("TRADECOVER_FEEDS_SUBJECT_PREFIX", stream.prefix)
    monkeypatch.setenv("TRADECOVER_SECRET_KEY", "feeds-cli-tests-signing-key-0123456789abcdef")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_connect_ingest_and_list(
    cli: CliRunner, db: Database, cast: Cast, covered: World, stream: StreamSettings, tmp_path: Path
) -> None:
    connected = cli.invoke(
        app, ["feeds", "connect", "--exporter", cast.exporter.org_slug, "--source", "customs"]
    )
    assert connected.exit_code == 0, connected.output
    assert "customs -> acme-exports" in connected.output
    twice = cli.invoke(
        app, ["feeds", "connect", "--exporter", cast.exporter.org_slug, "--source", "erp"]
    )
    assert twice.exit_code == 5  # the fixture connected the ERP already
    assert "connection_exists" in twice.output
    files = []
    for number in range(3):
        path = tmp_path / f"shipment-{number}.json"
        path.write_bytes(erp_event(f"S{number}"))
        files.append(str(path))
    ingested = cli.invoke(
        app,
        [
            "feeds",
            "ingest",
            "--source",
            "erp",
            "--exporter",
            cast.exporter.org_slug,
            "--quiet",
            *files,
        ],
    )
    assert ingested.exit_code == 0, ingested.output
    assert (
        f"published 3 document(s) on {stream.prefix}.erp.{cast.exporter.org_id}" in ingested.output
    )
    drain(db, stream)
    assert declaration_count(db) == 3
    assert [r.filename for r in documents(db)] == [f"shipment-{n}.json" for n in range(3)]
    listed = cli.invoke(
        app, ["feeds", "documents", "--exporter", cast.exporter.org_slug, "--status", "attached"]
    )
    assert listed.exit_code == 0, listed.output
    assert "3 received documents" in listed.output


def test_an_erp_connection_gets_a_secret_shown_once(cli: CliRunner, cast: Cast) -> None:
    connected = cli.invoke(
        app, ["feeds", "connect", "--exporter", cast.exporter.org_slug, "--source", "erp"]
    )
    assert connected.exit_code == 0, connected.output
    assert "webhook secret (shown once): whsec_" in connected.output
    rotated = cli.invoke(app, ["feeds", "secret", "--connection", "1"])
    assert rotated.exit_code == 0, rotated.output
    assert "whsec_" in rotated.output


def test_the_server_command_starts_nothing_for_an_external_cluster(cli: CliRunner) -> None:
    result = cli.invoke(app, ["feeds", "server", "--detach"])
    assert result.exit_code == 0, result.output
    assert "external NATS" in result.output


def test_ingest_without_a_stream_says_so(
    cli: CliRunner, cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADECOVER_NATS_URL", "nats://127.0.0.1:1")
    get_settings.cache_clear()
    path = tmp_path / "event.json"
    path.write_bytes(erp_event("S1"))
    result = cli.invoke(
        app,
        [
            "feeds",
            "ingest",
            "--source",
            "erp",
            "--exporter",
            cast.exporter.org_slug,
            "--quiet",
            str(path),
        ],
    )
    assert result.exit_code == 8

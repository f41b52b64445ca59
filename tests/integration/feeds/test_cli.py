"""The ``tradecover feeds`` commands against the test database and the test's own stream."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.builders.declarations import World
from tests.conftest import Cast, Database
from tests.integration.feeds.helpers import (
    declaration_count,
    documents,
    drain,
    erp_event,
    publish_all,
)
from tradecover.cli.main import app
from tradecover.config import get_settings
from tradecover.feeds.confirmation_repository import model_attacher
from tradecover.feeds.stream.envelope import Envelope, FeedSource
from tradecover.feeds.stream.nats_stream import StreamSettings
from tradecover.wiring import store_for


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


def test_awaiting_confirm_and_withdraw_from_the_command_line(
    cli: CliRunner, db: Database, cast: Cast, covered: World, stream: StreamSettings
) -> None:
    publish_all(
        stream,
        [
            Envelope.new(
                source=FeedSource.ERP,
                exporter_org_id=cast.exporter.org_id,
                content=erp_event(f"S{n}"),
            )
            for n in range(3)
        ],
    )
    store = store_for(db.engine)
    drain(db, stream, attach=model_attacher(store))  # individual: all three wait
    assert [r.status for r in documents(db)] == ["awaiting_confirmation"] * 3
    first, second, third = (r.id for r in documents(db))
    slug = cast.exporter.org_slug
    listed = cli.invoke(app, ["feeds", "awaiting", "--exporter", slug])
    assert listed.exit_code == 0, listed.output
    assert "3 shipments" in listed.output and "S2" in listed.output and "open" in listed.output
    confirmed = cli.invoke(app, ["feeds", "confirm", "--exporter", slug, str(first), str(second)])
    assert confirmed.exit_code == 0, confirmed.output
    assert declaration_count(db) == 2
    again = cli.invoke(app, ["feeds", "confirm", "--exporter", slug, str(first)])
    assert again.exit_code == 5 and "document_not_awaiting_confirmation" in again.output
    withdrawn = cli.invoke(app, ["feeds", "withdraw", "--exporter", slug, str(third)])
    assert withdrawn.exit_code == 0, withdrawn.output
    assert [r.status for r in documents(db)] == ["attached", "attached", "withdrawn"]
    endorsed = cli.invoke(
        app,
        ["policies", "attachment-model", str(covered.policy_id), "--model", "hybrid",
         "--source", "customs", "--correction-days", "3"],
    )  # fmt: skip
    assert endorsed.exit_code == 0, endorsed.output
    assert "attachment model hybrid" in endorsed.output
    bad = cli.invoke(
        app, ["policies", "attachment-model", str(covered.policy_id), "--model", "blanket"]
    )
    assert bad.exit_code != 0 and "invalid_attachment_terms" in bad.output

"""Checkpoints through the CLI (the job, keys, export, verify) and the API (public keys and
the export a regulator or an exporter keeps)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import TEST_SECRET, Cast, Database, make_org
from tests.integration.audit.test_checkpoints import _forge
from tradecover.api.app import create_app
from tradecover.audit import checkpointing
from tradecover.audit import service as audit
from tradecover.audit.checkpoint import verify_checkpoints
from tradecover.audit.keystore import FileKeyStore, read_published_keys
from tradecover.audit.sink import FileSink, read_checkpoints
from tradecover.config import Settings, get_settings
from tradecover.db.engine import transaction

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def cli(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A CLI on the test database with its key folder and sink under ``tmp_path``."""
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    monkeypatch.setenv("TRADECOVER_AUDIT_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("TRADECOVER_AUDIT_CHECKPOINT_SINK", str(tmp_path / "cp.jsonl"))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _record(db: Database, org_id: int, n: int) -> None:
    with transaction(db.factory) as s:
        for i in range(n):
            audit.record(
                s,
                org_id=org_id,
                actor="user:1",
                action="test.changed",
                entity_type="thing",
                entity_id=i,
            )


def test_the_cli_signs_exports_and_verifies_checkpoints(
    cli: CliRunner, db: Database, tmp_path: Path
) -> None:
    from tradecover.cli.main import app

    missing = cli.invoke(app, ["audit", "checkpoint"])
    assert missing.exit_code == 5
    assert "audit_signing_key_missing" in missing.output
    assert not (tmp_path / "cp.jsonl").exists()
    assert cli.invoke(app, ["audit", "keys", "rotate"]).exit_code == 0
    with transaction(db.factory) as s:
        org_id = make_org(s, slug="audited-exporter")
    _record(db, org_id, 3)
    first = cli.invoke(app, ["audit", "checkpoint"])
    assert first.exit_code == 0, first.output
    assert "checkpoint 1: 1 chain heads of 1 organisations" in first.output
    assert cli.invoke(app, ["audit", "keys", "rotate"]).exit_code == 0
    _record(db, org_id, 1)
    assert cli.invoke(app, ["audit", "checkpoint"]).exit_code == 0
    keys_file, copy = tmp_path / "published.json", tmp_path / "regulator.jsonl"
    assert cli.invoke(app, ["audit", "keys", "publish", "--output", str(keys_file)]).exit_code == 0
    assert len(read_published_keys(keys_file.read_text())) == 2
    exported = cli.invoke(app, ["audit", "export-checkpoints", "--output", str(copy)])
    assert exported.exit_code == 0, exported.output
    assert [c.number for c in read_checkpoints(copy.read_text())] == [1, 2]
    _record(db, org_id, 2)
    args = ["audit", "verify", "--checkpoints", str(copy), "--public-keys", str(keys_file)]
    ok = cli.invoke(app, args, env={"COLUMNS": "200"})
    assert ok.exit_code == 0, ok.output
    said = " ".join(ok.output.split())  # the console may wrap long lines
    assert "matches 2 signed checkpoints" in said
    assert f"organisation {org_id} chain 0: 2 entries appended since checkpoint 2" in said
    _forge(db, org_id, 0, lambda fields: fields[:-3])  # the last 3 gone, the head rewritten
    assert cli.invoke(app, ["audit", "verify"]).exit_code == 0  # the chain alone is fooled
    bad = cli.invoke(app, args, env={"COLUMNS": "200"})
    assert bad.exit_code == 8
    assert (
        f"organisation {org_id} chain 0: entries from position 5 removed (checkpoint 2 "
        "recorded position 5)"
    ) in " ".join(bad.output.split())
    refused = cli.invoke(app, ["audit", "checkpoint"], env={"COLUMNS": "200"})
    assert refused.exit_code == 8
    assert len(FileSink(tmp_path / "cp.jsonl").read_all()) == 2


def test_an_exporter_copy_is_verified_for_its_organisation(
    cli: CliRunner, db: Database, tmp_path: Path
) -> None:
    from tradecover.cli.main import app

    with transaction(db.factory) as s:
        mine = make_org(s, slug="audited-exporter")
        make_org(s, slug="other-exporter")
    assert cli.invoke(app, ["audit", "keys", "rotate"]).exit_code == 0
    assert cli.invoke(app, ["audit", "checkpoint"]).exit_code == 0
    copy = tmp_path / "exporter.jsonl"
    args = ["audit", "export-checkpoints", "--org", "audited-exporter", "--output", str(copy)]
    assert cli.invoke(app, args).exit_code == 0
    (checkpoint,) = read_checkpoints(copy.read_text())
    assert {h.org_id for h in checkpoint.heads} == {mine}
    verify = ["audit", "verify", "--checkpoints", str(copy)]
    assert cli.invoke(app, [*verify, "--org", "audited-exporter"]).exit_code == 0
    assert cli.invoke(app, verify).exit_code == 8  # as the whole log's copy it lacks heads
    unreadable = cli.invoke(app, ["audit", "verify", "--checkpoints", str(tmp_path / "none")])
    assert unreadable.exit_code == 4


@pytest.fixture
def audited_client(db: Database, tmp_path: Path) -> Iterator[TestClient]:
    """An API client whose checkpoint keys and sink are under ``tmp_path``."""
    settings = Settings(
        database_url=db.url,
        secret_key=TEST_SECRET,
        audit_keys_dir=tmp_path / "keys",
        audit_checkpoint_sink=str(tmp_path / "cp.jsonl"),
    )
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    app.state.engine.dispose()


def test_the_api_publishes_keys_and_exports_checkpoints_per_organisation(
    audited_client: TestClient, cast: Cast, db: Database, tmp_path: Path
) -> None:
    keys, sink = FileKeyStore(tmp_path / "keys"), FileSink(tmp_path / "cp.jsonl")
    keys.rotate(at=AT)
    for _ in range(2):
        with transaction(db.factory) as s:
            checkpointing.take_checkpoint(s, keys=keys, sink=sink, at=AT)
    published = audited_client.get("/api/v1/audit/public-keys", headers=cast.exporter.headers)
    assert published.status_code == 200, published.text
    (key,) = keys.published()
    assert [k["key_id"] for k in published.json()["keys"]] == [key.key_id]
    public = read_published_keys(published.text)

    mine = audited_client.get("/api/v1/audit/checkpoints", headers=cast.exporter.headers)
    assert mine.status_code == 200, mine.text
    copy = read_checkpoints(mine.text)
    assert [c.number for c in copy] == [1, 2]
    assert {h.org_id for c in copy for h in c.heads} == {cast.exporter.org_id}
    assert verify_checkpoints([copy], public, org_id=cast.exporter.org_id) == (copy, [])

    everything = audited_client.get(
        "/api/v1/audit/checkpoints", params={"after": 1}, headers=cast.admin.headers
    )
    assert everything.status_code == 200
    (second,) = read_checkpoints(everything.text)
    assert second == sink.read_all()[1]
    assert len(json.loads(everything.text)["checkpoints"][0]["heads"]) == len(second.heads) > 1
    assert audited_client.get("/api/v1/audit/checkpoints").status_code == 401
    assert (
        audited_client.get(
            "/api/v1/audit/checkpoints", params={"after": -1}, headers=cast.admin.headers
        ).status_code
        == 422
    )

"""The ``tradecover declarations`` commands against the test database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.builders.declarations import world
from tests.conftest import Cast, Database
from tests.integration.declarations.helpers import counts
from tests.integration.declarations.test_upload import csv_bytes, rows
from tradecover.cli.main import app
from tradecover.config import get_settings


@pytest.fixture
def cli(db: Database, cast: Cast, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_attach_list_and_show(
    cli: CliRunner, app_client: TestClient, cast: Cast, db: Database, tmp_path: Path
) -> None:
    w = world(app_client, cast, db)
    file = tmp_path / "shipments.csv"
    file.write_bytes(csv_bytes(rows(w)))
    before = counts(db)
    missing = cli.invoke(app, ["declarations", "attach", "--file", str(file), "--quiet"])
    assert missing.exit_code == 4
    assert "exporter_required" in missing.output
    assert counts(db) == before
    result = cli.invoke(
        app,
        [
            "declarations",
            "attach",
            "--file",
            str(file),
            "--exporter",
            cast.exporter.org_slug,
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "2 accepted, 5 rejected" in result.output
    assert "malformed_row" in result.output
    assert counts(db)["declarations"] == before["declarations"] + 2
    listed = cli.invoke(app, ["declarations", "list", "--policy", str(w.policy_id)])
    assert listed.exit_code == 0, listed.output
    assert "U-6" in listed.output
    assert "2 of 2 declarations" in listed.output
    shown = cli.invoke(app, ["declarations", "show", "1"])
    assert shown.exit_code == 0, shown.output
    assert "invoice_number: U-1" in shown.output
    assert cli.invoke(app, ["declarations", "show", "999"]).exit_code == 3

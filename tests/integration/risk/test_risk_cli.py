"""The ``tradecover risk`` commands against the test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.conftest import Database
from tradecover.cli.main import app
from tradecover.config import get_settings
from tradecover.risk.model import RiskRun


@pytest.fixture
def cli(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_risk_run_prints_the_summary_and_stores_the_run(cli: CliRunner, db: Database) -> None:
    result = cli.invoke(
        app,
        [
            "risk",
            "run",
            "--source",
            "generated",
            "--buyers",
            "200",
            "--book-seed",
            "3",
            "--scenarios",
            "2000",
            "--seed",
            "5",
            "--scenario",
            "tariff_shock_us",
            "--confidence",
            "0.99",
        ],
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "risk run 1 finished" in out
    for text in (
        "Risk figures",
        "expected loss",
        "VaR 99%",
        "ES 99%",
        "tariff_shock_us",
        "Top contributions by country",
        "Top contributions by sector",
        "HHI",
        "buyer_group",
        "country",
        "sector",
    ):
        assert text in out, text
    with db.factory() as s:
        run = s.execute(select(RiskRun)).scalar_one()
        assert run.status == "finished"
        assert run.created_by == "system:cli"
        assert run.spec["buyers"] == 200
        el = run.result["base"]["expected_loss"]
    assert f"{el:,.0f}" in out


def test_a_bad_cli_run_exits_with_the_field_and_stores_nothing(
    cli: CliRunner, db: Database
) -> None:
    result = cli.invoke(
        app, ["risk", "run", "--source", "generated", "--buyers", "10", "--scenario", "nope"]
    )
    assert result.exit_code == 4
    assert "unknown_scenario (scenarios)" in result.output
    with db.factory() as s:
        assert s.execute(select(RiskRun)).first() is None


def test_scenarios_and_history(cli: CliRunner) -> None:
    out = cli.invoke(app, ["risk", "scenarios"]).output
    assert "tariff_shock_us" in out
    assert "recession" in out
    result = cli.invoke(app, ["risk", "history"])
    assert result.exit_code == 0
    assert "2015" in result.output
    assert "56%" in result.output
    assert "78%" in result.output

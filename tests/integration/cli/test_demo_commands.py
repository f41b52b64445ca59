"""``tradecover demo seed`` tells each step as it goes; ``demo sign-ins`` says where to go."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from tests.conftest import Database
from tradecover.cli.main import app as cli_app
from tradecover.config import get_settings
from tradecover.demo import DEMO_PASSWORD, DEMO_USERS


@pytest.fixture
def cli(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_the_seed_prints_each_step_with_its_time(cli: CliRunner) -> None:
    result = cli.invoke(cli_app, ["demo", "seed", "--exporters", "2"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    steps = [
        "organisations and sign-ins",
        "policy stories of 2 exporters",
        "a year of trading",
        "billing ",
        "premium payments and the arrears job",
    ]
    where = [next(i for i, line in enumerate(lines) if step in line) for step in steps]
    assert where == sorted(where)  # in the order they run
    assert all(" s " in lines[i] for i in where)  # each with its seconds
    again = cli.invoke(cli_app, ["demo", "seed", "--if-empty"])
    assert again.exit_code == 0 and "demo book not loaded" in again.output


def test_sign_ins_name_the_address_and_every_demo_user(cli: CliRunner) -> None:
    result = cli.invoke(cli_app, ["demo", "sign-ins", "--url", "http://127.0.0.1:8765"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8765" in result.output
    assert "http://127.0.0.1:8765/api/docs" in result.output
    assert DEMO_PASSWORD in result.output
    assert all(user.email in result.output for user in DEMO_USERS)

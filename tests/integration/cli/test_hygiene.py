"""The CLI refuses unsafe text at its entry: exit code 4, the field named, nothing written."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.conftest import Database
from tradecover.audit.model import AuditEntry
from tradecover.cli.main import app as cli_app
from tradecover.config import get_settings
from tradecover.country_risk.model import CountryRiskVersion
from tradecover.db.engine import transaction


@pytest.fixture
def cli(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _rows(db: Database) -> tuple[int, int]:
    with transaction(db.factory) as s:
        versions = s.scalar(select(func.count()).select_from(CountryRiskVersion))
        entries = s.scalar(select(func.count()).select_from(AuditEntry))
        return int(versions or 0), int(entries or 0)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["countries", "set", "DE", "--reason", "over\u202ewrite", "--risk-class", "3"], "reason"),
        (["countries", "set", "DE", "--reason=nul\x00here", "--risk-class", "3"], "reason"),
        (["countries", "set", "D\u2067E", "--reason", "ok", "--risk-class", "3"], "argument 3"),
    ],
)
def test_unsafe_text_exits_4_naming_the_field_and_writes_nothing(
    cli: CliRunner, db: Database, args: list[str], field: str
) -> None:
    before = _rows(db)
    result = cli.invoke(cli_app, args)
    assert result.exit_code == 4, result.output
    assert f"unsafe_text ({field})" in result.output
    assert _rows(db) == before


def test_a_prose_option_keeps_its_line_breaks(cli: CliRunner, db: Database) -> None:
    versions, entries = _rows(db)
    result = cli.invoke(
        cli_app, ["countries", "set", "DE", "--reason", "review\nQ4 2026", "--risk-class", "3"]
    )
    assert result.exit_code == 0, result.output
    assert _rows(db) == (versions + 1, entries + 1)
    with transaction(db.factory) as s:
        latest = s.scalars(
            select(CountryRiskVersion)
            .where(CountryRiskVersion.country == "DE")
            .order_by(CountryRiskVersion.id.desc())
        ).first()
        assert latest is not None
        assert (latest.reason, latest.risk_class) == ("review\nQ4 2026", 3)

"""``tradecover overdue daily-job`` and ``tradecover claims show|speed`` on the test database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from tests.conftest import Cast, Database
from tests.integration.claims.conftest import DUE, TODAY, Book, principal, run
from tradecover import claims
from tradecover.claims.indemnity import LossCause
from tradecover.claims.model import ClaimRow
from tradecover.cli.main import app
from tradecover.collections import service as collections
from tradecover.collections.overdue import LossCauseHint
from tradecover.config import get_settings


@pytest.fixture
def cli(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _ok(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_daily_job_and_claim_speed(cli: CliRunner, db: Database, cast: Cast, book: Book) -> None:
    reminder_day = DUE + timedelta(days=60)  # 30 days before the 90-day deadline
    out = _ok(cli, "overdue", "daily-job", "--today", reminder_day.isoformat())
    assert out.count("remind: declaration") == 2
    assert f"notice due by {(DUE + timedelta(days=90)).isoformat()} (30 days left)" in out
    exporter = principal(db, cast.exporter)
    first = book.declarations[0]
    run(
        db,
        lambda s: collections.file_notice(
            s, principal=exporter, declaration_id=first, cause=LossCauseHint.INSOLVENCY, today=TODAY
        ),
    )
    claim = run(
        db,
        lambda s: claims.file_claim(
            s,
            principal=exporter,
            today=TODAY,
            cause=LossCause.INSOLVENCY,
            lines=[claims.LineIn(declaration_id=first)],
        ),
    )
    assert isinstance(claim, ClaimRow)
    out = _ok(cli, "claims", "show", str(claim.id))
    assert f"claim {claim.id}: filed, insolvency, loss 30000.00 USD, indemnity 27000.00 USD" in out
    assert "notice_filed_on_time" in out
    late = TODAY + timedelta(days=55)
    out = _ok(cli, "claims", "speed", "--today", late.isoformat())
    assert (
        f"at risk: claim {claim.id} decision by "
        f"{(TODAY + timedelta(days=60)).isoformat()} (5 days left)" in out
    )
    result = cli.invoke(app, ["overdue", "daily-job", "--today", "not-a-date"])
    assert result.exit_code != 0
    assert "invalid_date" in result.output

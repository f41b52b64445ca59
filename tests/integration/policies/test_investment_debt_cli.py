"""``tradecover investment-debt ...``: application to claim payment on the test database,
with the API's figures and the CLI's exit codes; ``ledger check`` green at the end.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.builders.policies import LOAN
from tests.conftest import Cast, Database
from tests.integration.policies.investment_debt_flow import PREMIUMS, dates
from tradecover.cli.main import app
from tradecover.config import get_settings


@pytest.fixture
def cli(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _json(runner: CliRunner, *args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _fails(runner: CliRunner, code: int, error: str, *args: str) -> None:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    assert error in result.output


def test_lifecycle_through_the_cli(
    cli: CliRunner, db: Database, cast: Cast, tmp_path: Path
) -> None:
    d = dates()
    loan = tmp_path / "loan.json"
    loan.write_text(json.dumps(LOAN), encoding="utf-8")
    applied = _json(
        cli, "investment-debt", "apply", "--exporter", "acme-exports", "--input", str(loan)
    )
    assert (applied["application"]["status"], applied["principal"]) == (
        "submitted",
        "10000000.00",
    )
    app_id = str(applied["application"]["id"])
    drafted = _json(
        cli,
        "investment-debt",
        "underwrite",
        app_id,
        "--rate",
        "0.0085",
        "--inception",
        d.inception.isoformat(),
    )
    assert [p["premium"] for p in drafted["schedule"]["periods"]] == list(PREMIUMS)
    assert drafted["schedule"]["total_premium"] == "276250.00"
    pid = str(drafted["policy"]["id"])
    for step in ("quote", "issue"):
        assert cli.invoke(app, ["policies", step, pid]).exit_code == 0
    for position in (1, 2, 3):
        notice = d.notice(position)
        schedule = _json(
            cli,
            "investment-debt",
            "notice",
            pid,
            "--position",
            str(position),
            "--notice-date",
            notice.isoformat(),
        )
        assert (
            schedule["periods"][position - 1]["due_date"]
            == (notice + timedelta(days=30)).isoformat()
        )
        paid_on = notice + timedelta(days=30)
        schedule = _json(
            cli,
            "investment-debt",
            "pay-premium",
            pid,
            "--position",
            str(position),
            "--paid-on",
            paid_on.isoformat(),
        )
        assert schedule["periods"][position - 1]["paid_on"] == paid_on.isoformat()
    # late premium of period 4 is refused (409 -> exit 5); a repayment period 3 does not exist
    late = d.today - timedelta(days=40)
    _json(
        cli, "investment-debt", "notice", pid, "--position", "4", "--notice-date", late.isoformat()
    )
    _fails(
        cli,
        5,
        "late_premium_refused",
        "investment-debt",
        "pay-premium",
        pid,
        "--position",
        "4",
        "--paid-on",
        d.today.isoformat(),
    )
    _fails(
        cli,
        4,
        "no_such_repayment_period",
        "investment-debt",
        "claim",
        pid,
        "--repayment-period",
        "3",
        "--due-date",
        d.r1_due.isoformat(),
    )
    _fails(
        cli,
        4,
        "invalid_date",
        "investment-debt",
        "claim",
        pid,
        "--repayment-period",
        "1",
        "--due-date",
        "yesterday",
    )
    claim = _json(
        cli,
        "investment-debt",
        "claim",
        pid,
        "--repayment-period",
        "1",
        "--due-date",
        d.r1_due.isoformat(),
        "--missed-interest",
        "300000",
    )
    assert (claim["state"], claim["loss"], claim["indemnity"], claim["premium_set_off"]) == (
        "filed",
        "5300000.00",
        "5300000.00",
        "45050.00",
    )
    cid = str(claim["id"])
    _fails(cli, 5, "claim_not_approved", "investment-debt", "pay-claim", cid)
    _fails(cli, 3, "claim_not_found", "investment-debt", "approve", "999999")
    assert _json(cli, "investment-debt", "approve", cid)["state"] == "approved"
    paid = _json(cli, "investment-debt", "pay-claim", cid)
    assert (paid["state"], paid["net_payable"], paid["set_off_positions"]) == (
        "paid",
        "5254950.00",
        [4],
    )
    _fails(cli, 5, "claim_already_paid", "investment-debt", "pay-claim", cid)
    listed = _json(cli, "investment-debt", "claims", pid)
    assert [(c["id"], c["state"], c["net_payable"]) for c in listed] == [
        (int(cid), "paid", "5254950.00")
    ]
    period4 = _json(cli, "investment-debt", "schedule", pid)["periods"][3]
    assert (period4["status"], period4["paid_on"]) == ("paid_late", d.today.isoformat())
    result = cli.invoke(app, ["ledger", "check"])
    assert result.exit_code == 0, result.output
    balances = cli.invoke(app, ["ledger", "trial-balance"])
    assert "5254950.00" in balances.output and "5300000.00" in balances.output

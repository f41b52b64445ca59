"""``tradecover ledger check``: green after billing and payments, red naming what was tampered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from typer.testing import CliRunner

from tests.conftest import Cast, Database
from tests.integration.billing.helpers import book, declaration_row, declare
from tradecover.cli.main import app
from tradecover.config import get_settings
from tradecover.db.engine import transaction
from tradecover.reporting import books_check


@pytest.fixture
def cli(db: Database, cast: Cast, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _billed(db: Database, client: TestClient, cast: Cast, runner: CliRunner) -> None:
    b = book(db, client, cast)
    with transaction(db.factory) as s:
        declare(
            s,
            [
                declaration_row(
                    policy_id=b.policy_ids[0],
                    org_id=b.exporter_org_id,
                    buyer_id=b.buyer_id,
                    premium_minor=p,
                    day=date(2026, 10, 2 + i),
                    n=i,
                )
                for i, p in enumerate((12345, 1001, 55))
            ],
        )
    result = runner.invoke(
        app, ["billing", "run", "--month", "2026-10", "--issue-date", "2026-11-02"]
    )
    assert result.exit_code == 0, result.output
    assert "run 1 completed, 1 policies, 0 pending" in result.output
    paid = runner.invoke(
        app,
        [
            "billing",
            "pay",
            "--payer-kind",
            "exporter",
            "--payer-id",
            str(b.exporter_org_id),
            "--amount",
            "200.00 USD",
            "--reference",
            "BANK-9",
            "--received-on",
            "2026-11-20",
        ],
    )
    assert paid.exit_code == 0, paid.output
    assert "applied 134.01 USD, unapplied 65.99 USD" in paid.output


def test_check_is_green_after_billing_and_payments(
    db: Database, app_client: TestClient, cast: Cast, cli: CliRunner
) -> None:
    _billed(db, app_client, cast, cli)
    result = cli.invoke(app, ["ledger", "check"])
    assert result.exit_code == 0, result.output
    assert "trial balance zero" in result.output
    balances = cli.invoke(app, ["ledger", "trial-balance"])
    assert balances.exit_code == 0 and "unapplied_cash" in balances.output


def test_ledger_rows_are_append_only(
    db: Database, app_client: TestClient, cast: Cast, cli: CliRunner
) -> None:
    _billed(db, app_client, cast, cli)
    for statement in (
        "UPDATE ledger_lines SET amount_minor = 1",
        "DELETE FROM ledger_lines",
        "UPDATE ledger_entries SET key = 'x'",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction(db.factory) as s:
            s.execute(text(statement))
    with db.factory() as s:
        assert books_check.check(s) == []


def test_check_names_an_unbalanced_line(
    db: Database, app_client: TestClient, cast: Cast, cli: CliRunner
) -> None:
    _billed(db, app_client, cast, cli)
    with transaction(db.factory) as s:
        s.execute(
            text(
                "INSERT INTO ledger_lines (entry_id, account, side, currency, "
                "amount_minor, party) VALUES (1, 'premium_income', 'credit', 'USD', "
                "100, NULL)"
            )
        )
    result = cli.invoke(app, ["ledger", "check"])
    assert result.exit_code == 8
    with db.factory() as s:
        assert books_check.check(s) == [
            "trial balance in USD is off by -1.00 USD",
            "entry notice:1 does not balance in USD (by -1.00 USD)",
            "notice 1: premium income booked 135.01 USD, the notice bills 134.01 USD",
        ]


def test_check_names_a_notice_that_no_longer_reconciles(
    db: Database, app_client: TestClient, cast: Cast, cli: CliRunner
) -> None:
    _billed(db, app_client, cast, cli)
    with transaction(db.factory) as s:
        s.execute(
            text(
                "UPDATE declarations SET premium_minor = premium_minor + 1 "
                "WHERE invoice_number LIKE 'INV-%-1'"
            )
        )
        s.execute(text("UPDATE premium_notices SET exporter_paid_minor = 13000"))
    result = cli.invoke(app, ["ledger", "check"])
    assert result.exit_code == 8
    with db.factory() as s:
        problems = books_check.check(s)
    # the notice's part recomputed from its declarations, and the month billed for the policy
    assert problems[0] == (
        "notice 1 part 1 does not reconcile to its declarations: 3 lines of 134.01 USD "
        "stored, the declarations give 3 of 134.02 USD"
    )
    assert (
        problems[1].startswith("policy ")
        and ", 2026-10: its notices bill 13401 minor units, its declarations active at "
        in problems[1]
    )
    assert problems[1].endswith(" bear 13402")
    assert problems[2:] == [
        "premium receivable of exporter:2: the ledger says 0.00 USD, the sub-ledger 4.01 USD",
        "notice 1: exporter paid 13000 minor units stored, allocations add up to 13401",
    ]

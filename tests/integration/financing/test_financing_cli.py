"""``tradecover financing request|approve|acknowledge|list|base|end``: the operator moves an
assignment for the bank and the exporter and acts as the insurer [domain BA-2]
[domain BA-3]; bad terms exit non-zero and write nothing [domain BA-4].
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.conftest import Cast, Database
from tests.integration.claims.conftest import TODAY, Book
from tests.integration.financing.test_assignments_api import consent
from tradecover.cli import context
from tradecover.cli.main import app
from tradecover.config import get_settings
from tradecover.financing.model import LossPayeeAssignment


@pytest.fixture
def cli(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    monkeypatch.setenv("COLUMNS", "200")
    # the shared console read its width when first imported (80 on a CI runner)
    monkeypatch.setattr(context.console, "width", 200)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _request(policy_id: int, cap: str) -> list[str]:
    return [
        "financing",
        "request",
        str(policy_id),
        "--bank",
        "first-bank",
        "--priority",
        "1",
        "--cap",
        cap,
        "--advance-rate",
        "0.75",
        "--from",
        TODAY.isoformat(),
        "--reason",
        "receivables line",
    ]


def test_the_operator_moves_an_assignment_through_its_life(
    db: Database, cast: Cast, claims_book: Book, cli: CliRunner
) -> None:
    pid = claims_book.policy_id
    consent(db, cast.exporter.org_id, cast.bank.org_id)
    wrong = cli.invoke(app, _request(pid, "5000000.01"))
    assert wrong.exit_code != 0 and "cap_exceeds_liability" in wrong.output, wrong.output
    with db.factory() as s:
        assert s.execute(select(func.count()).select_from(LossPayeeAssignment)).scalar_one() == 0
    done = cli.invoke(app, _request(pid, "20000"))
    assert done.exit_code == 0 and "assignment 1: requested" in done.output, done.output
    steps = [
        (["approve", "1", "--reason", "ok", "--as", "acme-exports"], "approved"),
        (["acknowledge", "1", "--reason", "noted"], "active"),
    ]
    for args, status in steps:
        r = cli.invoke(app, ["financing", *args])
        assert r.exit_code == 0 and f"assignment 1: {status}" in r.output, r.output
    listed = cli.invoke(app, ["financing", "list", "--status", "active"])
    assert listed.exit_code == 0 and "20000.00 USD" in listed.output, listed.output
    base = cli.invoke(app, ["financing", "base", "--bank", "first-bank"])
    assert base.exit_code == 0 and "First Bank" in base.output, base.output
    r = cli.invoke(app, ["financing", "end", "1", "--reason", "loan repaid", "--as", "first-bank"])
    assert r.exit_code == 0 and "assignment 1: ended" in r.output, r.output

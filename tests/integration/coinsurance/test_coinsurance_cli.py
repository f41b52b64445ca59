"""``tradecover coinsurance set|show|statement`` and the ledger check naming a tampered
split [domain CO-5] [domain CO-9] [domain CO-10]."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from tests.conftest import Cast, Database, make_org
from tests.integration.billing.helpers import OCT, book, declaration_row, declare
from tradecover import access
from tradecover.access import OrganisationKind
from tradecover.billing import jobs
from tradecover.billing.notice import DEFAULT_TERMS
from tradecover.cli.main import app
from tradecover.coinsurance.model import CoinsuranceAllocation, CoinsuranceParticipation
from tradecover.config import get_settings
from tradecover.db.engine import transaction
from tradecover.reporting import books_check


@pytest.fixture
def cli(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_set_show_statement_and_a_tampered_split_is_named(
    db: Database, app_client: TestClient, cast: Cast, cli: CliRunner
) -> None:
    b = book(db, app_client, cast)
    pid = b.policy_ids[0]
    with transaction(db.factory) as s:
        alpha = make_org(s, slug="co-alpha", kind=OrganisationKind.COINSURER, region=None)
        lead = access.insurer(s).id
        declare(
            s,
            [
                declaration_row(
                    policy_id=pid,
                    org_id=b.exporter_org_id,
                    buyer_id=b.buyer_id,
                    premium_minor=1001,
                    day=OCT,
                    n=1,
                )
            ],
        )
    wrong = cli.invoke(
        app,
        [
            "coinsurance",
            "set",
            str(pid),
            "--part",
            "insurer:lead:60:2020-01-01",
            "--part",
            "co-alpha:follower:30:2020-01-01",
            "--reason",
            "pool",
        ],
    )
    assert wrong.exit_code == 4, wrong.output
    assert "100" in wrong.output
    with db.factory() as s:
        assert (
            s.execute(select(func.count()).select_from(CoinsuranceParticipation)).scalar_one() == 0
        )
    done = cli.invoke(
        app,
        [
            "coinsurance",
            "set",
            str(pid),
            "--part",
            "insurer:lead:60:2020-01-01",
            "--part",
            "co-alpha:follower:40:2020-01-01",
            "--reason",
            "pool",
        ],
    )
    assert done.exit_code == 0, done.output
    shown = cli.invoke(app, ["coinsurance", "show", str(pid)])
    assert shown.exit_code == 0, shown.output
    assert [line.split() for line in shown.output.splitlines() if "2020-01-01" in line] == [
        ["│", str(lead), "│", "lead", "│", "60", "│", "2020-01-01", "│", "-", "│"],
        ["│", str(alpha), "│", "follower", "│", "40", "│", "2020-01-01", "│", "-", "│"],
    ]
    with transaction(db.factory) as s:
        system = access.system_principal(s)
    jobs.run_month(
        db.factory,
        principal=system,
        month="2026-10",
        issue_date=OCT.replace(month=11),
        terms=DEFAULT_TERMS,
    )
    # 10.01: 60 % = 6.006 -> 6.00 + the odd cent (remainder .6 beats .4) = 6.01; 40 % = 4.00
    statement = cli.invoke(
        app,
        [
            "coinsurance",
            "statement",
            "--org",
            "co-alpha",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
        ],
    )
    assert statement.exit_code == 0, statement.output
    assert [line.split() for line in statement.output.splitlines() if "USD" in line] == [
        ["│", str(pid), "│", "USD", "│", "4.00", "│", "0.00", "│", "0.00", "│"]
    ]
    with db.factory() as s:
        assert books_check.check(s) == []
    with transaction(db.factory) as s:
        s.execute(
            text(
                "UPDATE coinsurance_allocations SET amount_minor = amount_minor + 1 "
                "WHERE org_id = :o"
            ),
            {"o": alpha},
        )
    with db.factory() as s:
        nid = s.execute(select(CoinsuranceAllocation.source_id)).scalars().first()
        assert books_check.check(s) == [
            f"coinsurance split of notice {nid} (exporter): the parts sum to 10.02 USD, "
            "the whole is 10.01 USD",
            f"coinsurance entry of notice {nid}: the ledger books {{'insurer:{lead}': 601, "
            f"'insurer:{alpha}': 400}} to the insurers and -1001 to the pool, the split "
            f"{{'insurer:{lead}': 601, 'insurer:{alpha}': 401}} and -1002 (USD minor units)",
        ]
    check = cli.invoke(app, ["ledger", "check"])
    assert check.exit_code != 0

"""Kill the billing CLI with SIGKILL at random moments mid-run, rerun: every notice exactly once.

Runs on SQLite and (with ``TRADECOVER_TEST_DATABASE_URL``) on PostgreSQL.  Each kill waits
until a random number of notices is committed, so every kill lands in the middle of a
run; after the final rerun every policy has exactly one notice (one part), every billable
declaration is counted exactly once, every total reconciles to the cent, and the trial balance
is zero.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.pool import NullPool

from tests.conftest import Cast, Database
from tests.integration.billing.helpers import (
    add_programme,
    book,
    declaration_row,
    declare,
    profile,
)
from tradecover.billing.model import PremiumNotice, PremiumNoticePart
from tradecover.db.engine import transaction
from tradecover.kit.money import Money
from tradecover.ledger import service as ledger
from tradecover.ledger.model import LedgerEntry
from tradecover.reporting import books_check
from tradecover.subsidies.model import SubsidyProgramme
from tradecover.subsidies.programme import Programme

POLICIES = 80
PER_POLICY = 6
CLI = [
    sys.executable,
    "-c",
    "from tradecover.cli.main import main; main()",
    "billing",
    "run",
    "--month",
    "2026-10",
    "--issue-date",
    "2026-11-02",
    "--batch-size",
    "1",
    "--quiet",
]


def _notices(watch: Engine) -> int:
    """Committed notices, read without taking SQLite's write lock (plain deferred reads)."""
    with watch.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(PremiumNotice)).scalar_one())


def test_sigkill_at_random_moments_then_rerun_bills_every_notice_exactly_once(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
    rng = random.Random(20261102)
    b = book(db, app_client, cast, policies=POLICIES)
    profile(app_client, cast.exporter)
    expected: dict[int, int] = {}
    rows = []
    for i in range(POLICIES * PER_POLICY):
        pid = b.policy_ids[i % POLICIES]
        premium = rng.randint(1, 500_000)
        expected[pid] = expected.get(pid, 0) + premium
        rows.append(
            declaration_row(
                policy_id=pid,
                org_id=b.exporter_org_id,
                buyer_id=b.buyer_id,
                premium_minor=premium,
                day=date(2026, 10, 1 + i % 31),
                n=i,
            )
        )
    with transaction(db.factory) as s:
        declare(s, rows)
        add_programme(
            s,
            Programme(
                code="ZJ",
                name="Zhejiang",
                sponsor="ZJ",
                currency="USD",
                share=Decimal("0.8"),
                budget=Money.of("2000.00", "USD"),
            ),
            slug="zj-fund",
        )
    env = {**os.environ, "TRADECOVER_DATABASE_URL": db.url}
    db.engine.dispose()
    watch = create_engine(db.url, poolclass=NullPool)
    killed_mid_run = 0
    for _ in range(8):
        done_before = _notices(watch)
        if done_before >= POLICIES - 2 or killed_mid_run >= 4:
            break
        target = min(done_before + rng.randint(1, 4), POLICIES - 1)
        process = subprocess.Popen(
            CLI, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while _notices(watch) < target and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.random() * 0.05)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait()
            if _notices(watch) < POLICIES:
                killed_mid_run += 1
    assert killed_mid_run >= 3
    final = subprocess.run(CLI, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert final.returncode == 0, final.stderr
    with db.factory() as s:
        totals = dict(s.execute(select(PremiumNotice.policy_id, PremiumNotice.total_minor)).all())
        assert totals == expected
        assert (
            int(s.execute(select(func.sum(PremiumNotice.line_count))).scalar_one())
            == POLICIES * PER_POLICY
        )
        assert (
            int(s.execute(select(func.count()).select_from(PremiumNoticePart)).scalar_one())
            == POLICIES
        )
        assert (
            int(s.execute(select(func.count()).select_from(LedgerEntry)).scalar_one()) == POLICIES
        )
        budget = s.execute(select(SubsidyProgramme.used_minor)).scalar_one()
        assert budget == 200_000  # the 2,000.00 budget used up exactly, never passed
        assert books_check.check(s) == []
        tb = ledger.trial_balance(s)
        assert tb.is_balanced() and tb.currencies() == ("USD",)

"""Benchmark: the monthly billing run with every policy coinsured by three insurers, against
the same run without coinsurance, in the same process (PostgreSQL).

Run:  .venv/bin/python benchmarks/billing_coinsured.py [--url postgresql+psycopg://...]
      [--policies 2000] [--declarations 200000] [--workers 2] [--batch 1000]

Builds two identical databases (``<db>`` and ``<db>_co``) exactly as
``benchmarks/billing_run.py`` does (exporters with profiles, policies, one month of
declarations loaded with ``COPY``, two subsidy programmes); in the second, every policy
is shared by the issuing insurer (33.34 %) and two co-insurers (33.33 % each).  Then it
bills the month in each, alternately, and prints both wall times and their ratio (the aim:
at most 1.5 x, [domain CO-7]); ``ledger check`` must be green on both, and the coinsured
run must have split every notice to the cent.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from billing_run import MONTH, _fresh, _raw, add_programmes, load

from tradecover.billing import jobs
from tradecover.billing.notice import DEFAULT_TERMS
from tradecover.buyers import service as buyers
from tradecover.db import migrate
from tradecover.db.engine import make_engine, make_session_factory, transaction
from tradecover.reporting import books_check


def build(url: str, args: argparse.Namespace, *, coinsured: bool) -> None:
    """A fresh database with the book; every policy shared by three insurers if asked."""
    from tradecover.access.service import system_principal

    _fresh(url)
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with transaction(factory) as s:
        buyer = buyers.register_buyer(
            s, principal=system_principal(s), name="Muller GmbH", country="DE"
        ).buyer.id
    engine.dispose()
    load(
        url,
        exporters=args.exporters,
        policies=args.policies,
        declarations=args.declarations,
        buyer=buyer,
    )
    if not coinsured:
        return
    with _raw(url) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO organisations (slug, name, kind, country, region, created_at) VALUES "
            "('co-alpha', 'Alpha Re', 'coinsurer', 'CN', NULL, now()), "
            "('co-beta', 'Beta Mutual', 'coinsurer', 'CN', NULL, now())"
        )
        cur.execute(
            "INSERT INTO coinsurance_participations (policy_id, org_id, role, share, "
            "effective_from, effective_to) SELECT p.id, o.id, CASE WHEN o.kind = 'insurer' "
            "THEN 'lead' ELSE 'follower' END, CASE WHEN o.kind = 'insurer' THEN '33.34' "
            "ELSE '33.33' END, DATE '2020-01-01', NULL FROM policies p CROSS JOIN "
            "organisations o WHERE o.kind = 'insurer' OR o.slug IN ('co-alpha', 'co-beta')"
        )
        conn.commit()
        cur.execute("ANALYZE")


def bill(url: str, args: argparse.Namespace) -> tuple[float, list[str], int, int]:
    """Bill the month; (wall seconds, ledger check problems, notices, split notices)."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    principal = add_programmes(factory)
    started = time.perf_counter()
    state = jobs.run_month(
        factory,
        principal=principal,
        month=MONTH,
        issue_date=date(2026, 11, 2),
        terms=DEFAULT_TERMS,
        batch_size=args.batch,
        workers=args.workers,
    )
    wall = time.perf_counter() - started
    assert state.status == "completed", state
    with transaction(factory) as s:
        problems = books_check.check(s)
        notices = int(s.execute(text("SELECT count(*) FROM premium_notices")).scalar_one())
        split = int(
            s.execute(
                text("SELECT count(DISTINCT source_id) FROM coinsurance_allocations")
            ).scalar_one()
        )
    engine.dispose()
    return wall, problems, notices, split


def main() -> None:
    """Build both databases, bill both, report the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url",
        default=os.environ.get(
            "TRADECOVER_BENCH_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/tc_coins_bench"
        ),
    )
    parser.add_argument("--exporters", type=int, default=200)
    parser.add_argument("--policies", type=int, default=2000)
    parser.add_argument("--declarations", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=jobs.DEFAULT_BATCH)
    args = parser.parse_args()
    plain_url = args.url
    co_url = str(make_url(args.url).set(database=f"{make_url(args.url).database}_co"))
    build(plain_url, args, coinsured=False)
    build(co_url, args, coinsured=True)
    plain, plain_problems, plain_notices, plain_split = bill(plain_url, args)
    co, co_problems, co_notices, co_split = bill(co_url, args)
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}; PostgreSQL at {make_url(args.url).host}"
    )
    print(
        f"{args.policies:,} policies, {args.declarations:,} declarations, "
        f"{args.workers} workers, batches of {args.batch}"
    )
    print(f"billing run without coinsurance: {plain:.2f} s ({plain_notices:,} notices)")
    print(
        f"billing run, every policy coinsured by three insurers: {co:.2f} s "
        f"({co_notices:,} notices, {co_split:,} split)"
    )
    print(f"ratio coinsured / plain: {co / plain:.2f} x (aim: at most 1.5 x)")
    print(
        f"ledger check: plain {'green' if not plain_problems else plain_problems[:3]}, "
        f"coinsured {'green' if not co_problems else co_problems[:3]}"
    )
    if plain_problems or co_problems or plain_split or co_split != co_notices:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

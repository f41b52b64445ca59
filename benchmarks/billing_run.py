"""Benchmark of the monthly billing run on PostgreSQL.

Run:  .venv/bin/python benchmarks/billing_run.py [--url postgresql+psycopg://postgres@127.0.0.1:5432/tc_billing_bench]
      [--policies 10000] [--declarations 1000000] [--workers 4] [--batch 1000]

Builds a fresh database (migrated by Alembic), 1,000 exporters with profiles, 10,000
policies and 1,000,000 declarations of one month loaded with ``COPY``, and two subsidy
programmes (one by region with a budget, one by HS chapter with a cap per exporter).  Then,
in the same run and on the same rows:

1. the bare set-based SQL aggregation: ``SELECT policy_id, count(*), sum(premium_minor)
   ... GROUP BY policy_id`` (what any billing must at least do);
2. the billing run end to end (:func:`tradecover.billing.jobs.run_month`): run items with
   their part sums (one pass at enqueue), notices and their parts, subsidy splits with
   eligibility recorded, programme usage, a balanced ledger entry per notice, credit notes
   applied, audit; then ``ledger check`` must be green.

Reports wall times, their ratio, rows per second and the peak RSS of this process
(``ru_maxrss``) after loading and after the run: memory stays flat because no
declaration is brought into Python.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import resource
import sys
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tradecover.access import Principal
from tradecover.access.service import system_principal
from tradecover.billing import jobs
from tradecover.billing.notice import DEFAULT_TERMS
from tradecover.buyers import service as buyers
from tradecover.db import migrate
from tradecover.db.engine import make_engine, make_session_factory, transaction
from tradecover.kit.money import Money
from tradecover.policies.model import Policy
from tradecover.reporting import books_check
from tradecover.subsidies import service as subsidies
from tradecover.subsidies.programme import Programme

MONTH = "2026-10"


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fresh(url: str) -> None:
    u = make_url(url)
    with psycopg.connect(
        host=u.host or "127.0.0.1",
        port=u.port or 5432,
        user=u.username or "postgres",
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{u.database}"')


def _raw(url: str) -> psycopg.Connection:
    u = make_url(url)
    return psycopg.connect(
        host=u.host or "127.0.0.1",
        port=u.port or 5432,
        user=u.username or "postgres",
        dbname=u.database,
    )


def _policy_values() -> dict[str, object]:
    """A value for every NOT NULL column of ``policies`` (billing reads only a few)."""
    special: dict[str, object] = {
        "state": "active",
        "currency": "USD",
        "product": "short_term_comprehensive",
        "declaration_frequency": "monthly",
        "rate_table": "ST-2026",
    }
    values: dict[str, object] = {}
    for col in Policy.__table__.columns:
        if col.primary_key or col.nullable or col.name in ("exporter_org_id", "number"):
            continue
        kind = type(col.type).__name__
        if col.name in special:
            values[col.name] = special[col.name]
        elif kind == "Date":
            values[col.name] = date(2026, 1, 1) if col.name != "expiry" else date(2026, 12, 31)
        elif kind in ("Boolean",):
            values[col.name] = True
        elif kind in ("BigInteger", "Integer"):
            values[col.name] = 0
        elif kind == "DecimalText":
            values[col.name] = "0.5"
        elif kind == "JSONText":
            values[col.name] = "{}"
        elif kind == "UTCDateTime":
            values[col.name] = datetime(2026, 1, 1, tzinfo=UTC)
        else:
            values[col.name] = "x"
    return values


def load(url: str, *, exporters: int, policies: int, declarations: int, buyer: int) -> None:
    """Organisations, profiles, policies, one buyer and the declarations (COPY)."""
    now = datetime(2026, 10, 31, tzinfo=UTC)
    with _raw(url) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY organisations (slug, name, kind, country, region, created_at) FROM STDIN"
        ) as copy:
            for i in range(exporters):
                copy.write_row(
                    (
                        f"exporter-{i}",
                        f"Exporter {i}",
                        "exporter",
                        "CN",
                        "CN-ZJ" if i % 2 else "CN-GD",
                        now,
                    )
                )
            copy.write_row(("zj-fund", "Zhejiang fund", "subsidy_programme", "CN", None, now))
            copy.write_row(("mach-fund", "Machinery fund", "subsidy_programme", "CN", None, now))
        cur.execute(
            "INSERT INTO exporter_profiles (org_id, legal_name, region, size_class, "
            "cross_border_ecommerce, currency, previous_year_exports_minor, "
            "export_history, products, destination_countries, main_buyers, updated_at) "
            "SELECT id, name, region, 'small', false, 'USD', 300000000, '[]', '[]', "
            "'[]', '[]', now() FROM organisations WHERE kind = 'exporter'"
        )
        values = _policy_values()
        cols = list(values)
        first = int(
            cur.execute("SELECT min(id) FROM organisations WHERE kind = 'exporter'").fetchone()[0]
        )  # type: ignore[index]
        with cur.copy(f"COPY policies (exporter_org_id, {', '.join(cols)}) FROM STDIN") as copy:
            for i in range(policies):
                copy.write_row((first + i % exporters, *values.values()))
        pols = [
            (int(p), int(o))
            for p, o in cur.execute(
                "SELECT id, exporter_org_id FROM policies ORDER BY id"
            ).fetchall()
        ]
        columns = (
            "exporter_org_id, policy_id, buyer_id, buyer_country, invoice_number, "
            "shipment_date, due_date, credit_days, payment_terms, transport_mode, hs_code, "
            "goods_description, currency, invoice_minor, prepayment_minor, insured_minor, "
            "covered_minor, uninsured_minor, collected_minor, cover_status, reason_code, "
            "cover_explanation, rate, premium_minor, declaration_date, declaration_due, "
            "late, days_late, status, channel, declared_at, declared_by"
        )
        started = time.perf_counter()
        with cur.copy(f"COPY declarations ({columns}) FROM STDIN") as copy:
            buf = io.StringIO()
            for i in range(declarations):
                pid, org = pols[i % len(pols)]
                day = f"2026-10-{1 + i % 31:02d}"
                insured = 100_000 + (i * 7919) % 5_000_000
                premium = insured * 45 // 10_000
                hs = "8471.30" if i % 3 else "6109.10"
                buf.write(
                    f"{org}\t{pid}\t{buyer}\tDE\tINV-{i}\t{day}\t2026-12-30\t60\tOA\tsea\t"
                    f"{hs}\tgoods\tUSD\t{insured}\t0\t{insured}\t{insured}\t0\t0\t"
                    f"covered_in_full\tcovered\tcovered\t0.0045\t{premium}\t{day}\t{day}\t"
                    f"f\t0\tactive\tapi\t2026-10-31 00:00:00+00\tbench\n"
                )
                if i % 50_000 == 49_999:
                    copy.write(buf.getvalue())
                    buf = io.StringIO()
            copy.write(buf.getvalue())
        conn.commit()
        cur.execute("ANALYZE")
        print(
            f"loaded {declarations:,} declarations of {policies:,} policies "
            f"({exporters:,} exporters) with COPY in {time.perf_counter() - started:.1f} s"
        )


def add_programmes(factory: sessionmaker[Session]) -> Principal:
    """The two subsidy programmes of the benchmark; the system principal that bills."""
    with transaction(factory) as s:
        principal = system_principal(s)
        orgs: dict[str, int] = {
            str(slug): int(i)
            for slug, i in s.execute(
                text("SELECT slug, id FROM organisations WHERE kind = 'subsidy_programme'")
            )
        }
        subsidies.create_programme(
            s,
            principal=principal,
            sponsor_org_id=orgs["zj-fund"],
            programme=Programme(
                code="ZJ",
                name="Zhejiang",
                sponsor="ZJ",
                currency="USD",
                share=Decimal("0.8"),
                regions=("CN-ZJ",),
                budget=Money.of("5000000", "USD"),
            ),
        )
        subsidies.create_programme(
            s,
            principal=principal,
            sponsor_org_id=orgs["mach-fund"],
            programme=Programme(
                code="MACH",
                name="Machinery",
                sponsor="M",
                currency="USD",
                share=Decimal("0.1"),
                hs_chapters=("84",),
                cap_per_exporter_year=Money.of("500", "USD"),
            ),
        )
    return principal


def main() -> None:
    """Build, measure, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url",
        default=os.environ.get(
            "TRADECOVER_BENCH_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/tc_billing_bench"
        ),
    )
    parser.add_argument("--exporters", type=int, default=1000)
    parser.add_argument("--policies", type=int, default=10_000)
    parser.add_argument("--declarations", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--batch", type=int, default=jobs.DEFAULT_BATCH)
    args = parser.parse_args()
    _fresh(args.url)
    migrate.upgrade(args.url)
    engine = make_engine(args.url)
    factory = make_session_factory(engine)
    with transaction(factory) as s:
        buyer = buyers.register_buyer(
            s, principal=system_principal(s), name="Muller GmbH", country="DE"
        ).buyer.id
    load(
        args.url,
        exporters=args.exporters,
        policies=args.policies,
        declarations=args.declarations,
        buyer=buyer,
    )
    principal = add_programmes(factory)
    rss_loaded = _rss_mib()

    with engine.connect() as conn:
        started = time.perf_counter()
        rows = conn.execute(
            text(
                "SELECT policy_id, count(*), sum(premium_minor) FROM declarations d WHERE "
                "d.status = 'active' AND d.premium_minor > 0 AND d.declaration_date >= :s AND "
                "d.declaration_date <= :e GROUP BY policy_id"
            ),
            {"s": date(2026, 10, 1), "e": date(2026, 10, 31)},
        ).all()
        bare = time.perf_counter() - started
    expected_total = sum(int(r[2]) for r in rows)

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
    run = time.perf_counter() - started
    rss_run = _rss_mib()

    with transaction(factory) as s:
        counts = {
            t: int(s.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())
            for t in (
                "premium_notices",
                "premium_notice_parts",
                "notice_splits",
                "ledger_entries",
                "ledger_lines",
            )
        }
        billed = int(s.execute(text("SELECT sum(total_minor) FROM premium_notices")).scalar_one())
        billed_lines = int(
            s.execute(text("SELECT sum(line_count) FROM premium_notices")).scalar_one()
        )
        granted = int(
            s.execute(
                text("SELECT coalesce(sum(granted_minor), 0) FROM notice_splits")
            ).scalar_one()
        )
        started = time.perf_counter()
        problems = books_check.check(s)
        check_s = time.perf_counter() - started
    engine.dispose()
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}; PostgreSQL at {make_url(args.url).host}"
    )
    print(f"bare SQL aggregation ({len(rows):,} policies): {bare:.2f} s")
    print(
        f"billing run end to end ({args.workers} workers, batches of {args.batch}): "
        f"{run:.2f} s = {run / bare:.1f} x the bare aggregation; "
        f"{billed_lines / run:,.0f} declarations/s; state {state.status}"
    )
    print(f"written: {counts}")
    print(
        f"billed {Money.from_minor(billed, 'USD')} (bare SQL: "
        f"{Money.from_minor(expected_total, 'USD')}), subsidies "
        f"{Money.from_minor(granted, 'USD')}; ledger check {check_s:.2f} s: "
        f"{'green' if not problems else problems[:5]}"
    )
    print(f"peak RSS: {rss_loaded:.0f} MiB after loading, {rss_run:.0f} MiB after the run")
    if problems or billed != expected_total:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

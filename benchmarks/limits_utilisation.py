"""Utilisation of every credit limit, and one limit decision through the API.

Loads a book into a fresh PostgreSQL database with ``COPY`` (psycopg): 100,000 buyers
(rated, with aggregate limits), 300,000 credit limits (one version each) on three
exporters' policies, and 1,000,000 outstanding declarations on those limits.  Then reports

* the time of the utilisation query for every limit in the book
  (:func:`tradecover.limits.repository.utilisation_query`: one set-based query over the
  ``limit_outstanding`` view; aim < 1 s), best and median of several runs;
* p50/p99 of one limit decision (``POST /api/v1/limit-applications/{id}/decision``, an
  underwriter approving a pending application) through a real uvicorn server in a process
  of its own, with one keep-alive client (aim p99 < 20 ms).

    .venv/bin/python benchmarks/limits_utilisation.py [--buyers 100000] [--limits 300000]
        [--declarations 1000000] [--decisions 500] [--warmup 50] [--with-covering-index]

The database is ``TRADECOVER_BENCH_DATABASE_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/tc_bench_limits``); it is dropped and
created again.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import _app_server as app_server
import httpx
import psycopg
from sqlalchemy import make_url

from tradecover.access import service as access
from tradecover.access.roles import OrganisationKind, Role
from tradecover.buyers import BuyerProfile, CompanyType, Sector, SizeBand, rate_buyer
from tradecover.db import bootstrap, migrate
from tradecover.db.base import canonical_json
from tradecover.db.engine import make_engine, make_session_factory, transaction
from tradecover.kit.dates import business_today
from tradecover.kit.money import Money
from tradecover.limits import repository
from tradecover.policies import service as policies
from tradecover.policies.schedule import (
    DeclarationFrequency,
    InsurableScope,
    PolicySchedule,
    Product,
)
from tradecover.reference.payment_terms import PaymentTerms

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/tc_bench_limits"
EXPORTERS = 3
COUNTRIES = [
    "DE",
    "US",
    "FR",
    "GB",
    "NL",
    "IT",
    "ES",
    "JP",
    "KR",
    "BR",
    "MX",
    "TR",
    "AE",
    "IN",
    "VN",
    "ID",
    "TH",
    "PL",
    "SE",
    "CH",
]
COVERING_INDEX = (
    "CREATE INDEX ix_declarations_outstanding ON declarations (limit_id) "
    "INCLUDE (covered_minor, collected_minor, shipment_date) "
    "WHERE status = 'active' AND limit_id IS NOT NULL"
)
"""An index-only path for ``limit_outstanding``: read in limit order, no sort, no heap."""


def _fresh_database(url: str) -> None:
    u = make_url(url)
    with psycopg.connect(
        host=u.host or "127.0.0.1",
        port=u.port or 5432,
        user=u.username or "postgres",
        password=u.password,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{u.database}"')


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _schedule() -> PolicySchedule:
    return PolicySchedule(
        currency="USD",
        expected_turnover=Money.of("500000000", "USD"),
        maximum_liability=Money.of("200000000", "USD"),
        indemnity_commercial_pct=Decimal(90),
        indemnity_political_pct=Decimal(95),
        declaration_frequency=DeclarationFrequency.MONTHLY,
        rate_table="ST-2026",
        base_rate_pct=Decimal("0.45"),
        scope=InsurableScope(
            destination_countries=(),
            payment_terms=(PaymentTerms.OA, PaymentTerms.DA, PaymentTerms.DP),
            max_credit_days=180,
            hs_chapters=("84",),
        ),
    )


def _setup_orgs(url: str) -> dict[str, Any]:
    """Insurer staff, three exporters with active policies, and their API keys."""
    migrate.upgrade(url)
    engine = make_engine(url)
    today = business_today()
    out: dict[str, Any] = {"exporters": []}
    with transaction(make_session_factory(engine)) as s:
        bootstrap.load_reference_data(s)
        system = access.system_principal(s)
        insurer = access.insurer(s)
        _k, out["underwriter"] = access.create_api_key(
            s, principal=system, org=insurer, role=Role.UNDERWRITER, name="bench uw"
        )
        for n in range(EXPORTERS):
            org = access.create_organisation(
                s,
                principal=system,
                slug=f"bench-exporter-{n}",
                name=f"Bench Exporter {n}",
                kind=OrganisationKind.EXPORTER,
                country="CN",
                region="CN-ZJ",
            )
            _k, secret = access.create_api_key(
                s, principal=system, org=org, role=Role.EXPORTER, name="bench"
            )
            app = policies.submit_application(
                s,
                principal=system,
                exporter_org_id=org.id,
                product=Product.SHORT_TERM_COMPREHENSIVE,
                currency="USD",
                expected_turnover=Money.of("500000000", "USD"),
                requested_inception=today,
                destination_countries=[],
                payment_terms=[PaymentTerms.OA, PaymentTerms.DA],
                max_credit_days=180,
                hs_chapters=["84"],
                notes=None,
            )
            policy = policies.underwrite(
                s, principal=system, application_id=app.id, schedule=_schedule(), inception=today
            )
            policies.quote(s, principal=system, policy_id=policy.id)
            policies.issue(s, principal=system, policy_id=policy.id, today=today)
            out["exporters"].append({"org_id": org.id, "policy_id": policy.id, "key": secret})
    engine.dispose()
    return out


def _rows(count: int, make: Any) -> Iterator[tuple[Any, ...]]:
    for i in range(1, count + 1):
        yield make(i)


def _copy(
    conn: psycopg.Connection[Any], table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]
) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _load(
    url: str, orgs: dict[str, Any], *, buyers: int, limits: int, declarations: int, spare: int
) -> dict[str, Any]:
    """COPY the book in; ``spare`` extra buyers (no limits) take the timed decisions."""
    rng = random.Random(20261123)
    now = datetime.now(UTC)
    today = business_today()
    rating = rate_buyer(
        BuyerProfile(
            country_class=2,
            company_type=CompanyType.LISTED,
            size=SizeBand.LARGE,
            sector=Sector.MACHINERY,
        )
    )
    contributions = canonical_json(
        [
            {"factor": c.factor, "value": c.value, "points": c.points, "explanation": c.explanation}
            for c in rating.contributions
        ]
    )
    total_buyers = buyers + spare
    exporters = orgs["exporters"]
    per_exporter = -(-limits // len(exporters))
    if per_exporter > buyers:
        raise SystemExit("need at least limits / 3 buyers")
    amounts = [
        rng.choice((50_000, 100_000, 250_000, 500_000, 1_000_000)) * 100 for _ in range(limits)
    ]
    started = time.perf_counter()
    with psycopg.connect(_libpq(url)) as conn:
        _copy(
            conn,
            "buyers",
            [
                "id",
                "kind",
                "legal_name",
                "normalised_name",
                "other_names",
                "country",
                "registration_number",
                "sector",
                "size",
                "company_type",
                "financials",
                "overdue_reports",
                "adverse_events",
                "defaults_on_record",
                "created_at",
                "created_by",
                "updated_at",
            ],
            _rows(
                total_buyers,
                lambda i: (
                    i,
                    "buyer",
                    f"Bench Buyer {i:06d} GmbH",
                    f"bench buyer {i:06d}",
                    "[]",
                    COUNTRIES[i % len(COUNTRIES)],
                    f"REG-{i:07d}",
                    "machinery",
                    "large",
                    "listed",
                    "{}",
                    0,
                    "[]",
                    0,
                    now,
                    "bench",
                    now,
                ),
            ),
        )
        _copy(
            conn,
            "buyer_ratings",
            [
                "id",
                "buyer_id",
                "model_version",
                "score",
                "grade",
                "pd",
                "hard_stop",
                "hard_stop_reasons",
                "contributions",
                "rated_at",
                "rated_by",
            ],
            _rows(
                total_buyers,
                lambda i: (
                    i,
                    i,
                    rating.model_version,
                    rating.score,
                    rating.grade,
                    str(rating.pd),
                    rating.hard_stop,
                    "[]",
                    contributions,
                    now,
                    "bench",
                ),
            ),
        )
        limit_org = [exporters[(i - 1) // per_exporter] for i in range(1, limits + 1)]
        limit_buyer = [(i - 1) % per_exporter + 1 for i in range(1, limits + 1)]
        used: dict[int, int] = {}
        for i in range(limits):
            used[limit_buyer[i]] = used.get(limit_buyer[i], 0) + amounts[i]
        aggregate = 50_000_000 * 100
        _copy(
            conn,
            "buyer_aggregates",
            [
                "buyer_id",
                "currency",
                "suggested_minor",
                "aggregate_minor",
                "guard_cap_minor",
                "committed_minor",
                "model_version",
                "updated_at",
            ],
            _rows(
                total_buyers,
                lambda i: (
                    i,
                    "USD",
                    aggregate,
                    aggregate,
                    aggregate,
                    used.get(i, 0),
                    rating.model_version,
                    now,
                ),
            ),
        )
        relationships = [(e["org_id"], b) for e in exporters for b in range(1, per_exporter + 1)]
        relationships += [(exporters[0]["org_id"], b) for b in range(buyers + 1, total_buyers + 1)]
        _copy(
            conn,
            "exporter_buyer_relationships",
            ["id", "org_id", "buyer_id", "created_at"],
            ((n, org, b, now) for n, (org, b) in enumerate(relationships, start=1)),
        )
        start = today - timedelta(days=200)
        _copy(
            conn,
            "credit_limits",
            [
                "id",
                "org_id",
                "policy_id",
                "buyer_id",
                "country",
                "currency",
                "amount_minor",
                "committed_usd_minor",
                "status",
                "payment_terms",
                "credit_period_days",
                "effective_from",
                "current_version",
                "created_at",
                "updated_at",
            ],
            _rows(
                limits,
                lambda i: (
                    i,
                    limit_org[i - 1]["org_id"],
                    limit_org[i - 1]["policy_id"],
                    limit_buyer[i - 1],
                    COUNTRIES[limit_buyer[i - 1] % len(COUNTRIES)],
                    "USD",
                    amounts[i - 1],
                    amounts[i - 1],
                    "active",
                    "OA",
                    90,
                    start,
                    1,
                    now,
                    now,
                ),
            ),
        )
        _copy(
            conn,
            "credit_limit_versions",
            [
                "id",
                "limit_id",
                "number",
                "kind",
                "currency",
                "amount_minor",
                "effective_from",
                "created_at",
                "created_by",
            ],
            _rows(
                limits, lambda i: (i, i, 1, "new_limit", "USD", amounts[i - 1], start, now, "bench")
            ),
        )

        def declaration(i: int) -> tuple[Any, ...]:
            lid = rng.randrange(1, limits + 1)
            covered = max(amounts[lid - 1] // 8, 100)
            shipped = today - timedelta(days=rng.randrange(1, 120))
            return (
                i,
                limit_org[lid - 1]["org_id"],
                limit_org[lid - 1]["policy_id"],
                limit_buyer[lid - 1],
                lid,
                lid,
                f"INV-{i:07d}",
                shipped,
                shipped + timedelta(days=90),
                90,
                "OA",
                "sea",
                "8471",
                "machinery parts",
                "USD",
                covered,
                0,
                covered,
                covered,
                0,
                rng.choice((0, 0, 0, covered // 2)),
                "covered_in_full",
                "within_limit",
                "within the limit",
                "0.0045",
                0,
                shipped,
                shipped + timedelta(days=30),
                False,
                0,
                "active",
                "api",
                now,
                "bench",
            )

        _copy(
            conn,
            "declarations",
            [
                "id",
                "exporter_org_id",
                "policy_id",
                "buyer_id",
                "limit_id",
                "limit_version_id",
                "invoice_number",
                "shipment_date",
                "due_date",
                "credit_days",
                "payment_terms",
                "transport_mode",
                "hs_code",
                "goods_description",
                "currency",
                "invoice_minor",
                "prepayment_minor",
                "insured_minor",
                "covered_minor",
                "uninsured_minor",
                "collected_minor",
                "cover_status",
                "reason_code",
                "cover_explanation",
                "rate",
                "premium_minor",
                "declaration_date",
                "declaration_due",
                "late",
                "days_late",
                "status",
                "channel",
                "declared_at",
                "declared_by",
            ],
            _rows(declarations, declaration),
        )
        conn.execute(
            "INSERT INTO country_exposures (country, currency, guard_cap_minor, "
            "committed_minor) SELECT country, 'USD', NULL, sum(committed_usd_minor) "
            "FROM credit_limits WHERE status = 'active' GROUP BY country "
            "ON CONFLICT (country) DO UPDATE SET committed_minor = EXCLUDED.committed_minor"
        )
        for table in (
            "buyers",
            "buyer_ratings",
            "exporter_buyer_relationships",
            "credit_limits",
            "credit_limit_versions",
            "declarations",
        ):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        conn.commit()
        conn.autocommit = True
        for table in (
            "buyers",
            "buyer_ratings",
            "buyer_aggregates",
            "credit_limits",
            "credit_limit_versions",
            "declarations",
            "exporter_buyer_relationships",
        ):
            conn.execute(f"VACUUM ANALYZE {table}")
    return {"load_s": time.perf_counter() - started, "spare_from": buyers + 1}


def _time_utilisation(url: str, runs: int) -> tuple[list[float], list[float], int, int]:
    """Wall time of the query with every row fetched into Python, and PostgreSQL's own
    execution time (``EXPLAIN ANALYZE``: the computation without the transfer)."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    query = repository.utilisation_query()
    sql = str(query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    fetched: list[float] = []
    server: list[float] = []
    count = outstanding = 0
    for _ in range(runs):
        with factory() as s:
            started = time.perf_counter()
            rows = s.execute(query).all()
            fetched.append(time.perf_counter() - started)
            count = len(rows)
            outstanding = sum(int(r.outstanding_minor) for r in rows)
            plan = (
                s.connection()
                .exec_driver_sql("EXPLAIN (ANALYZE, TIMING OFF) " + sql)
                .scalars()
                .all()
            )
            server.extend(
                float(line.split(":")[1].split()[0]) / 1000
                for line in plan
                if line.startswith("Execution Time")
            )
    engine.dispose()
    return fetched, server, count, outstanding


def _decisions(
    url: str, orgs: dict[str, Any], *, spare_from: int, count: int, warmup: int
) -> list[float]:
    """Time decisions against uvicorn in its own process (as a real client would see it:
    the client's own work does not share the server's interpreter)."""
    server, base = app_server.start(url)
    app_server.wait_until_healthy([(server, base)])
    exporter = orgs["exporters"][0]
    timings: list[float] = []
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            ids = []
            for n in range(count + warmup):
                r = client.post(
                    "/api/v1/limit-applications",
                    headers={"X-API-Key": exporter["key"]},
                    json={
                        "policy_id": exporter["policy_id"],
                        "buyer_id": spare_from + n,
                        "request_type": "new_limit",
                        "amount": "200000",
                        "currency": "USD",
                        "payment_terms": "OA",
                        "credit_period_days": 90,
                    },
                )
                r.raise_for_status()
                ids.append(r.json()["id"])
            for n, app_id in enumerate(ids):
                started = time.perf_counter()
                r = client.post(
                    f"/api/v1/limit-applications/{app_id}/decision",
                    headers={"X-API-Key": orgs["underwriter"]},
                    json={
                        "outcome": "approved",
                        "amount": "200000",
                        "reasons": ["underwriter_judgement"],
                    },
                )
                elapsed = time.perf_counter() - started
                r.raise_for_status()
                if n >= warmup:
                    timings.append(elapsed)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return timings


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--buyers", type=int, default=100_000)
    parser.add_argument("--limits", type=int, default=300_000)
    parser.add_argument("--declarations", type=int, default=1_000_000)
    parser.add_argument("--decisions", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--with-covering-index",
        action="store_true",
        help="measure again with the covering index recommended for "
        "declarations (limit_id INCLUDE covered, collected, shipped)",
    )
    args = parser.parse_args()
    url = os.environ.get("TRADECOVER_BENCH_DATABASE_URL", DEFAULT_URL)
    _fresh_database(url)
    orgs = _setup_orgs(url)
    loaded = _load(
        url,
        orgs,
        buyers=args.buyers,
        limits=args.limits,
        declarations=args.declarations,
        spare=args.decisions + args.warmup,
    )
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (other work shares the CPUs)"
    )
    with psycopg.connect(_libpq(url)) as conn:
        version = conn.execute("SHOW server_version").fetchone()
    print(
        f"PostgreSQL {version[0] if version else '?'}; loaded {args.buyers:,} buyers, "
        f"{args.limits:,} limits, {args.declarations:,} declarations in "
        f"{loaded['load_s']:.1f} s (COPY)"
    )
    fetched, server, count, outstanding = _time_utilisation(url, args.runs)
    print(
        f"utilisation of every limit ({count:,} rows, outstanding total "
        f"{outstanding / 100:,.2f} USD) over {args.runs} runs (aim < 1000 ms): "
        f"PostgreSQL execution best {min(server) * 1000:.0f} ms, median "
        f"{statistics.median(server) * 1000:.0f} ms; with every row fetched into Python "
        f"best {min(fetched) * 1000:.0f} ms, median {statistics.median(fetched) * 1000:.0f} ms"
    )
    if args.with_covering_index:
        with psycopg.connect(_libpq(url), autocommit=True) as conn:
            conn.execute(COVERING_INDEX.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"))
            conn.execute("VACUUM ANALYZE declarations")
        fetched, server, count, outstanding = _time_utilisation(url, args.runs)
        print(
            f"  with the covering index: PostgreSQL execution best "
            f"{min(server) * 1000:.0f} ms, median {statistics.median(server) * 1000:.0f} ms; "
            f"fetched into Python best {min(fetched) * 1000:.0f} ms, median "
            f"{statistics.median(fetched) * 1000:.0f} ms"
        )
    timings = _decisions(
        url, orgs, spare_from=loaded["spare_from"], count=args.decisions, warmup=args.warmup
    )
    print(f"load average now {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(
        f"limit decision through the API ({len(timings)} requests): "
        f"p50 {_percentile(timings, 50) * 1000:.1f} ms, "
        f"p99 {_percentile(timings, 99) * 1000:.1f} ms (aim p99 < 20 ms)"
    )


if __name__ == "__main__":
    main()

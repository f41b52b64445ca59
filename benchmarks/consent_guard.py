"""The cost of the consent guard and the access log on a read-heavy run.

Seeds a small demo book on a fresh SQLite file (or ``TRADECOVER_BENCH_DATABASE_URL``, e.g.
PostgreSQL), then lists declarations and credit limits through the API (50 a page,
different pages) in alternating rounds with the guard and access log ON (as shipped) and
OFF (``app.state.consent_guard`` False: the read dependency does nothing; only a benchmark
can turn it off), in the same process and run.  Readers: an insurer underwriter (the
contract's consent; every read is logged, in the request's own transaction) and, with
``--bank``, a bank holding the exporters' financing consent (the consent query and the
widened repository condition as well; its baseline lists come back empty, since without
the guard's answer a bank sees only its own records, so its ratio prices the whole
consented read rather than the guard alone).  Reports reads/s of each and the ratio (aim:
at least 0.95, for the insurer).

    PYTHONPATH=$PWD .venv/bin/python benchmarks/consent_guard.py [--exporters 10]
        [--reads 40] [--rounds 20] [--bank]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

import tradecover.consents as consents
from tradecover.access import OrganisationKind, Role, list_organisations
from tradecover.access import service as access
from tradecover.api.app import create_app
from tradecover.config import Settings
from tradecover.db import bootstrap, migrate
from tradecover.db.engine import make_engine, make_session_factory, transaction
from tradecover.demo.seed import seed_demo_book
from tradecover.kit.dates import utc_now


def _bank_key(session: Session) -> str:
    """A bank's API key, and a financing consent of every exporter to it (no window)."""
    bank = access.create_organisation(
        session,
        principal=access.system_principal(session),
        slug="bench-bank",
        name="Bench Bank",
        kind=OrganisationKind.BANK,
        country="CN",
        region=None,
    )
    now = utc_now()
    for org in list_organisations(session):
        if org.kind is OrganisationKind.EXPORTER:
            session.add(
                consents.Consent(
                    grantor_org_id=org.id,
                    grantee_org_id=bank.id,
                    scopes=["shipment_core", "buyer_identity"],
                    purposes=["financing"],
                    expires_at=now + timedelta(days=30),
                    status="authorised",
                    requested_by="bench",
                    requested_at=now,
                )
            )
    _key, secret = access.create_api_key(
        session,
        principal=access.system_principal(session),
        org=access.org_by_slug(session, "bench-bank"),
        role=Role.BANK,
        name="bench",
    )
    return secret


def _prepare(url: str, exporters: int, bank: bool) -> str:
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        bootstrap.load_reference_data(session)
        seed_demo_book(session, exporters=exporters)
        insurer = next(o for o in list_organisations(session) if o.kind is OrganisationKind.INSURER)
        org = access.org_by_slug(session, insurer.slug)
        _key, secret = access.create_api_key(
            session,
            principal=access.system_principal(session),
            org=org,
            role=Role.UNDERWRITER,
            name="bench",
        )
        if bank:
            secret = _bank_key(session)
    engine.dispose()
    return secret


CPU: dict[bool, list[float]] = {True: [], False: []}
"""Process CPU seconds per read of each round, by guard on/off (steadier than wall time on
a shared machine: other processes do not count)."""


def _round(client: TestClient, headers: dict[str, str], reads: int, guard: bool = True) -> float:
    paths = ("/api/v1/declarations", "/api/v1/limits")
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(reads):
        answer = client.get(f"{paths[i % 2]}?limit=50&offset={(i // 2 % 4) * 50}", headers=headers)
        assert answer.status_code == 200, answer.text
    CPU[guard].append((time.process_time() - cpu) / reads)
    return (time.perf_counter() - started) / reads


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--exporters", type=int, default=10)
    parser.add_argument("--reads", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--bank", action="store_true", help="read as a bank under consent")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    url = os.environ.get("TRADECOVER_BENCH_DATABASE_URL", f"sqlite:///{folder / 'bench.db'}")
    secret = _prepare(url, args.exporters, args.bank)
    headers = {"X-API-Key": secret}
    app = create_app(Settings(database_url=url))
    on: list[float] = []
    off: list[float] = []
    with TestClient(app) as client:
        _round(client, headers, 20)  # warm up
        for _ in range(args.rounds):
            app.state.consent_guard = True
            on.append(_round(client, headers, args.reads))
            app.state.consent_guard = False
            off.append(_round(client, headers, args.reads, guard=False))
    app.state.consent_guard = True
    with_guard, without = statistics.median(on), statistics.median(off)
    best_on, best_off = min(on), min(off)
    reader = "a bank under consent" if args.bank else "an insurer underwriter"
    print(f"database: {make_engine(url).dialect.name}; reader: {reader}")
    print(f"{args.rounds} alternating rounds of {args.reads} reads (declarations, limits)")
    print(f"reads/s (medians): with guard and log {1 / with_guard:.1f}, without {1 / without:.1f}")
    print(f"ratio with/without: {without / with_guard:.3f} (aim >= 0.95)")
    print(f"with guard and log:    best {best_on * 1e3:.2f} ms, median {with_guard * 1e3:.2f} ms")
    print(f"without guard and log: best {best_off * 1e3:.2f} ms, median {without * 1e3:.2f} ms")
    cpu_on, cpu_off = statistics.median(CPU[True]), statistics.median(CPU[False])
    print(f"CPU per read: with {cpu_on * 1e3:.2f} ms, without {cpu_off * 1e3:.2f} ms (medians)")
    print(f"CPU cost: {(cpu_on / cpu_off - 1) * 100:+.1f} %")
    print(
        f"cost: best {(best_on / best_off - 1) * 100:+.1f} %, "
        f"median {(with_guard / without - 1) * 100:+.1f} % (aim <= 5 %)"
    )


if __name__ == "__main__":
    main()

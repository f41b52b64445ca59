"""p50/p99 latency of one short-term quote through the HTTP API (p99 < 10 ms).

Starts a real uvicorn server on 127.0.0.1 over a fresh SQLite database (migrated, reference
data and the default rate table loaded), creates an exporter API key, then sends
sequential ``POST /api/v1/quotes/short-term`` requests with one keep-alive httpx client
and reports the percentiles of the wall time of each round trip.

    .venv/bin/python benchmarks/quote_api.py [--requests 2000] [--warmup 200]
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from tradecover.access import service as access
from tradecover.access.roles import OrganisationKind, Role
from tradecover.api.app import create_app
from tradecover.config import Settings
from tradecover.db import bootstrap, migrate
from tradecover.db.engine import make_engine, make_session_factory, transaction

BODY = {
    "country": "TR",
    "payment_terms": "OA",
    "credit_days": 90,
    "indemnity_percentage": "90",
    "buyer_grade": "B",
    "concentration_hhi": "0.3",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _prepare(url: str) -> str:
    migrate.upgrade(url)
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        bootstrap.load_reference_data(session)
        system = access.system_principal(session)
        org = access.create_organisation(
            session,
            principal=system,
            slug="bench-exports",
            name="Bench Exports",
            kind=OrganisationKind.EXPORTER,
            country="CN",
            region="CN-ZJ",
        )
        _key, secret = access.create_api_key(
            session, principal=system, org=org, role=Role.EXPORTER, name="bench"
        )
    engine.dispose()
    return secret


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tc-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    secret = _prepare(url)
    settings = Settings(
        database_url=url,
        secret_key=os.environ.get(
            "TRADECOVER_SECRET_KEY", "bench-signing-key-0123456789-abcdefghijklmnop"
        ),
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=port, log_level="warning", access_log=False
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    times: list[float] = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"X-API-Key": secret}) as client:
        for i in range(args.warmup + args.requests):
            start = time.perf_counter()
            response = client.post("/api/v1/quotes/short-term", json=BODY)
            elapsed = time.perf_counter() - start
            if response.status_code != 200:
                raise SystemExit(f"unexpected {response.status_code}: {response.text}")
            if i >= args.warmup:
                times.append(elapsed * 1000)
    server.should_exit = True
    thread.join(timeout=5)
    times.sort()
    p50 = statistics.median(times)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs "
        f"(load average {load}), Python {platform.python_version()}, uvicorn on "
        f"127.0.0.1, SQLite, httpx keep-alive"
    )
    print(
        f"short-term quote through the API, {len(times)} sequential requests: "
        f"p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {times[-1]:.2f} ms "
        f"({'meets' if p99 < 10 else 'MISSES'} the p99 < 10 ms aim)"
    )


if __name__ == "__main__":
    main()

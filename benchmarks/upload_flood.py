"""An oversized upload must not tie up the server.

Starts the app under uvicorn in its own process over a fresh SQLite database, then:

1. idle: sequential ``POST /api/v1/quotes/short-term`` requests (a cheap real route) for
   ``--seconds``, their p50/p99;
2. flood: the same requests while another client uploads, back to back, a workbook of
   300,000 rows (a few hundred KiB, no ``<dimension>``, one shared string per row) to
   ``POST /api/v1/declarations/uploads``; the time of each upload's answer (aim: under 1 s)
   and the quotes' p99 (aim: within 2x of idle).

    .venv/bin/python benchmarks/upload_flood.py [--seconds 10] [--rows 300000]
        [--url postgresql+psycopg://postgres@127.0.0.1:5432/tc_bench_upload]

PostgreSQL (``--url``, recreated) is the production database. On SQLite (the default) an
upload's request holds the database's single writer lock while it is read (``BEGIN
IMMEDIATE`` from its authentication on), so there other writers queue behind uploads
whatever the parser does.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import _app_server as app_server
import httpx
from attachment import _fresh_database
from quote_api import BODY, _prepare

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# the same generated workbook the reader's test refuses in under a second
from tests.unit.declarations.test_upload_reader import _raw_xlsx


def _quotes(base: str, secret: str, seconds: float) -> list[float]:
    times: list[float] = []
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=base, headers={"X-API-Key": secret}, timeout=30) as client:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            client.post("/api/v1/quotes/short-term", json=BODY).raise_for_status()
            times.append(time.perf_counter() - started)
    return times


def _uploads(
    base: str,
    secret: str,
    data: bytes,
    stop: threading.Event,
    answers: list[tuple[float, int, str]],
) -> None:
    with httpx.Client(base_url=base, headers={"X-API-Key": secret}, timeout=60) as client:
        while not stop.is_set():
            started = time.perf_counter()
            reply = client.post("/api/v1/declarations/uploads", files={"file": ("book.xlsx", data)})
            answers.append(
                (time.perf_counter() - started, reply.status_code, reply.json().get("code", ""))
            )


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else 0.0


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--url", default=None, help="a PostgreSQL database, recreated")
    args = parser.parse_args()
    if args.url:
        url = args.url
        _fresh_database(url)
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='tc-bench-')) / 'bench.db'}"
    secret = _prepare(url)
    data = _raw_xlsx(args.rows)
    process, base = app_server.start(url)
    try:
        app_server.wait_until_healthy([(process, base)])
        _quotes(base, secret, 1.0)  # warm-up
        idle = _quotes(base, secret, args.seconds)
        stop = threading.Event()
        answers: list[tuple[float, int, str]] = []
        uploader = threading.Thread(target=_uploads, args=(base, secret, data, stop, answers))
        uploader.start()
        busy = _quotes(base, secret, args.seconds)
        stop.set()
        uploader.join()
    finally:
        process.terminate()
        process.wait()
    seconds = [a[0] for a in answers]
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} "
        f"python {platform.python_version()}; database {url.split(':')[0]}"
    )
    print(
        f"file: {args.rows:,} rows, {len(data) / 1024:,.0f} KiB; answers "
        f"{sorted({(a[1], a[2]) for a in answers})}"
    )
    print(
        f"uploads: {len(seconds)} answered, max {max(seconds):.3f} s, "
        f"median {statistics.median(seconds):.3f} s (aim < 1 s)"
    )
    idle99, busy99 = _pct(idle, 99), _pct(busy, 99)
    print(f"quotes idle:   n={len(idle)} p50 {_pct(idle, 50):.1f} ms p99 {idle99:.1f} ms")
    print(f"quotes flood:  n={len(busy)} p50 {_pct(busy, 50):.1f} ms p99 {busy99:.1f} ms")
    print(f"p99 flood / idle: {busy99 / idle99:.2f}x (aim <= 2x)")


if __name__ == "__main__":
    main()

"""Server time of every dashboard page, for every demo role, at p95 (issue 20).

Seeds the demo book on a fresh SQLite file (or ``TRADECOVER_BENCH_DATABASE_URL``, e.g.
PostgreSQL), optionally grows it to ``--declarations`` declarations (copies of the demo's
own, with new invoice numbers and earlier dates, written set-based), then signs in as each
demo user and opens every GET page of the dashboard ``--repeat`` times in the app's own
process (no network: the time is the server's, rendering included).  Prints each page's
p50 and p95 per role and the pages over the target: 150 ms at p95 on the demo book, 500 ms
with 100,000 declarations.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/pages.py [--exporters 30] [--repeat 10]
        [--declarations 100000]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select

from tradecover.api.app import create_app
from tradecover.billing.model import PremiumNotice
from tradecover.buyers.model import Buyer
from tradecover.claims.model import ClaimRow
from tradecover.config import Settings
from tradecover.db import bootstrap, migrate
from tradecover.db.engine import make_engine, make_session_factory, transaction
from tradecover.declarations.model import Declaration
from tradecover.demo.seed import DEMO_PASSWORD, DEMO_USERS, seed_demo
from tradecover.limits.model import CreditLimit
from tradecover.policies.model import Policy
from tradecover.pricing.model import RateTableVersion

BROWSER = {"Accept": "text/html,application/xhtml+xml"}
SKIP = ("/api", "/openapi.json", "/docs", "/health", "/static")
FILES = ("/content", "/pdf", ".pdf", "/print")
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_CHUNK = 5000


def _grow(factory: Any, target: int) -> int:
    """Copy the demo's declarations until the book holds ``target`` of them."""
    table = Declaration.__table__
    columns = [c.name for c in table.columns if c.name not in ("id", "supersedes_id")]
    with transaction(factory) as session:
        have = session.execute(select(func.count()).select_from(table)).scalar_one()
        rows = [dict(r._mapping) for r in session.execute(select(*[table.c[n] for n in columns]))]
        batch: list[dict[str, Any]] = []
        copy = 0
        while have < target:
            source = rows[copy % len(rows)]
            batch.append(
                {
                    **source,
                    "invoice_number": f"{source['invoice_number'][:40]}-B{copy}",
                    "status": "active",
                }
            )
            copy += 1
            have += 1
            if len(batch) == _CHUNK:
                session.execute(insert(Declaration), batch)
                batch = []
        if batch:
            session.execute(insert(Declaration), batch)
    return have


def _paths(app: Any, factory: Any) -> list[str]:
    with factory() as s:
        ids = {
            "policy_id": s.scalar(select(func.min(Policy.id))),
            "buyer_id": s.scalar(select(func.min(Buyer.id))),
            "limit_id": s.scalar(select(func.min(CreditLimit.id))),
            "notice_id": s.scalar(select(func.min(PremiumNotice.id))),
            "declaration_id": s.scalar(select(func.min(Declaration.id))),
            "claim_id": s.scalar(select(func.min(ClaimRow.id))),
            "run_id": 1,
            "code": s.scalar(select(func.min(RateTableVersion.code))),
            "endpoint_id": 1,
            "job_id": "job_" + "0" * 32,
        }
    found: list[str] = []
    for route in _flatten(app.routes):
        path = getattr(route, "path", "")
        if "GET" not in (getattr(route, "methods", None) or set()):
            continue
        if path.startswith(SKIP) or path.endswith(FILES) or path in found:
            continue
        found.append(path)
    return [re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1)) or 1), p) for p in found]


def _flatten(routes: list[Any]) -> list[Any]:
    out: list[Any] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        out.extend(_flatten(inner.routes) if inner is not None else [route])
    return out


def _p95(times: list[float]) -> float:
    if len(times) == 1:
        return times[0]
    return statistics.quantiles(times, n=20, method="inclusive")[18]


def _sign_in(client: TestClient, email: str) -> None:
    client.cookies.clear()
    form = client.get("/sign-in", headers=BROWSER)
    token = _TOKEN.search(form.text)
    data = {"email": email, "password": DEMO_PASSWORD}
    if token:
        data["csrf_token"] = token.group(1)
    answer = client.post("/sign-in", data=data, follow_redirects=False)
    if answer.status_code != 303:
        raise SystemExit(f"sign-in of {email} failed: {answer.status_code}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--exporters", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--declarations", type=int, default=0)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    url = os.environ.get("TRADECOVER_BENCH_DATABASE_URL") or f"sqlite:///{folder}/pages.db"
    migrate.upgrade(url)
    factory = make_session_factory(make_engine(url))
    with transaction(factory) as session:
        bootstrap.load_reference_data(session)
    seed_demo(factory, exporters=args.exporters)
    declarations = _grow(factory, args.declarations) if args.declarations else None
    target = 500.0 if args.declarations >= 100_000 else 150.0
    app = create_app(Settings(database_url=url, secret_key="bench-" + "x" * 40))
    with TestClient(app, raise_server_exceptions=False) as client:
        paths = _paths(app, factory)
        print(
            f"{len(paths)} pages, {args.exporters} exporters, "
            f"{declarations or 'demo'} declarations, {args.repeat} loads each"
        )
        worst: list[tuple[float, str, str]] = []
        for user in DEMO_USERS:
            _sign_in(client, user.email)
            for path in paths:
                times = []
                status = client.get(path, headers=BROWSER, follow_redirects=False).status_code
                for _ in range(args.repeat):  # after one warm-up load (templates compiled)
                    started = time.perf_counter()
                    status = client.get(path, headers=BROWSER, follow_redirects=False).status_code
                    times.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    continue
                p95 = _p95(times)
                worst.append((p95, user.role.value, path))
        worst.sort(reverse=True)
        print(f"{'p95 ms':>8}  {'role':<15} page")
        for p95, role, path in worst[:15]:
            print(f"{p95:8.1f}  {role:<15} {path}")
        over = [w for w in worst if w[0] > target]
        every = sorted(w[0] for w in worst)
        print(
            f"{len(worst)} (role, page) pairs answered 200; median of their p95 "
            f"{statistics.median(every):.1f} ms; slowest {every[-1]:.1f} ms; "
            f"{len(over)} over {target:.0f} ms"
        )


if __name__ == "__main__":
    main()

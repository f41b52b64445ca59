"""Attachment through the ERP API on PostgreSQL, next to pgbench's ceiling.

Creates a fresh PostgreSQL database (migrated, reference data, one exporter with an API
key, ``--policies`` issued policies and ``--buyers`` buyers per policy, each with a large
credit limit), starts the app on 127.0.0.1 (``--workers`` uvicorn processes, each on a port
of its own, the clients spread over them as by a load balancer), then:

1. ``--clients`` concurrent clients (keep-alive connections of a lean asyncio load
   generator, so that the client takes little CPU from the server) post single
   declarations with an ``Idempotency-Key`` for ``--seconds``: declarations/s, p50, p99;
2. ``pgbench`` runs a SQL script of the same transaction (the conditional update of the
   limit's reservation row and the insert of the declaration) with as many clients
   against the same server: transactions/s, the database's ceiling;
   (the two alternate in ``--rounds`` rounds, so that both see the same machine: the
   ratio is reported per round and over all, with the whole machine's CPU per
   declaration and per pgbench transaction); in the same rounds the same clients load
   the issue's other reference (``--no-bare`` skips it): a bare FastAPI + asyncpg app
   doing nothing but pgbench's transaction (``_bare_app.py``), as many processes;
3. the batch endpoint (100 declarations a request) with the same clients: declarations/s,
   once with every client declaring for the one exporter (every batch names the same
   limits, so they queue on the limits' locks: the worst case) and once with each client
   the ERP system of an exporter of its own (``--clients`` more exporters, one policy and
   ``--buyers`` limits each); the latter alternates, round by round, with ``pgbench``
   running the same transaction batched as a request is (the update of the 50 limits'
   reservations and the insert of 100 declarations in one transaction, each client on
   the limits of an exporter of its own): the database's ceiling for batches.

Each figure comes with the CPU it took: the app's processes, the database server's
processes (from /proc) and the whole machine, per declaration.  The database's CPU per
declaration bounds what any app could reach on this machine: the machine's cores divided
by it.

    .venv/bin/python benchmarks/attachment.py [--url postgresql+psycopg://postgres@127.0.0.1:5432/tc_bench_attach]
        (``postgresql+psycopg://postgres@/tc_bench_attach?host=/var/run/postgresql``: a socket)
        [--workers 2] [--clients 8] [--seconds 15] [--rounds 3] [--warmup 5]
        [--pricing-only]

4. risk-based pricing against a flat-rated policy: every exporter above has
   risk-based policies (the rate table, its buyers rated); as many exporters again have
   policies whose schedule agrees a flat rate.  Single declarations and batches of each
   alternate round by round; both figures are printed with their ratio (aim: risk-based
   pricing keeps at least 0.90 of the throughput).  ``--pricing-only`` runs just this.

5. ``--compare-to REF`` runs instead the same measurements (single declarations, batches
   with one exporter per client, and single declarations' ratio to pgbench) against a
   checkout of git ref REF (``git worktree add``, run with its own PYTHONPATH) and this
   tree, alternating round by round on one database, and prints before/after/ratio;
   ``--without-lane`` adds a third side, this tree without its ERP fast lane
   (``_route_only_app.py``): what the lane is worth.

6. ``--without-guard`` runs instead single declarations and batches (one exporter per
   client) with the consent guard and the access log ON (the app as shipped) and OFF
   (``_unguarded_app.py``: ``app.state.consent_guard`` False), in interleaved rounds
   (with, without, with, without ...): the medians of each and the ratio (aim >= 0.95:
   the guard and the log cost at most 5 %).  ``_attachment_guard.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import _app_server as app_server
import _attachment_sql as sql
import httpx
from _attachment_guard import compare_guard
from _attachment_seed import LIMIT_MINOR, Book, _connect, _fresh_database, _host, _seed, _shipment
from sqlalchemy.engine import make_url

from tradecover.kit.dates import business_today


def _start_servers(
    url: str, processes: int, app: str = "tradecover.api.app:create_app", tree: str | None = None
) -> list[tuple[subprocess.Popen[bytes], str]]:
    """``processes`` uvicorn processes of the app, each on a port of its own: the clients
    are spread over them evenly, as a load balancer would (with one listening socket shared
    by ``--workers``, a handful of keep-alive connections can land unevenly and leave a
    core idle, which made runs differ by half).
    """
    started = [app_server.start(url, app, tree=tree) for _ in range(processes)]
    app_server.wait_until_healthy(started)
    return started


def _load(
    bases: list[str], books: list[Book], *, clients: int, seconds: float, batch: int
) -> tuple[int, float, list[float]]:
    """Run ``clients`` concurrent keep-alive connections posting for ``seconds``, client
    ``c`` declaring for exporter ``c % len(books)`` to server ``c % len(bases)``:
    (declarations, elapsed, latencies ms).

    The load generator is lean on purpose (asyncio streams, requests formatted from a
    template, responses read by Content-Length), so that on a small machine the client's
    own CPU takes as little as possible from the server it measures.
    """
    return asyncio.run(_load_async(bases, books, clients=clients, seconds=seconds, batch=batch))


async def _load_async(
    bases: list[str], books: list[Book], *, clients: int, seconds: float, batch: int
) -> tuple[int, float, list[float]]:
    today = business_today()
    expected = b"201" if batch == 1 else b"200"
    stop = asyncio.Event()
    latencies: list[list[float]] = [[] for _ in range(clients)]
    counts = [0] * clients
    errors: list[str] = []
    ready = asyncio.Barrier(clients + 1)

    async def run(c: int) -> None:
        secret, pairs = books[c % len(books)]
        url = httpx.URL(bases[c % len(bases)])
        reader, writer = await asyncio.open_connection(url.host, url.port)
        await ready.wait()
        n = 0
        while not stop.is_set():
            items = []
            for _ in range(batch):
                policy_id, buyer_id = pairs[(c * 7919 + n) % len(pairs)]
                items.append(
                    _shipment(policy_id, buyer_id, f"B{c}-{n}-{uuid.uuid4().hex[:8]}", today)
                )
                n += 1
            body = json.dumps(items[0] if batch == 1 else {"declarations": items}).encode()
            head = (
                f"POST /api/v1/declarations HTTP/1.1\r\nHost: {url.host}\r\n"
                f"X-API-Key: {secret}\r\nIdempotency-Key: {uuid.uuid4().hex}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            )
            start = time.perf_counter()
            writer.write(head.encode() + body)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            answer = await reader.readexactly(length)
            latencies[c].append((time.perf_counter() - start) * 1000)
            status = status_line.split(b" ", 2)[1]
            if status != expected or (batch > 1 and json.loads(answer)["accepted"] != batch):
                errors.append(f"{status.decode()}: {answer[:300]!r}")
                stop.set()
                break
            counts[c] += batch
        writer.close()

    tasks = [asyncio.create_task(run(c)) for c in range(clients)]
    await ready.wait()
    started = time.perf_counter()
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    if errors:
        raise SystemExit(f"unexpected answer: {errors[0]}")
    return sum(counts), elapsed, sorted(x for per in latencies for x in per)


def pgbench_script(*, limits: int) -> str:
    """pgbench's script of the issue's transaction on a random one of ``limits`` limits."""
    reserve = sql.reserve(amount="100000", cap=str(LIMIT_MINOR), limits="= :lim")
    declare = sql.declare(
        invoice="'PGB-' || txid_current()",
        amount="100000",
        by="pgbench",
        source="WHERE l.id = :lim",
    )
    return (
        f"\\set lim random(1, {limits})\nBEGIN;\n{reserve} RETURNING outstanding_minor;\n"
        f"{declare};\nEND;\n"
    )


def pgbench_batch_script(*, first: int, blocks: int, per: int, each: int) -> str:
    """The same transaction batched as a batch request of :func:`_load` writes it: client
    ``c`` declares for exporter ``c % blocks``, whose limits are the ``per`` consecutive ids
    from ``first + (c % blocks) * per`` (``:lo``), ``each`` declarations a limit.
    """
    limits = f"BETWEEN :lo AND :lo + {per - 1}"
    reserve = sql.reserve(amount=str(100000 * each), cap=str(LIMIT_MINOR), limits=limits)
    declare = sql.declare(
        invoice="'PGB-' || txid_current() || '-' || l.id || '-' || g",
        amount="100000",
        by="pgbench",
        source=f"CROSS JOIN generate_series(1, {each}) AS g WHERE l.id {limits}",
    )
    return (
        f"\\set lo {first} + (:client_id % {blocks}) * {per}\nBEGIN;\n{reserve};\n"
        f"{declare};\nEND;\n"
    )


def _limit_blocks(url: str, books: list[Book]) -> tuple[int, int]:
    """(first limit id, limits an exporter) of ``books``' exporters, whose limits were
    created one exporter after the other: consecutive ids, as
    :func:`pgbench_batch_script` expects.
    """
    buyers = [buyer for _secret, pairs in books for _policy, buyer in pairs]
    with _connect(url, make_url(url).database) as connection:
        ids = [
            row[0]
            for row in connection.execute(
                "SELECT id FROM credit_limits WHERE buyer_id = ANY(%s) ORDER BY id", [buyers]
            )
        ]
    per = len(books[0][1])
    if ids != list(range(ids[0], ids[0] + len(ids))) or len(ids) != per * len(books):
        raise SystemExit("the exporters' limits are not consecutive ids")
    return ids[0], per


def _pgbench(url: str, *, clients: int, seconds: int, script: str) -> float:
    """Transactions per second of pgbench running ``script`` against ``url``'s database."""
    binary = shutil.which("pgbench") or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"))), None
    )
    if binary is None:
        raise SystemExit("pgbench not found (apt-get install postgresql-client)")
    base = make_url(url)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script_file:
        script_file.write(script)
    result = subprocess.run(
        [
            binary,
            "-n",
            "-c",
            str(clients),
            "-j",
            str(min(clients, os.cpu_count() or 1)),
            "-T",
            str(seconds),
            "-f",
            script_file.name,
            "-h",
            _host(base),
            "-p",
            str(base.port or 5432),
            "-U",
            base.username or "postgres",
            str(base.database),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    Path(script_file.name).unlink(missing_ok=True)
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", result.stdout)
    if result.returncode != 0 or match is None:
        raise SystemExit(f"pgbench failed: {result.stdout}\n{result.stderr}")
    return float(match.group(1))


def _server_cpu_s(servers: list[tuple[subprocess.Popen[bytes], str]]) -> float:
    """CPU seconds (user + system) used so far by the app's processes, read from /proc:
    what the app costs per declaration, whatever else loads the machine.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for process, _base in servers:
        try:
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _database_cpu_s() -> float:
    """CPU seconds (user + system) used so far by the database server's processes (every
    process named ``postgres``: its backends and helpers, and, in the server's own
    children's time, the backends that already ended: pgbench's), read from /proc.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, rest = stat.read_text().split(" (", 1)[1].rsplit(")", 1)
        except (OSError, ValueError, IndexError):
            continue
        if name == "postgres":
            fields = rest.split()
            total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / ticks


class CpuMeter:
    """The CPU the app, the database and the whole machine use during a measured run."""

    def __init__(self, servers: list[tuple[subprocess.Popen[bytes], str]]) -> None:
        self.servers = servers
        self.app = self.database = self.machine = 0.0

    def __enter__(self) -> CpuMeter:
        self._start = (_server_cpu_s(self.servers), _database_cpu_s(), _machine_cpu_s())
        return self

    def __exit__(self, *_exc: object) -> None:
        app, database, machine = self._start
        self.app += _server_cpu_s(self.servers) - app
        self.database += _database_cpu_s() - database
        self.machine += _machine_cpu_s() - machine

    def per(self, count: float) -> str:
        """Milliseconds of CPU per ``count``: the app's, the database's, the machine's."""
        n = max(count, 1)
        return (
            f"app {1000 * self.app / n:.2f} ms, database {1000 * self.database / n:.2f} "
            f"ms, machine {1000 * self.machine / n:.2f} ms"
        )


def _percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(len(values) * q))]


PricingFigures = tuple[float, float, float, float]
"""Declarations/s of risk-based and of flat-rated policies, and the app's CPU seconds per
declaration of each."""


def _compare_pricing(
    servers: list[tuple[subprocess.Popen[bytes], str]],
    *,
    risk: list[Book],
    flat: list[Book],
    clients: int,
    seconds: float,
    rounds: int,
    batch: int,
) -> PricingFigures:
    """Risk-based against flat-rated policies, alternating round by round and swapping
    which goes first (the same clients and servers, so that both see the same machine).
    """
    bases = [base for _process, base in servers]
    slice_s = max(1.0, seconds / rounds)
    rates: dict[str, list[float]] = {"risk": [], "flat": []}
    meters = {"risk": CpuMeter(servers), "flat": CpuMeter(servers)}
    counts = {"risk": 0, "flat": 0}
    books = {"risk": risk, "flat": flat}
    for n in range(rounds):
        for mode in ("risk", "flat") if n % 2 == 0 else ("flat", "risk"):
            with meters[mode]:
                count, elapsed, _latencies = _load(
                    bases, books[mode], clients=clients, seconds=slice_s, batch=batch
                )
            rates[mode].append(count / elapsed)
            counts[mode] += count
    return (
        statistics.mean(rates["risk"]),
        statistics.mean(rates["flat"]),
        meters["risk"].app / max(counts["risk"], 1),
        meters["flat"].app / max(counts["flat"], 1),
    )


def _print_pricing(label: str, figures: PricingFigures) -> None:
    risk, flat, risk_cpu, flat_cpu = figures
    print(
        f"{label}: risk-based rates {risk:,.0f} declarations/s (app CPU "
        f"{1000 * risk_cpu:.3f} ms a declaration), flat-rated policy {flat:,.0f} "
        f"declarations/s (app CPU {1000 * flat_cpu:.3f} ms): risk-based pricing keeps "
        f"{risk / flat:.2f} of the throughput and {flat_cpu / max(risk_cpu, 1e-9):.2f} of "
        f"the app's declarations per CPU second (aim >= 0.90)"
    )


def _pricing_only(
    args: argparse.Namespace,
    *,
    one: list[Book],
    each: list[Book],
    flat_one: list[Book],
    flat_each: list[Book],
) -> None:
    """Risk-based against flat-rated attachment only: single declarations and batches."""
    servers = _start_servers(args.url, args.workers)
    bases = [base for _process, base in servers]
    try:
        _load(bases, one + flat_one, clients=args.clients, seconds=args.warmup, batch=1)
        single = _compare_pricing(
            servers,
            risk=one,
            flat=flat_one,
            clients=args.clients,
            seconds=args.seconds,
            rounds=args.rounds,
            batch=1,
        )
        batches = _compare_pricing(
            servers,
            risk=each,
            flat=flat_each,
            clients=args.clients,
            seconds=args.seconds,
            rounds=args.rounds,
            batch=args.batch,
        )
    finally:
        for process, _base in servers:
            process.terminate()
            process.wait(timeout=10)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs "
        f"(load average {load}), Python {platform.python_version()}, "
        f"PostgreSQL at {_host(make_url(args.url))}, {args.workers} uvicorn processes, "
        f"{args.clients} clients"
    )
    _print_pricing("ERP API, single declarations", single)
    _print_pricing(f"ERP API, batches of {args.batch} (one exporter per client)", batches)


def _base_tree(ref: str) -> str:
    """A checkout of git ref ``ref`` beside this one (made once, detached): its path."""
    root = Path(__file__).resolve().parent.parent
    sha = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--verify", f"{ref}^{{commit}}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    path = Path(tempfile.gettempdir()) / f"tradecover-bench-{sha[:12]}"
    if not (path / "tradecover").is_dir():
        subprocess.run(
            ["git", "-C", str(root), "worktree", "add", "--detach", str(path), sha],
            capture_output=True,
            check=True,
        )
    return str(path)


def _compare_to(args: argparse.Namespace, *, one: list[Book], each: list[Book]) -> None:
    """Before (``args.compare_to``) against after (this tree): single declarations, batches
    and the single declarations' ratio to pgbench, the two alternating round by round.
    """
    tree = _base_tree(args.compare_to)
    limits = sum(len(pairs) for _secret, pairs in one + each)
    script = pgbench_script(limits=limits)
    slice_s = max(1, round(args.seconds / args.rounds))
    servers = {
        "before": _start_servers(args.url, args.workers, tree=tree),
        "after": _start_servers(args.url, args.workers),
    }
    if args.without_lane:
        servers["no lane"] = _start_servers(args.url, args.workers, "_route_only_app:create_app")
    bases = {side: [base for _process, base in started] for side, started in servers.items()}
    rates: dict[tuple[str, int], list[float]] = {
        (side, batch): [] for side in servers for batch in (1, args.batch)
    }
    times: dict[tuple[str, int], list[float]] = {key: [] for key in rates}
    pgbench: list[float] = []
    try:
        for side in servers:  # warm-up: pools at their working size, statements prepared
            _load(bases[side], one, clients=args.clients, seconds=args.warmup, batch=1)
            _load(bases[side], each, clients=args.clients, seconds=1, batch=args.batch)
        for n in range(args.rounds):
            order = list(servers) if n % 2 == 0 else list(reversed(servers))
            for batch, books in ((1, one), (args.batch, each)):
                for side in order:
                    count, elapsed, latencies = _load(
                        bases[side], books, clients=args.clients, seconds=slice_s, batch=batch
                    )
                    rates[(side, batch)].append(count / elapsed)
                    times[(side, batch)] += latencies
                if batch == 1:
                    pgbench.append(
                        _pgbench(args.url, clients=args.clients, seconds=slice_s, script=script)
                    )
    finally:
        for started in servers.values():
            for process, _base in started:
                process.terminate()
                process.wait(timeout=10)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs "
        f"(load average {load}), {args.workers} uvicorn processes a side, {args.clients} "
        f"clients, {args.rounds} rounds of {slice_s} s; before = {args.compare_to} "
        f"({tree}), after = this tree"
    )
    for batch, label in (
        (1, "single declarations"),
        (args.batch, f"batches of {args.batch} (one exporter per client)"),
    ):
        before, after = (statistics.mean(rates[(side, batch)]) for side in ("before", "after"))
        p50 = {side: statistics.median(sorted(times[(side, batch)])) for side in servers}
        print(
            f"{label}: before {before:,.0f} declarations/s (p50 {p50['before']:.1f} ms), "
            f"after {after:,.0f} declarations/s (p50 {p50['after']:.1f} ms), after/before "
            f"{after / before:.2f} (rounds: "
            + ", ".join(
                f"{a / b:.2f}"
                for b, a in zip(rates[("before", batch)], rates[("after", batch)], strict=True)
            )
            + ")"
        )
        if "no lane" in servers:
            bare = statistics.mean(rates[("no lane", batch)])
            print(
                f"  without the ERP fast lane: {bare:,.0f} declarations/s (p50 "
                f"{p50['no lane']:.1f} ms): the lane gives {after / bare:.2f}x"
            )
    tps = statistics.mean(pgbench)
    before, after = (statistics.mean(rates[(side, 1)]) for side in ("before", "after"))
    print(
        f"single declarations / pgbench ({tps:,.0f} transactions/s): before "
        f"{before / tps:.2f}, after {after / tps:.2f}, after/before "
        f"{(after / tps) / (before / tps):.2f}"
    )


def main() -> None:
    """Run the three measurements and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/tc_bench_attach"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="app processes (uvicorn), each on a port of its own"
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--policies", type=int, default=4)
    parser.add_argument("--buyers", type=int, default=50)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument(
        "--warmup",
        type=float,
        default=5,
        help="seconds of single declarations before anything is measured",
    )
    parser.add_argument(
        "--no-bare", dest="bare", action="store_false", help="skip the bare FastAPI + asyncpg app"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="the app and pgbench alternate in this many rounds of "
        "--seconds/rounds each, so that both see the same machine",
    )
    parser.add_argument(
        "--compare-to",
        metavar="REF",
        help="compare with git ref REF (e.g. 0645b08): before/after/ratio",
    )
    parser.add_argument(
        "--without-lane",
        action="store_true",
        help="with --compare-to: also this tree without its ERP fast lane",
    )
    parser.add_argument(
        "--without-guard",
        action="store_true",
        help="only the app with against without its consent guard and access log, "
        "interleaved round by round",
    )
    parser.add_argument(
        "--pricing-only",
        action="store_true",
        help="only risk-based against flat-rated pricing (no pgbench, no "
        "bare app): the two alternate round by round",
    )
    args = parser.parse_args()
    if args.batch % args.buyers:
        raise SystemExit("--batch must be a multiple of --buyers (declarations per limit)")
    _fresh_database(args.url)
    if args.without_guard:
        books = _seed(
            args.url,
            exporters=[(args.policies, args.buyers, False)]
            + [(1, args.buyers, False)] * args.clients,
        )
        compare_guard(args, one=books[:1], each=books[1:], start=_start_servers, load=_load)
        return
    if args.compare_to:
        books = _seed(
            args.url,
            exporters=[(args.policies, args.buyers, False)]
            + [(1, args.buyers, False)] * args.clients,
        )
        _compare_to(args, one=books[:1], each=books[1:])
        return
    books = _seed(
        args.url,
        exporters=[(args.policies, args.buyers, False)]
        + [(1, args.buyers, False)] * args.clients
        + [(args.policies, args.buyers, True)]
        + [(1, args.buyers, True)] * args.clients,
    )
    one, each = books[:1], books[1 : args.clients + 1]
    flat_one, flat_each = books[args.clients + 1 : args.clients + 2], books[args.clients + 2 :]
    if args.pricing_only:
        _pricing_only(args, one=one, each=each, flat_one=flat_one, flat_each=flat_each)
        return
    limits = sum(len(pairs) for _secret, pairs in books)
    first, per = _limit_blocks(args.url, each)
    single_script = pgbench_script(limits=limits)
    batch_script = pgbench_batch_script(
        first=first, blocks=len(each), per=per, each=args.batch // per
    )
    slice_s = max(1, round(args.seconds / args.rounds))
    servers = _start_servers(args.url, args.workers)
    bases = [base for _process, base in servers]
    bare_servers = (
        _start_servers(args.url, args.workers, "_bare_app:create_app") if args.bare else []
    )
    bare_bases = [base for _process, base in bare_servers]
    bare_rounds: list[float] = []  # the bare app's declarations/s, a round
    bare_times: list[float] = []
    bare_count = 0
    bare_cpu = CpuMeter(bare_servers)
    rounds: list[tuple[float, float]] = []  # (declarations/s, pgbench transactions/s)
    batch_rounds: list[tuple[float, float]] = []  # (declarations/s, pgbench's)
    times: list[float] = []
    apart_times: list[float] = []
    single = apart = 0
    single_cpu, apart_cpu, batch_cpu = CpuMeter(servers), CpuMeter(servers), CpuMeter(servers)
    pgbench_cpu, pgbench_batch_cpu = CpuMeter(servers), CpuMeter(servers)
    pgbench_transactions = pgbench_batched = 0.0
    try:
        # warm-up: every process's pool at its working size, its statements prepared
        _load(bases, one, clients=args.clients, seconds=args.warmup, batch=1)
        if bare_bases:
            _load(bare_bases, one, clients=args.clients, seconds=args.warmup, batch=1)
        for _round in range(args.rounds):
            with single_cpu:
                count, elapsed, latencies = _load(
                    bases, one, clients=args.clients, seconds=slice_s, batch=1
                )
            single += count
            times += latencies
            with pgbench_cpu:
                tps = _pgbench(
                    args.url, clients=args.clients, seconds=slice_s, script=single_script
                )
            pgbench_transactions += tps * slice_s
            rounds.append((count / elapsed, tps))
            if bare_bases:
                with bare_cpu:
                    count, elapsed, latencies = _load(
                        bare_bases, one, clients=args.clients, seconds=slice_s, batch=1
                    )
                bare_count += count
                bare_times += latencies
                bare_rounds.append(count / elapsed)
        with batch_cpu:
            batched, batch_s, batch_times = _load(
                bases, one, clients=args.clients, seconds=args.seconds, batch=args.batch
            )
        _load(bases, each, clients=args.clients, seconds=1, batch=args.batch)  # their rows
        for _round in range(args.rounds):
            with apart_cpu:
                count, elapsed, latencies = _load(
                    bases, each, clients=args.clients, seconds=slice_s, batch=args.batch
                )
            apart += count
            apart_times += latencies
            with pgbench_batch_cpu:
                tps = _pgbench(args.url, clients=args.clients, seconds=slice_s, script=batch_script)
            pgbench_batched += tps * slice_s * args.batch
            batch_rounds.append((count / elapsed, tps * args.batch))
        _load(bases, flat_one + flat_each, clients=args.clients, seconds=1, batch=1)
        single_pricing = _compare_pricing(
            servers,
            risk=one,
            flat=flat_one,
            clients=args.clients,
            seconds=args.seconds,
            rounds=args.rounds,
            batch=1,
        )
        batch_pricing = _compare_pricing(
            servers,
            risk=each,
            flat=flat_each,
            clients=args.clients,
            seconds=args.seconds,
            rounds=args.rounds,
            batch=args.batch,
        )
    finally:
        for process, _base in servers + bare_servers:
            process.terminate()
            process.wait(timeout=10)
    times.sort()
    apart_times.sort()
    batch_times.sort()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs "
        f"(load average {load}), Python {platform.python_version()}, "
        f"PostgreSQL at {_host(make_url(args.url))}, {args.workers} uvicorn processes, "
        f"{args.clients} clients"
    )
    ratios = sorted(rate / tps for rate, tps in rounds)
    rate = sum(r for r, _t in rounds) / len(rounds)
    tps = sum(t for _r, t in rounds) / len(rounds)
    print(
        f"pgbench (conditional limit update + insert): {tps:,.0f} transactions/s "
        f"(rounds: {', '.join(f'{t:,.0f}' for _r, t in rounds)}); CPU per transaction: "
        f"{pgbench_cpu.per(pgbench_transactions)}"
    )
    print(
        f"ERP API, single declarations with Idempotency-Key (one exporter, "
        f"{len(one[0][1])} limits): {rate:,.0f} declarations/s = {rate / tps:.2f} of pgbench "
        f"(aim >= 0.25; rounds: {', '.join(f'{r:.2f}' for r in ratios)}, median "
        f"{statistics.median(ratios):.2f}); p50 {statistics.median(times):.2f} ms, p99 "
        f"{_percentile(times, 0.99):.2f} ms (aim < 20 ms), {single} declarations; "
        f"CPU per declaration: {single_cpu.per(single)}"
    )
    if bare_rounds:
        bare_times.sort()
        bare_rate = statistics.mean(bare_rounds)
        bare_ratios = [b / t for b, (_r, t) in zip(bare_rounds, rounds, strict=True)]
        print(
            f"bare FastAPI + asyncpg app, pgbench's transaction only (the same clients and "
            f"requests): {bare_rate:,.0f} declarations/s = {bare_rate / tps:.2f} of pgbench "
            f"(rounds: {', '.join(f'{r:.2f}' for r in bare_ratios)}); p50 "
            f"{statistics.median(bare_times):.2f} ms, p99 "
            f"{_percentile(bare_times, 0.99):.2f} ms; CPU per declaration: "
            f"{bare_cpu.per(bare_count)}; the ERP API reaches {rate / bare_rate:.2f} of it"
        )
    print(
        f"ERP API, batches of {args.batch} (one exporter, every batch on the same "
        f"{len(one[0][1])} limits): {batched / batch_s:,.0f} declarations/s (aim > 30,000); "
        f"p50 {statistics.median(batch_times):.1f} ms per request, p99 "
        f"{_percentile(batch_times, 0.99):.1f} ms, {batched} declarations; CPU per "
        f"declaration: {batch_cpu.per(batched)}"
    )
    batch_rate = sum(r for r, _t in batch_rounds) / len(batch_rounds)
    ceiling = sum(t for _r, t in batch_rounds) / len(batch_rounds)
    print(
        f"pgbench, the same transaction batched ({args.batch} declarations on {per} limits "
        f"a transaction, each client on an exporter's limits of its own): {ceiling:,.0f} "
        f"declarations/s (rounds: {', '.join(f'{t:,.0f}' for _r, t in batch_rounds)}); CPU "
        f"per declaration: {pgbench_batch_cpu.per(pgbench_batched)}"
    )
    print(
        f"ERP API, batches of {args.batch} ({len(each)} exporters, one ERP client each): "
        f"{batch_rate:,.0f} declarations/s (aim > 30,000) = {batch_rate / ceiling:.2f} of "
        f"batched pgbench (rounds: "
        f"{', '.join(f'{r / t:.2f}' for r, t in batch_rounds)}); p50 "
        f"{statistics.median(apart_times):.1f} ms per request, p99 "
        f"{_percentile(apart_times, 0.99):.1f} ms, {apart} declarations; CPU per "
        f"declaration: {apart_cpu.per(apart)}"
    )
    _print_pricing("ERP API, single declarations", single_pricing)
    _print_pricing(f"ERP API, batches of {args.batch} (one exporter per client)", batch_pricing)
    database_ms = apart_cpu.database / max(apart, 1)
    print(
        f"database ceiling of batched attachment on this machine: {os.cpu_count()} CPUs / "
        f"{1000 * database_ms:.3f} ms of database CPU a declaration = "
        f"{(os.cpu_count() or 1) / max(database_ms, 1e-9):,.0f} declarations/s, were the "
        f"app's CPU free"
    )


def _machine_cpu_s() -> float:
    """CPU seconds the whole machine spent busy so far (every process: app, database,
    clients), from /proc/stat.
    """
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # - idle, iowait


if __name__ == "__main__":
    main()

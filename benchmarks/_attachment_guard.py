"""``attachment.py --without-guard``: attachment through the ERP API with the consent guard
and the access log ON (the app as shipped) and OFF (``_unguarded_app.py``), the two sides'
uvicorn processes started side by side on one database and measured in interleaved
rounds, the order alternating (with, without; without, with; ...): single declarations,
then batches (one exporter per client).  Prints the medians of each side's declarations/s
and the ratio with/without (aim: the guard and the log cost at most 5 %, a ratio >= 0.95).

A helper, not a benchmark (``run_all.py`` skips files whose name starts with ``_``).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
from collections.abc import Callable
from typing import Any

SIDES = ("with", "without")
APPS = {"with": "tradecover.api.app:create_app", "without": "_unguarded_app:create_app"}


def compare_guard(
    args: argparse.Namespace,
    *,
    one: list[Any],
    each: list[Any],
    start: Callable[[str, int, str], list[tuple[subprocess.Popen[bytes], str]]],
    load: Callable[..., tuple[int, float, list[float]]],
) -> None:
    """Measure and print (``start``: the benchmark's server starter, ``load``: its client)."""
    slice_s = max(1, round(args.seconds / args.rounds))
    servers = {side: start(args.url, args.workers, APPS[side]) for side in SIDES}
    bases = {side: [base for _process, base in started] for side, started in servers.items()}
    rates: dict[tuple[str, int], list[float]] = {(s, b): [] for s in SIDES for b in (1, args.batch)}
    p50: dict[tuple[str, int], list[float]] = {key: [] for key in rates}
    try:
        for side in SIDES:  # warm-up: pools at their working size, statements prepared
            load(bases[side], one, clients=args.clients, seconds=args.warmup, batch=1)
            load(bases[side], each, clients=args.clients, seconds=1, batch=args.batch)
        for round_no in range(args.rounds):
            # ABBA: the side measured first in a slice pays for what the slice before it
            # left behind (the other side's batches), so the order alternates every round
            order = SIDES if round_no % 2 == 0 else SIDES[::-1]
            for batch, books in ((1, one), (args.batch, each)):
                for side in order:
                    count, elapsed, latencies = load(
                        bases[side], books, clients=args.clients, seconds=slice_s, batch=batch
                    )
                    rates[(side, batch)].append(count / elapsed)
                    p50[(side, batch)].append(statistics.median(latencies))
    finally:
        for started in servers.values():
            for process, _base in started:
                process.terminate()
                process.wait(timeout=10)
    average = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs (load "
        f"average {average}); {args.workers} uvicorn processes a side, {args.clients} clients, "
        f"{args.rounds} interleaved rounds of {slice_s} s (with, without; without, with; ...)"
    )
    for batch, label in ((1, "single declarations"), (args.batch, f"batches of {args.batch}")):
        on, off = (statistics.median(rates[(side, batch)]) for side in ("with", "without"))
        print(
            f"{label}: with guard and log {on:,.0f} declarations/s (median; p50 "
            f"{statistics.median(p50[('with', batch)]):.1f} ms), without {off:,.0f} (p50 "
            f"{statistics.median(p50[('without', batch)]):.1f} ms); ratio with/without "
            f"{on / off:.3f} (aim >= 0.95; rounds: "
            + ", ".join(
                f"{a / b:.2f}"
                for a, b in zip(rates[("with", batch)], rates[("without", batch)], strict=True)
            )
            + ")"
        )

"""Run every benchmark in this folder, one after the other, printing each one's figures.

Benchmarks never run inside ``make test``: ``make bench`` (or this script) runs them on
their own.  Those that need PostgreSQL read ``TRADECOVER_BENCH_DATABASE_URL`` (default: a
scratch database on 127.0.0.1:5432 as user postgres).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def main() -> int:
    failures = 0
    for script in sorted(HERE.glob("*.py")):
        if script.name in {"run_all.py", "__init__.py"} or script.name.startswith("_"):
            continue
        print(f"\n=== {script.name} ===", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script), *sys.argv[1:]], check=False)
        print(
            f"--- {script.name}: exit {result.returncode} in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: 1,000,000 short-term declarations priced in one vectorised batch vs one call each.

Single core: thread pools are pinned to one thread before numpy is imported.  The scalar
path (one ``ShortTermPricer.price`` Python call per declaration, Decimal arithmetic,
full explanation) is timed on a 20,000-declaration sample and extrapolated to the
whole batch; the sample's rates are checked equal to the batch's.

Run: ``.venv/bin/python benchmarks/pricing.py [--declarations N] [--sample N]``.
"""

from __future__ import annotations

import os

for _var in (
    "NUMBA_NUM_THREADS",
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from decimal import Decimal  # noqa: E402

import numpy as np  # noqa: E402

from tradecover.pricing.rate_table import TERMS_ORDER, default_rate_table  # noqa: E402
from tradecover.pricing.short_term import (  # noqa: E402
    PPM,
    ShortTermPricer,
    ShortTermRateRequest,
    grade_codes,
    rate_from_units,
)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _declarations(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    table = default_rate_table()
    return {
        "country_class": rng.integers(0, 8, n),
        "payment_terms": rng.integers(0, 4, n),
        "credit_days": rng.integers(0, 361, n),
        "indemnity_ppm": rng.choice([800_000, 850_000, 900_000, 950_000], n),
        "buyer_pd_ppm": np.where(rng.random(n) < 0.7, rng.integers(0, 100_001, n), -1),
        "buyer_grade_index": rng.integers(0, len(grade_codes(table)), n),
        "experience_factor_ppm": rng.choice([700_000, 900_000, 1_000_000, 1_250_000], n),
        "concentration_hhi_ppm": rng.integers(0, PPM + 1, n),
    }


def _request(
    arrays: dict[str, np.ndarray], i: int, grades: tuple[str, ...]
) -> tuple[ShortTermRateRequest, Decimal]:
    pd = int(arrays["buyer_pd_ppm"][i])
    return ShortTermRateRequest(
        payment_terms=TERMS_ORDER[int(arrays["payment_terms"][i])],
        credit_days=int(arrays["credit_days"][i]),
        indemnity_percentage=Decimal(int(arrays["indemnity_ppm"][i])).scaleb(-6),
        country_class=int(arrays["country_class"][i]),
        buyer_grade=grades[int(arrays["buyer_grade_index"][i])],
        buyer_pd=None if pd < 0 else Decimal(pd).scaleb(-6),
        concentration_hhi=Decimal(int(arrays["concentration_hhi_ppm"][i])).scaleb(-6),
    ), Decimal(int(arrays["experience_factor_ppm"][i])).scaleb(-6)


def main() -> None:
    """Run the benchmark and print its figures (and a JSON line)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--declarations", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    table = default_rate_table()
    pricer = ShortTermPricer(table=table)
    arrays = _declarations(args.declarations, seed=6)
    pricer.price_batch(**{k: v[:1000] for k, v in arrays.items()})  # warm-up
    timings = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        rates = pricer.price_batch(**arrays)
        timings.append(time.perf_counter() - start)
    batch_s = min(timings)

    # Scalar path: one Python call per declaration on a sample.  The batch takes the
    # policy's experience factor; the scalar request gets the same factor by pricing
    # without experience and applying it, so the sample compares like with like.
    grades = grade_codes(table)
    sample = [_request(arrays, i, grades) for i in range(args.sample)]
    start = time.perf_counter()
    scalar_quotes = [pricer.price(req) for req, _ in sample]
    scalar_s = time.perf_counter() - start
    no_experience = pricer.price_batch(
        **{k: v[: args.sample] for k, v in arrays.items() if k != "experience_factor_ppm"}
    )
    mismatches = sum(
        rate_from_units(int(u)) != q.rate for u, q in zip(no_experience, scalar_quotes, strict=True)
    )

    batch_rate = args.declarations / batch_s
    scalar_rate = args.sample / scalar_s
    print(
        f"machine: {_cpu_model()} ({platform.python_implementation()} "
        f"{platform.python_version()}, numpy {np.__version__}, single thread)"
    )
    print(
        f"vectorised batch: {args.declarations:,} declarations in {batch_s * 1000:.1f} ms "
        f"(best of {args.repeat}) = {batch_rate:,.0f} rates/s"
    )
    print(
        f"one Python call each: {args.sample:,} sample in {scalar_s:.2f} s = "
        f"{scalar_rate:,.0f} rates/s; extrapolated to {args.declarations:,}: "
        f"{args.declarations / scalar_rate:.1f} s"
    )
    print(
        f"batch / scalar: {batch_rate / scalar_rate:,.0f}x; "
        f"sample rates equal to batch: {mismatches == 0} ({mismatches} mismatches)"
    )
    print(f"mean rate of the batch: {rate_from_units(int(rates.mean()))}")
    print(
        json.dumps(
            {
                "benchmark": "pricing",
                "declarations": args.declarations,
                "batch_seconds": batch_s,
                "batch_rates_per_second": batch_rate,
                "scalar_sample": args.sample,
                "scalar_seconds": scalar_s,
                "scalar_rates_per_second": scalar_rate,
                "ratio": batch_rate / scalar_rate,
                "mismatches": mismatches,
            }
        )
    )


if __name__ == "__main__":
    main()

"""Benchmark of the portfolio risk engine.

Run:  .venv/bin/python benchmarks/risk_engine.py [--quick]

Generated books of 10^4, 10^5, 10^6 buyers: 20 rating grades, 6 country + 4 sector factors
with a correlation matrix, lognormal exposures.  Reports, in one run:

1. Monte Carlo throughput in obligor-scenarios per second (obligors x scenarios / wall time)
   of the numba engine, next to a textbook numpy implementation run here.  The engine draws
   each bucket's defaults by geometric skipping, an exact simulation of the same Bernoulli
   trials, so an "obligor-scenario" is one obligor's default indicator in one scenario,
   whether or not it cost a random number.
2. CreditRisk+ on 10^6 buyers: time to the full distribution, next to QuantLib's
   ``CreditRiskPlus`` (compiled here from a small C++ driver against libquantlib0-dev).
3. Time for crude and importance-sampled Monte Carlo to reach a 1 % relative standard
   error on the 99.5 % expected shortfall.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import special

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tradecover.risk import FactorModel, Portfolio, creditrisk_plus, monte_carlo
from tradecover.risk.creditrisk_plus import creditrisk_plus_from_inputs, sector_inputs
from tradecover.risk.montecarlo import compile_model, simulate_losses

COUNTRIES = ("US", "DE", "CN", "BR", "IN", "TR")
SECTORS = ("steel", "food", "textiles", "machinery")


def generate(n: int, seed: int = 2024) -> tuple[Portfolio, FactorModel]:
    """A book of ``n`` buyers on 10 correlated factors."""
    rng = np.random.default_rng(seed)
    names = COUNTRIES + SECTORS
    k = len(names)
    loadings = rng.uniform(0.3, 0.7, (k, 3))
    c = loadings @ loadings.T
    d = np.sqrt(np.diag(c))
    corr = c / np.outer(d, d)
    np.fill_diagonal(corr, 1.0)
    grades = np.geomspace(1e-4, 0.2, 20)
    port = Portfolio.from_arrays(
        pd=grades[rng.integers(0, 20, n)],
        ead=rng.lognormal(11.0, 1.2, n),
        countries=np.asarray(COUNTRIES)[rng.integers(0, 6, n)],
        sectors=np.asarray(SECTORS)[rng.integers(0, 4, n)],
        insured_share=0.9,
        lgd=rng.uniform(0.4, 1.0, n).round(1),
        asset_correlation=0.2,
        buyer_ids=np.arange(n).astype(str),
    )
    return port, FactorModel(names=names, correlation=corr)


def numpy_baseline(port: Portfolio, model: FactorModel, n_scen: int, seed: int = 1) -> float:
    """Textbook numpy: per scenario batch, every obligor's conditional PD and a uniform."""
    idx, w = model.loadings(port)
    chol = model.cholesky()
    c = special.ndtri(port.pd)
    sr = np.sqrt(port.asset_correlation)
    sq = np.sqrt(1 - port.asset_correlation)
    loss = port.loss_exposure
    rng = np.random.default_rng(seed)
    batch = max(1, 4_000_000 // port.size)
    t0 = time.perf_counter()
    done = 0
    while done < n_scen:
        b = min(batch, n_scen - done)
        f = rng.standard_normal((b, chol.shape[0])) @ chol.T
        y = f[:, idx[:, 0]] * w[:, 0] + f[:, idx[:, 1]] * w[:, 1]
        p = special.ndtr((c - sr * y) / sq)
        _ = (rng.random((b, port.size)) < p) @ loss
        done += b
    return port.size * n_scen / (time.perf_counter() - t0)


def engine_rate(port: Portfolio, model: FactorModel, seconds: float) -> tuple[float, int]:
    """Obligor-scenarios per second of the numba engine (crude), model prepared once."""
    sim = compile_model(port, model)
    simulate_losses(sim, seed=1, first=0, count=64)  # compile / warm
    n_scen = 256
    while True:
        t0 = time.perf_counter()
        simulate_losses(sim, seed=1, first=0, count=n_scen)
        t = time.perf_counter() - t0
        if t > seconds or n_scen > 5_000_000:
            return port.size * n_scen / t, n_scen
        n_scen *= 4


QL_DRIVER = r"""
#include <ql/experimental/risk/creditriskplus.hpp>
#include <chrono>
#include <cstdio>
#include <vector>
using namespace QuantLib;
int main(int argc, char** argv) {
    FILE* f = std::fopen(argv[1], "rb");
    double hdr[3]; if (std::fread(hdr, sizeof(double), 3, f) != 3) return 2;
    size_t n = (size_t)hdr[0], k = (size_t)hdr[1]; double unit = hdr[2];
    std::vector<double> e(n), p(n), s(n);
    if (std::fread(e.data(), sizeof(double), n, f) != n) return 2;
    if (std::fread(p.data(), sizeof(double), n, f) != n) return 2;
    if (std::fread(s.data(), sizeof(double), n, f) != n) return 2;
    std::fclose(f);
    std::vector<Real> ex(e.begin(), e.end()), pd(p.begin(), p.end());
    std::vector<Size> sec(n); for (size_t i = 0; i < n; ++i) sec[i] = (Size)s[i];
    std::vector<Real> var(k, 1.0);
    Matrix corr(k, k, 0.0); for (size_t i = 0; i < k; ++i) corr[i][i] = 1.0;
    auto t0 = std::chrono::steady_clock::now();
    CreditRiskPlus crp(ex, pd, sec, var, corr, unit);
    auto t1 = std::chrono::steady_clock::now();
    std::printf("%.6f %.10g %zu %.10g %.10g %.10g\n",
        std::chrono::duration<double>(t1 - t0).count(), crp.expectedLoss(), crp.loss().size(),
        crp.lossQuantile(0.99), crp.lossQuantile(0.995), crp.lossQuantile(0.999));
    return 0;
}
"""


def build_quantlib_driver(workdir: Path) -> Path | None:
    """Install libquantlib0-dev if needed and compile the driver; None (with a reason) if not."""
    if not Path("/usr/include/ql/experimental/risk/creditriskplus.hpp").exists():
        if shutil.which("apt-get") is None:
            print("  QuantLib: no apt-get here; skipping the QuantLib comparison")
            return None
        print("  QuantLib: installing libquantlib0-dev ...")
        r = subprocess.run(
            ["apt-get", "install", "-y", "-qq", "libquantlib0-dev", "g++"],
            capture_output=True,
            text=True,
            check=False,
        )
        if r.returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], capture_output=True, check=False)
            r = subprocess.run(
                ["apt-get", "install", "-y", "-qq", "libquantlib0-dev", "g++"],
                capture_output=True,
                text=True,
                check=False,
            )
        if r.returncode != 0:
            print(f"  QuantLib: install failed ({r.stderr.strip()[-300:]}); skipping")
            return None
    src = workdir / "crp_driver.cpp"
    exe = workdir / "crp_driver"
    src.write_text(QL_DRIVER)
    r = subprocess.run(
        [
            "g++",
            "-O2",
            "-std=c++17",
            "-Wno-deprecated-declarations",
            str(src),
            "-o",
            str(exe),
            "-lQuantLib",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if r.returncode != 0:
        print(f"  QuantLib: compile failed ({r.stderr.strip()[-400:]}); skipping")
        return None
    return exe


def run_quantlib(
    exe: Path,
    workdir: Path,
    loss: np.ndarray,
    pd: np.ndarray,
    sector: np.ndarray,
    k: int,
    unit: float,
) -> tuple[float, float, int, tuple[float, float, float]]:
    """Time QuantLib's CreditRiskPlus constructor (the full distribution)."""
    data = workdir / "input.bin"
    with data.open("wb") as fh:
        np.array([loss.size, k, unit], dtype=np.float64).tofile(fh)
        loss.astype(np.float64).tofile(fh)
        pd.astype(np.float64).tofile(fh)
        sector.astype(np.float64).tofile(fh)
    out = subprocess.run(
        [str(exe), str(data)], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), float(out[1]), int(out[2]), (float(out[3]), float(out[4]), float(out[5]))


def tail_cost(port: Portfolio, model: FactorModel, n_crude: int, n_is: int) -> None:
    """Time to a 1 % relative standard error of ES 99.5 %, crude vs importance sampling."""
    q = 0.995
    monte_carlo(port, model, n_scenarios=256, seed=3, importance_sampling=True)  # warm
    rows = []
    for name, imp, n in (("crude", False, n_crude), ("importance sampling", True, n_is)):
        t0 = time.perf_counter()
        r = monte_carlo(port, model, n_scenarios=n, seed=3, importance_sampling=imp, is_level=q)
        est = r.tail(q)
        t = time.perf_counter() - t0
        rse = est.es_standard_error / est.expected_shortfall
        rows.append((name, n, t, est.expected_shortfall, rse, t * (rse / 0.01) ** 2))
    print(
        f"  {'method':<20}{'scenarios':>10}{'time s':>9}{'ES 99.5%':>14}"
        f"{'rel. SE':>9}{'time to 1% s':>14}"
    )
    for name, n, t, es, rse, t1 in rows:
        print(f"  {name:<20}{n:>10}{t:>9.2f}{es:>14.4g}{rse:>9.2%}{t1:>14.3f}")
    print(
        f"  gain (crude / IS time to 1 % RSE): {rows[0][5] / rows[1][5]:.1f}x; ES agree within "
        f"{abs(rows[0][3] - rows[1][3]) / np.hypot(*(r[4] * r[3] for r in rows)):.1f} sigma"
    )


def main() -> None:
    """Run every part and print the tables."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="smaller sizes and shorter runs")
    args = ap.parse_args()
    sizes = (10_000, 100_000) if args.quick else (10_000, 100_000, 1_000_000)
    cpu = "unknown"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        )
    print(
        f"machine: {cpu}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )
    books = {n: generate(n) for n in sizes}

    print("\n1. Monte Carlo throughput (obligor-scenarios / s; crude, 10 factors, 20 grades)")
    print(f"  {'buyers':>10}{'engine':>12}{'scenarios':>11}{'numpy':>12}{'ratio':>9}")
    for n, (port, model) in books.items():
        rate, n_scen = engine_rate(port, model, 1.0 if args.quick else 3.0)
        base = numpy_baseline(port, model, max(1, 2_000_000 // n) * (1 if args.quick else 4))
        print(f"  {n:>10}{rate:>12.3g}{n_scen:>11}{base:>12.3g}{rate / base:>8.0f}x")

    print("\n2. CreditRisk+ on the largest book: time to the full distribution")
    port, model = books[sizes[-1]]
    # like-for-like: each buyer in one sector (its country), sectors independent, variance 1
    cmodel = FactorModel(names=COUNTRIES, correlation=np.eye(len(COUNTRIES)))
    loss = port.loss_exposure
    sector = np.array([COUNTRIES.index(c) for c in np.unique(port.countries)])[
        np.unique(port.countries, return_inverse=True)[1]
    ]
    with tempfile.TemporaryDirectory() as tmp:
        exe = build_quantlib_driver(Path(tmp))
        print(
            f"  {'loss units':>11}{'ours s':>9}{'grid':>9}{'QuantLib s':>12}"
            f"{'QL grid':>9}{'speed-up':>9}"
            f"   VaR99 / VaR99.5 / VaR99.9 (ours | QuantLib one-sector collapse)"
        )
        for units in (2e4, 2e5):
            unit = float(loss.sum()) / units
            creditrisk_plus(port, cmodel, loss_unit=unit)  # warm
            t0 = time.perf_counter()
            inp = sector_inputs(port, cmodel, loss_unit=unit)  # labels -> sectors, units
            t_map = time.perf_counter() - t0
            t0 = time.perf_counter()
            r = creditrisk_plus_from_inputs(inp)
            t_ours = time.perf_counter() - t0
            print(f"  (label mapping and discretisation of {port.size} buyers: {t_map:.3f} s)")
            d = r.distribution
            ours = [d.value_at_risk(q) for q in (0.99, 0.995, 0.999)]
            if exe is not None:
                t_ql, _el, grid, qq = run_quantlib(
                    exe, Path(tmp), loss, port.pd, sector, len(COUNTRIES), unit
                )
                print(
                    f"  {units:>11.0e}{t_ours:>9.3f}{d.pmf.size:>9}{t_ql:>12.3f}"
                    f"{grid:>9}{t_ql / t_ours:>8.1f}x   "
                    + " / ".join(f"{a:.4g}" for a in ours)
                    + " | "
                    + " / ".join(f"{b:.4g}" for b in qq)
                )
            else:
                print(
                    f"  {units:>11.0e}{t_ours:>9.3f}{d.pmf.size:>9}{'n/a':>12}"
                    + " / ".join(f"{a:.4g}" for a in ours)
                )
        t0 = time.perf_counter()
        full = creditrisk_plus(port, model)
        print(
            f"  all 10 country+sector sectors, default unit: "
            f"{time.perf_counter() - t0:.3f} s, grid "
            f"{full.distribution.pmf.size}, VaR99.5 {full.distribution.value_at_risk(0.995):.4g}"
        )
    print("  QuantLib (Integrating Correlations, Risk 1999) collapses all sectors into one gamma")
    print("  variable matching the total variance, takes one sector per obligor, and runs its")
    print("  recursion up to the total exposure (its grid column); we keep every sector, allow")
    print("  several per obligor, and stop the FFT grid where the probability mass ends.  With")
    print("  equal-sized independent sectors the quantiles agree closely; they part when sector")
    print("  sizes or variances differ or obligors load on several sectors (last line above).")
    print("\n3. Tail estimation cost, ES 99.5 % to 1 % relative standard error")
    port, model = books[100_000 if 100_000 in books else sizes[-1]]
    print(f"  book: {port.size} buyers")
    tail_cost(
        port, model, n_crude=50_000 if args.quick else 200_000, n_is=5_000 if args.quick else 20_000
    )


if __name__ == "__main__":
    main()

"""Gaussian copula Monte Carlo: reproducible, exact against the one-factor recursion, IS."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.builders.portfolios import make_factor_model, make_portfolio, one_factor_portfolio
from tradecover.risk import FactorModel, monte_carlo
from tradecover.risk._kernels import philox4x32_10
from tradecover.risk.montecarlo import compile_model, simulate_losses
from tradecover.risk.vasicek import (
    granularity_adjustment,
    one_factor_loss_distribution,
    vasicek_value_at_risk,
)

KAT = [  # Random123 kat_vectors: philox4x32 10 counter[4] key[2] -> output[4]
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    (
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
]


@pytest.mark.parametrize(("ctr", "key", "expected"), KAT)
def test_philox_matches_the_random123_known_answers(
    ctr: tuple[int, ...], key: tuple[int, int], expected: tuple[int, ...]
) -> None:
    out = philox4x32_10(*[np.uint64(v) for v in ctr + key])
    assert tuple(int(v) for v in out) == expected


@pytest.mark.parametrize("importance_sampling", [False, True])
def test_any_chunking_gives_the_same_losses_bit_for_bit(importance_sampling: bool) -> None:
    port, model = make_portfolio(n=800, seed=3), make_factor_model()
    a = monte_carlo(
        port,
        model,
        n_scenarios=3000,
        seed=11,
        importance_sampling=importance_sampling,
        chunk_size=3000,
    )
    b = monte_carlo(
        port,
        model,
        n_scenarios=3000,
        seed=11,
        importance_sampling=importance_sampling,
        chunk_size=701,
    )
    assert np.array_equal(a.losses, b.losses) and np.array_equal(a.log_weights, b.log_weights)
    sim = compile_model(port, model, band_ratio=2.0 if importance_sampling else None)
    shift = None if a.plan is None else a.plan.shift
    target = 0.0 if a.plan is None else a.plan.target_loss
    tail, _ = simulate_losses(sim, seed=11, first=2500, count=500, shift=shift, twist_target=target)
    assert np.array_equal(tail, a.losses[2500:])
    other = monte_carlo(
        port, model, n_scenarios=3000, seed=12, importance_sampling=importance_sampling
    )
    assert not np.array_equal(other.losses, a.losses)


def _order_statistic_band(losses: np.ndarray, q: float, z: float = 3.5) -> tuple[float, float]:
    n = losses.size
    s = np.sort(losses)
    half = z * np.sqrt(n * q * (1 - q))
    return float(s[max(int(np.floor(n * q - half)), 0)]), float(
        s[min(int(np.ceil(n * q + half)), n - 1)]
    )


def test_quantiles_agree_with_the_exact_one_factor_recursion() -> None:
    rng = np.random.default_rng(8)
    n = 40
    units = rng.integers(1, 6, n).astype(float)
    port = one_factor_portfolio(n=n, pd=rng.uniform(0.005, 0.05, n), rho=0.25, units=units)
    exact = one_factor_loss_distribution(port, loss_unit=1.0, nodes=80)
    mc = monte_carlo(port, FactorModel.one_factor(), n_scenarios=200_000, seed=5)
    assert exact.mean() == pytest.approx(port.expected_loss(), rel=1e-6)
    assert abs(mc.expected_loss() - port.expected_loss()) < 4 * mc.expected_loss_standard_error()
    for q in (0.99, 0.995, 0.999):
        lo, hi = _order_statistic_band(mc.losses, q)
        assert lo <= exact.value_at_risk(q) <= hi, q
        t = mc.tail(q)
        assert abs(t.expected_shortfall - exact.expected_shortfall(q)) < 4 * t.es_standard_error, q


def test_large_homogeneous_portfolio_converges_to_the_vasicek_limit() -> None:
    n, pd, rho = 20_000, 0.01, 0.15
    port = one_factor_portfolio(n=n, pd=pd, rho=rho)
    mc = monte_carlo(port, FactorModel.one_factor(), n_scenarios=40_000, seed=3)
    for q in (0.99, 0.995):
        limit = vasicek_value_at_risk(port, q)
        ga = granularity_adjustment(port, q)
        assert 0 < ga < 0.02 * limit  # granular book: a small correction
        lo, hi = _order_statistic_band(mc.losses, q)
        assert lo - 1 <= limit + ga <= hi + 1, q  # +-1 unit: the loss is integer


def test_importance_sampling_is_unbiased_and_more_efficient() -> None:
    port, model = make_portfolio(n=3000, seed=9), make_factor_model()
    q = 0.995
    monte_carlo(port, model, n_scenarios=64, seed=1, importance_sampling=True)  # warm the kernels
    t0 = time.perf_counter()
    crude = monte_carlo(port, model, n_scenarios=60_000, seed=1)
    t_crude = time.perf_counter() - t0
    t0 = time.perf_counter()
    imp = monte_carlo(port, model, n_scenarios=10_000, seed=2, importance_sampling=True, is_level=q)
    t_is = time.perf_counter() - t0
    c, i = crude.tail(q), imp.tail(q)
    assert abs(i.expected_shortfall - c.expected_shortfall) < 4 * np.hypot(
        c.es_standard_error, i.es_standard_error
    )
    # the tail probability beyond the crude VaR, estimated under IS, is 1 - q
    w = imp.weights
    assert w is not None
    hit = w * (imp.losses > c.value_at_risk)
    crude_p = float(np.mean(crude.losses > c.value_at_risk))
    crude_se = np.sqrt(crude_p * (1 - crude_p) / crude.losses.size)
    assert abs(hit.mean() - crude_p) < 4 * np.hypot(crude_se, hit.std() / np.sqrt(hit.size))
    # work-normalised variance: se^2 x time, smaller by a wide margin
    assert i.es_standard_error**2 * t_is < 0.25 * c.es_standard_error**2 * t_crude


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 2**40), imp=st.booleans(), q=st.sampled_from([0.99, 0.995, 0.999]))
def test_euler_contributions_add_up_to_the_estimated_shortfall(
    seed: int, imp: bool, q: float
) -> None:
    port = make_portfolio(n=300, seed=seed % 1000)
    mc = monte_carlo(
        port, make_factor_model(), n_scenarios=4000, seed=seed, importance_sampling=imp
    )
    contrib = mc.expected_shortfall_contributions(q)
    assert contrib.sum() == pytest.approx(mc.tail(q).expected_shortfall, rel=1e-9)
    assert np.all(contrib >= 0)

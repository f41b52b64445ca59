"""One-factor closed forms: Vasicek limit, granularity adjustment, exact recursion."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import integrate, special

from tests.builders.portfolios import one_factor_portfolio
from tradecover.risk import (
    granularity_adjustment,
    one_factor_loss_distribution,
    vasicek_expected_shortfall,
    vasicek_value_at_risk,
)
from tradecover.risk.vasicek import vasicek_contributions


def test_vasicek_quantile_is_the_basel_asrf_formula() -> None:
    """Vasicek (2002): VaR_q / N = Phi((Phi^-1(p) + sqrt(rho) Phi^-1(q)) / sqrt(1 - rho))."""
    port = one_factor_portfolio(n=1000, pd=0.01, rho=0.2)
    expect = special.ndtr(
        (special.ndtri(0.01) + np.sqrt(0.2) * special.ndtri(0.999)) / np.sqrt(0.8)
    )
    assert vasicek_value_at_risk(port, 0.999) == pytest.approx(1000 * expect, rel=1e-12)


def test_vasicek_expected_shortfall_is_the_tail_mean_of_quantiles() -> None:
    port = one_factor_portfolio(n=10, pd=0.03, rho=0.3)
    q = 0.995
    direct, _ = integrate.quad(lambda u: vasicek_value_at_risk(port, u), q, 1, limit=200)
    assert vasicek_expected_shortfall(port, q) == pytest.approx(direct / (1 - q), rel=1e-6)


def test_vasicek_contributions_add_up() -> None:
    rng = np.random.default_rng(1)
    port = one_factor_portfolio(
        n=50, pd=rng.uniform(0.001, 0.1, 50), rho=0.2, units=rng.uniform(1, 9, 50)
    )
    assert vasicek_contributions(port, 0.999).sum() == pytest.approx(
        vasicek_value_at_risk(port, 0.999), rel=1e-12
    )


def test_exact_recursion_equals_enumeration_of_every_default_set() -> None:
    rng = np.random.default_rng(2)
    n, rho = 7, 0.3
    pd = rng.uniform(0.01, 0.2, n)
    units = rng.integers(1, 4, n).astype(float)
    port = one_factor_portfolio(n=n, pd=pd, rho=rho, units=units)
    dist = one_factor_loss_distribution(port, loss_unit=1.0, nodes=40)
    x, w = np.polynomial.hermite_e.hermegauss(40)
    w = w / np.sqrt(2 * np.pi)
    pc = special.ndtr((special.ndtri(pd)[None, :] + np.sqrt(rho) * x[:, None]) / np.sqrt(1 - rho))
    brute = np.zeros(int(units.sum()) + 1)
    for d in itertools.product((0, 1), repeat=n):
        dd = np.array(d)
        brute[int(dd @ units)] += float(w @ np.prod(np.where(dd, pc, 1 - pc), axis=1))
    assert np.abs(dist.pmf - brute).max() < 1e-14


def test_granularity_adjustment_moves_the_limit_towards_the_exact_quantile() -> None:
    rng = np.random.default_rng(4)
    n = 120
    units = rng.integers(1, 30, n).astype(float)
    port = one_factor_portfolio(n=n, pd=rng.uniform(0.005, 0.03, n), rho=0.2, units=units)
    exact = one_factor_loss_distribution(port, loss_unit=1.0, nodes=96)
    for q in (0.99, 0.999):
        limit = vasicek_value_at_risk(port, q)
        ga = granularity_adjustment(port, q)
        assert ga > 0
        assert abs(exact.value_at_risk(q) - (limit + ga)) < 0.5 * abs(
            exact.value_at_risk(q) - limit
        )

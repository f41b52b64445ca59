"""CreditRisk+: exact on the exposure grid, EL kept, Euler contributions add up."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

from tests.builders.portfolios import make_factor_model, make_portfolio
from tradecover.risk import FactorModel, Portfolio, creditrisk_plus
from tradecover.risk.creditrisk_plus import sector_inputs


def _truncated_conv(a: np.ndarray, b: np.ndarray, m: int) -> np.ndarray:
    return np.convolve(a, b)[:m]


def _compound(counts: np.ndarray, severity: np.ndarray, m: int) -> np.ndarray:
    """sum_n counts[n] severity^{*n}, by repeated direct convolution."""
    out = np.zeros(m)
    power = np.zeros(m)
    power[0] = 1.0
    for c in counts:
        out += c * power
        power = _truncated_conv(power, severity, m)
    return out


def _brute_force(
    portfolio: Portfolio, model: FactorModel, unit: float, m: int, share: float
) -> np.ndarray:
    """The CSFB (1997) model computed sector by sector with direct convolutions."""
    inp = sector_inputs(portfolio, model, loss_unit=unit, systematic_share=share)
    k = inp.sector_variance.size
    total = np.zeros(m)
    total[0] = 1.0
    n = np.arange(400)
    for s in range(k + 1):
        sev = np.zeros(m)
        if s == k:
            np.add.at(sev, inp.nu, inp.pd * inp.idiosyncratic_weight)
        else:
            for slot in range(2):
                hit = inp.sector_index[:, slot] == s
                np.add.at(sev, inp.nu[hit], (inp.pd * inp.sector_weight[:, slot])[hit])
        mu = sev.sum()
        if mu == 0:
            continue
        sev /= mu
        if s == k:
            counts = stats.poisson.pmf(n, mu)
        else:
            var = inp.sector_variance[s]
            alpha = 1.0 / var
            delta = var * mu / (1.0 + var * mu)
            counts = np.exp(
                special.gammaln(alpha + n)
                - special.gammaln(alpha)
                - special.gammaln(n + 1)
                + alpha * np.log1p(-delta)
                + n * np.log(delta)
            )
        total = _truncated_conv(total, _compound(counts, sev, m), m)
    return total


def test_equals_brute_force_compound_distribution_on_the_grid() -> None:
    port = make_portfolio(n=12, seed=5, countries=("US", "DE"), sectors=("steel",))
    model = FactorModel(
        names=("US", "DE", "steel"), correlation=np.eye(3), sector_variance=(0.5, 1.3, 0.8)
    )
    unit = float(port.loss_exposure.max()) / 4.0
    res = creditrisk_plus(port, model, loss_unit=unit, systematic_share=0.7)
    pmf = res.distribution.pmf
    brute = _brute_force(port, model, unit, pmf.size, 0.7)
    assert np.abs(pmf - brute).max() < 1e-15
    assert np.abs(np.cumsum(pmf) - np.cumsum(brute)).max() < 1e-14


def test_single_sector_unit_exposures_give_the_negative_binomial() -> None:
    """CSFB (1997) section A4: one sector, unit losses, the number of defaults is NB."""
    n, pd, var = 200, 0.02, 0.8
    port = Portfolio.from_arrays(
        pd=[pd] * n,
        ead=[1.0] * n,
        insured_share=1.0,
        lgd=1.0,
        countries=["US"] * n,
        sectors=["s"] * n,
    )
    model = FactorModel(names=("US",), correlation=np.ones((1, 1)), sector_variance=(var,))
    d = creditrisk_plus(port, model, loss_unit=1.0).distribution
    mu = n * pd
    alpha, delta = 1.0 / var, var * mu / (1.0 + var * mu)
    k = np.arange(d.pmf.size)
    nb = stats.nbinom.pmf(k, alpha, 1.0 - delta)
    assert np.abs(d.pmf - nb).max() < 1e-15
    # deep tail: relative accuracy where the Panjer recursion is known to drift
    deep = nb > 1e-250
    assert np.max(np.abs(d.pmf[deep][:60] / nb[deep][:60] - 1.0)) < 1e-9


def test_vanishing_sector_variance_meets_the_independent_poisson_model() -> None:
    port = make_portfolio(n=300, seed=4)
    model = make_factor_model(sector_variance=1e-9)
    unit = float(port.loss_exposure.max()) / 100
    tiny = creditrisk_plus(port, model, loss_unit=unit).distribution
    indep = creditrisk_plus(port, model, loss_unit=unit, systematic_share=0.0).distribution
    n = min(tiny.pmf.size, indep.pmf.size)
    assert np.abs(tiny.pmf[:n] - indep.pmf[:n]).max() < 1e-9


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), share=st.floats(0.0, 1.0), var=st.floats(0.05, 3.0))
def test_expected_loss_is_kept_exactly(seed: int, share: float, var: float) -> None:
    port = make_portfolio(n=300, seed=seed)
    res = creditrisk_plus(port, make_factor_model(sector_variance=var), systematic_share=share)
    assert res.distribution.mean() == pytest.approx(port.expected_loss(), rel=1e-9)
    assert res.distribution.pmf.sum() == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), q=st.sampled_from([0.9, 0.99, 0.995, 0.999]))
def test_euler_contributions_add_up_to_expected_shortfall(seed: int, q: float) -> None:
    res = creditrisk_plus(make_portfolio(n=400, seed=seed), make_factor_model())
    contrib = res.expected_shortfall_contributions(q)
    assert contrib.sum() == pytest.approx(res.distribution.expected_shortfall(q), rel=1e-9)
    assert np.all(contrib >= -1e-12)


def test_contributions_match_finite_differences_of_expected_shortfall() -> None:
    """Euler: the contribution is the derivative of ES along the obligor's exposure."""
    port = make_portfolio(n=60, seed=2)
    model = make_factor_model()
    unit = 0.01
    base = creditrisk_plus(port, model, loss_unit=unit)
    i = int(np.argmax(port.loss_exposure))
    q = 0.99
    contrib = base.expected_shortfall_contributions(q)[i]
    # scaling PD by (1+h) scales the Poisson intensity: d ES / d h = contribution
    h = 1e-4
    pd_up = port.pd.copy()
    pd_up[i] *= 1 + h
    up = creditrisk_plus(port.with_columns(pd=pd_up), model, loss_unit=unit)
    fd = (up.distribution.expected_shortfall(q) - base.distribution.expected_shortfall(q)) / h
    # not the exposure derivative, but in CR+ E[L_i | tail] >= the intensity derivative
    assert 0 <= fd <= contrib * 1.000001


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 1000), mult=st.floats(1.0, 5.0))
def test_value_at_risk_never_falls_when_pds_rise(seed: int, mult: float) -> None:
    port = make_portfolio(n=200, seed=seed)
    model = make_factor_model()
    unit = float(port.loss_exposure.max()) / 50
    base = creditrisk_plus(port, model, loss_unit=unit).distribution
    shocked = creditrisk_plus(
        port.with_columns(pd=np.minimum(port.pd * mult, 1.0)), model, loss_unit=unit
    ).distribution
    for q in (0.99, 0.995, 0.999):
        assert shocked.value_at_risk(q) >= base.value_at_risk(q)

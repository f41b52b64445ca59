"""The entry point: methods side by side, stress beside base, JSON out, progress."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.builders.portfolios import make_portfolio
from tradecover.risk import Portfolio, RiskRunSpec, run_risk, tariff_shock
from tradecover.risk.run import Method


@pytest.fixture(scope="module")
def book() -> Portfolio:
    return make_portfolio(n=1500, seed=21, basis="limit")


def test_expected_loss_is_identical_across_methods(book: Portfolio) -> None:
    el = book.expected_loss()
    crp = run_risk(RiskRunSpec(portfolio=book, method="creditrisk_plus")).base
    vas = run_risk(RiskRunSpec(portfolio=book, method="vasicek")).base
    mc = run_risk(
        RiskRunSpec(
            portfolio=book, method="monte_carlo", importance_sampling=False, n_scenarios=40_000
        )
    ).base
    assert crp.expected_loss == vas.expected_loss == mc.expected_loss == el
    assert crp.method_expected_loss == pytest.approx(el, rel=1e-9)
    assert vas.method_expected_loss == pytest.approx(el, rel=1e-12)
    assert abs(mc.method_expected_loss - el) < 4 * mc.extras["expected_loss_standard_error"]


@pytest.mark.parametrize("method", ["creditrisk_plus", "vasicek", "monte_carlo"])
def test_run_reports_figures_stress_and_concentration_as_json(
    book: Portfolio, method: Method
) -> None:
    seen: list[tuple[int, int]] = []
    result = run_risk(
        RiskRunSpec(
            portfolio=book,
            method=method,
            scenarios=("tariff_shock_us", "recession"),
            n_scenarios=4000,
            seed=3,
        ),
        on_progress=lambda d, t: seen.append((d, t)),
    )
    assert result.status == "finished"
    doc = json.loads(json.dumps(result.to_dict()))
    assert [s["scenario"] for s in doc["stressed"]] == ["tariff_shock_us", "recession"]
    base = result.base
    for q in (0.99, 0.995, 0.999):
        assert base.expected_shortfall[q] >= base.value_at_risk[q] * (
            0.0 if method == "vasicek" else 1.0
        )
    assert sorted(base.value_at_risk.values()) == [
        base.value_at_risk[q] for q in (0.99, 0.995, 0.999)
    ]
    c = base.contributions
    ref = (
        base.value_at_risk[0.995] - base.extras.get("granularity_adjustment@0.995", 0.0)
        if method == "vasicek"
        else base.expected_shortfall[0.995]
    )
    assert c.total == pytest.approx(ref, rel=1e-9)
    assert sum(c.by_country.values()) == pytest.approx(c.total, rel=1e-12)
    assert sum(c.by_sector.values()) == pytest.approx(c.total, rel=1e-12)
    recession = result.stressed[1]
    assert (
        recession.expected_loss == pytest.approx(2 * base.expected_loss, rel=1e-9)
        or recession.expected_loss > base.expected_loss
    )
    assert seen[-1][0] == seen[-1][1] and [d for d, _ in seen] == sorted(d for d, _ in seen)
    conc = {c["dimension"]: c for c in doc["concentration"]}
    assert set(conc) == {"buyer_group", "country", "sector"}
    assert 0 < conc["country"]["hhi"] <= 1


def test_tariff_shock_hits_only_the_destination(book: Portfolio) -> None:
    shocked = tariff_shock("US").apply(book)
    us = book.countries == "US"
    assert np.all(shocked.pd[us] == np.minimum(book.pd[us] * 3.0, 1.0))
    assert np.all(
        shocked.ead[us] == book.limit[us] * 0.5
    )  # limit basis: the cut limit is the exposure
    assert np.array_equal(shocked.pd[~us], book.pd[~us]) and np.array_equal(
        shocked.ead[~us], book.ead[~us]
    )
    assert np.all(shocked.lgd[us] >= book.lgd[us])


def test_outstanding_receivables_stay_insured_when_a_limit_is_cut() -> None:
    book = make_portfolio(n=100, seed=1, basis="outstanding")
    shocked = tariff_shock("US", limit_factor=0.0).apply(book)
    assert np.array_equal(shocked.ead, book.ead)
    assert np.all(shocked.limit[book.countries == "US"] == 0.0)

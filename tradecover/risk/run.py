"""The one entry point of the risk library: :func:`run_risk` on a :class:`RiskRunSpec`.

The CLI (``tradecover risk run``) and the API (``POST /api/v1/risk/runs``) are meant to be
thin shells around it: build a spec, pass a progress callback, store ``result.to_dict()``.
Every input is validated before any computation, so a bad input raises
:class:`~tradecover.kit.errors.ValidationFailed` naming the field and nothing is finished.
All amounts are float estimates in the portfolio's reporting currency.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from tradecover.kit.errors import ValidationFailed
from tradecover.risk.creditrisk_plus import creditrisk_plus
from tradecover.risk.measures import Concentration, check_confidence_levels, concentration
from tradecover.risk.montecarlo import monte_carlo
from tradecover.risk.portfolio import FactorModel, Portfolio
from tradecover.risk.stress import StressScenario, resolve_scenario
from tradecover.risk.vasicek import (
    granularity_adjustment,
    vasicek_contributions,
    vasicek_expected_shortfall,
    vasicek_value_at_risk,
)

FloatArray = npt.NDArray[np.float64]
Method = Literal["monte_carlo", "creditrisk_plus", "vasicek"]
METHODS: tuple[str, ...] = ("monte_carlo", "creditrisk_plus", "vasicek")
ProgressCallback = Callable[[int, int], None]


def default_factor_model(portfolio: Portfolio, *, correlation: float = 0.25) -> FactorModel:
    """One factor per country and per sector of the book, all pairwise ``correlation``."""
    names = tuple(sorted(set(portfolio.countries.tolist()))) + tuple(
        f"sector:{s}" for s in sorted(set(portfolio.sectors.tolist()))
    )
    k = len(names)
    c = np.full((k, k), correlation)
    np.fill_diagonal(c, 1.0)
    return FactorModel(names=names, correlation=c, sector_prefix="sector:")


@dataclass(frozen=True)
class RiskRunSpec:
    """What to compute: portfolio, method, confidence levels, stress scenarios, seed."""

    portfolio: Portfolio
    method: Method = "monte_carlo"
    confidence_levels: tuple[float, ...] = (0.99, 0.995, 0.999)
    scenarios: tuple[str | StressScenario, ...] = ()
    seed: int = 0
    n_scenarios: int = 100_000
    importance_sampling: bool = True
    factor_model: FactorModel | None = None
    contribution_level: float = 0.995
    top_n: int = 10
    chunk_size: int = 16_384
    loss_unit: float | None = None

    def validate(self) -> tuple[StressScenario, ...]:
        """Check every input; return the resolved stress scenarios."""
        if self.method not in METHODS:
            raise ValidationFailed(
                f"unknown method {self.method!r}; use one of {', '.join(METHODS)}",
                code="unknown_method",
                field="method",
            )
        check_confidence_levels(self.confidence_levels)
        check_confidence_levels([self.contribution_level], field="contribution_level")
        if not isinstance(self.seed, int) or not (0 <= self.seed < 2**64):
            raise ValidationFailed(
                "seed must be an integer in [0, 2^64)", code="bad_seed", field="seed"
            )
        if self.n_scenarios < 1:
            raise ValidationFailed(
                "n_scenarios must be positive", code="bad_n_scenarios", field="n_scenarios"
            )
        if self.top_n < 1:
            raise ValidationFailed("top_n must be at least 1", code="bad_top_n", field="top_n")
        self.portfolio.validate()
        return tuple(resolve_scenario(s) for s in self.scenarios)


@dataclass(frozen=True)
class Contributions:
    """Euler contributions to ES (or to VaR for ``vasicek``) at ``level``; they add up."""

    level: float
    measure: str
    by_buyer: FloatArray
    by_country: dict[str, float]
    by_sector: dict[str, float]
    total: float

    def to_dict(self, buyer_ids: npt.NDArray[np.str_], top_n: int) -> dict[str, object]:
        """A JSON view with the ``top_n`` buyers and every country and sector."""
        top = np.argsort(-self.by_buyer, kind="stable")[:top_n]
        return {
            "level": self.level,
            "measure": self.measure,
            "total": self.total,
            "by_country": self.by_country,
            "by_sector": self.by_sector,
            "top_buyers": [
                {"buyer_id": str(buyer_ids[i]), "contribution": float(self.by_buyer[i])}
                for i in top
            ],
        }


def _group(labels: npt.NDArray[np.str_], values: FloatArray) -> dict[str, float]:
    names, inv = np.unique(labels, return_inverse=True)
    sums = np.bincount(inv.ravel(), weights=values, minlength=names.size)
    return {str(n): float(v) for n, v in zip(names, sums, strict=True)}


@dataclass(frozen=True)
class RiskFigures:
    """The figures of one portfolio (base case or a stressed one)."""

    scenario: str
    method: str
    expected_loss: float
    method_expected_loss: float
    total_exposure: float
    value_at_risk: dict[float, float]
    expected_shortfall: dict[float, float]
    expected_shortfall_standard_error: dict[float, float]
    contributions: Contributions
    extras: dict[str, float] = field(default_factory=dict)

    def to_dict(self, buyer_ids: npt.NDArray[np.str_], top_n: int) -> dict[str, object]:
        """A JSON-serialisable view (levels as strings such as ``"0.995"``)."""
        return {
            "scenario": self.scenario,
            "method": self.method,
            "expected_loss": self.expected_loss,
            "method_expected_loss": self.method_expected_loss,
            "total_exposure": self.total_exposure,
            "value_at_risk": {repr(q): v for q, v in self.value_at_risk.items()},
            "expected_shortfall": {repr(q): v for q, v in self.expected_shortfall.items()},
            "expected_shortfall_standard_error": {
                repr(q): v for q, v in self.expected_shortfall_standard_error.items()
            },
            "contributions": self.contributions.to_dict(buyer_ids, top_n),
            "extras": self.extras,
        }


@dataclass(frozen=True)
class RiskRunResult:
    """Result of :func:`run_risk`: base figures, stressed figures beside them, concentration."""

    status: str
    currency: str
    base: RiskFigures
    stressed: tuple[RiskFigures, ...]
    concentration: tuple[Concentration, ...]
    spec_summary: dict[str, object]
    elapsed_seconds: float
    buyer_ids: npt.NDArray[np.str_] = field(repr=False)

    def to_dict(self) -> dict[str, object]:
        """A JSON-serialisable view of the whole run."""
        top_n = int(self.spec_summary["top_n"])  # type: ignore[call-overload]
        return {
            "status": self.status,
            "currency": self.currency,
            "spec": self.spec_summary,
            "elapsed_seconds": self.elapsed_seconds,
            "base": self.base.to_dict(self.buyer_ids, top_n),
            "stressed": [s.to_dict(self.buyer_ids, top_n) for s in self.stressed],
            "concentration": [c.to_dict() for c in self.concentration],
        }


def _figures(
    name: str,
    portfolio: Portfolio,
    model: FactorModel,
    spec: RiskRunSpec,
    on_progress: ProgressCallback | None,
    dask_client: object | None,
) -> RiskFigures:
    levels = spec.confidence_levels
    cl = spec.contribution_level
    var: dict[float, float] = {}
    es: dict[float, float] = {}
    se: dict[float, float] = {}
    extras: dict[str, float] = {}
    if spec.method == "creditrisk_plus":
        r = creditrisk_plus(portfolio, model, loss_unit=spec.loss_unit)
        d = r.distribution
        for q in levels:
            var[q], es[q], se[q] = d.value_at_risk(q), d.expected_shortfall(q), 0.0
        by_buyer = r.expected_shortfall_contributions(cl)
        method_el = d.mean()
        measure = "expected_shortfall"
        extras = {"loss_unit": d.unit, "grid_points": float(d.pmf.size)}
        if on_progress is not None:
            on_progress(1, 1)
    elif spec.method == "vasicek":
        for q in levels:
            ga = granularity_adjustment(portfolio, q)
            var[q] = vasicek_value_at_risk(portfolio, q) + ga
            es[q] = vasicek_expected_shortfall(portfolio, q)
            se[q] = 0.0
            extras[f"granularity_adjustment@{q!r}"] = ga
        by_buyer = vasicek_contributions(portfolio, cl)
        method_el = portfolio.expected_loss()
        measure = "value_at_risk_limit"
        if on_progress is not None:
            on_progress(1, 1)
    else:
        mc = monte_carlo(
            portfolio,
            model,
            n_scenarios=spec.n_scenarios,
            seed=spec.seed,
            importance_sampling=spec.importance_sampling,
            is_level=cl,
            chunk_size=spec.chunk_size,
            on_progress=on_progress,
            dask_client=dask_client,
        )
        for q in levels:
            t = mc.tail(q)
            var[q], es[q], se[q] = t.value_at_risk, t.expected_shortfall, t.es_standard_error
        by_buyer = mc.expected_shortfall_contributions(cl)
        method_el = mc.expected_loss()
        measure = "expected_shortfall"
        extras = {"expected_loss_standard_error": mc.expected_loss_standard_error()}
    contrib = Contributions(
        level=cl,
        measure=measure,
        by_buyer=by_buyer,
        by_country=_group(portfolio.countries, by_buyer),
        by_sector=_group(portfolio.sectors, by_buyer),
        total=float(by_buyer.sum()),
    )
    return RiskFigures(
        scenario=name,
        method=spec.method,
        expected_loss=portfolio.expected_loss(),
        method_expected_loss=method_el,
        total_exposure=float(portfolio.insured_exposure.sum()),
        value_at_risk=var,
        expected_shortfall=es,
        expected_shortfall_standard_error=se,
        contributions=contrib,
        extras=extras,
    )


def run_risk(
    spec: RiskRunSpec,
    *,
    on_progress: ProgressCallback | None = None,
    dask_client: object | None = None,
) -> RiskRunResult:
    """Compute a risk run: base case, each stress scenario beside it, and concentration.

    ``on_progress(done, total)`` is called as work completes (scenarios for Monte Carlo,
    one step otherwise, summed over base and stress cases).  ``dask_client`` (a
    ``distributed.Client``) spreads Monte Carlo chunks over a cluster; results are
    identical to the local run for the same seed.
    """
    started = time.perf_counter()
    scenarios = spec.validate()
    model = spec.factor_model or default_factor_model(spec.portfolio)
    model.loadings(spec.portfolio)  # refuse obligors that load on no factor, before any work
    stressed_ports = [(s.name, s.apply(spec.portfolio)) for s in scenarios]
    cases: Sequence[tuple[str, Portfolio]] = [("base", spec.portfolio), *stressed_ports]
    steps = spec.n_scenarios if spec.method == "monte_carlo" else 1
    total = steps * len(cases)

    def progress_for(i: int) -> ProgressCallback | None:
        if on_progress is None:
            return None
        cb = on_progress
        return lambda done, _n: cb(i * steps + done, total)

    figures = [
        _figures(name, port, model, spec, progress_for(i), dask_client)
        for i, (name, port) in enumerate(cases)
    ]
    p = spec.portfolio
    ins = p.insured_exposure
    conc = (
        concentration(p.group_ids, ins, dimension="buyer_group", top_n=spec.top_n),
        concentration(p.countries, ins, dimension="country", top_n=spec.top_n),
        concentration(p.sectors, ins, dimension="sector", top_n=spec.top_n),
    )
    summary: dict[str, object] = {
        "method": spec.method,
        "confidence_levels": list(spec.confidence_levels),
        "scenarios": [s.name for s in scenarios],
        "seed": spec.seed,
        "n_scenarios": spec.n_scenarios if spec.method == "monte_carlo" else None,
        "importance_sampling": spec.importance_sampling if spec.method == "monte_carlo" else None,
        "contribution_level": spec.contribution_level,
        "top_n": spec.top_n,
        "obligors": p.size,
        "exposure_basis": p.basis,
    }
    return RiskRunResult(
        status="finished",
        currency=p.currency,
        base=figures[0],
        stressed=tuple(figures[1:]),
        concentration=conc,
        spec_summary=summary,
        elapsed_seconds=time.perf_counter() - started,
        buyer_ids=p.buyer_ids,
    )

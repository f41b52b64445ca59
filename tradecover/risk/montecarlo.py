"""Multi-factor Gaussian copula Monte Carlo, with Glasserman-Li importance sampling.

Model: obligor ``i`` defaults when ``sqrt(rho_i) Y_i + sqrt(1 - rho_i) eps_i < Phi^-1(pd_i)``,
``Y_i`` the normalised sum of its country and sector factors (correlated normals, see
:class:`~tradecover.risk.portfolio.FactorModel`).  Conditional on the factors, defaults are
independent with probability ``Phi((Phi^-1(pd) - sqrt(rho) Y) / sqrt(1 - rho))``.

Obligors sharing (factor loadings, PD, rho) form a *bucket* whose conditional PD is computed
once per scenario; defaults inside a bucket are drawn exactly by geometric skipping (see
:mod:`tradecover.risk._kernels`).  No scenarios x obligors matrix is ever built.

Importance sampling follows Glasserman and Li (2005), *Importance sampling for portfolio
credit risk*, Management Science 51(11): the factors are drawn with a mean shift ``mu``
(the smallest ``z`` whose conditional expected loss reaches the target loss ``x``), and
conditional on the factors the default probabilities are exponentially twisted by
``theta(z)`` solving ``psi'(theta) = x``.  The twist is applied per *block* (obligors of a
bucket whose losses lie within a factor ``band_ratio`` of each other) using the block's mean
loss, so the likelihood ratio needs only the default count per block: the estimator stays
exactly unbiased and the twist is close to Glasserman and Li's obligor-level one.

Outputs are estimates in the portfolio's reporting currency.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize, special

from tradecover.kit.errors import ValidationFailed
from tradecover.risk import _kernels
from tradecover.risk.measures import SampleEstimate, tail_scenario_weights, weighted_tail
from tradecover.risk.portfolio import FactorModel, Portfolio
from tradecover.risk.simulation import (
    SimulationModel,
    compile_model,
    seed_keys,
    simulate_losses,
)

FloatArray = npt.NDArray[np.float64]
ProgressCallback = Callable[[int, int], None]

# numba dispatcher, called with positional kernel arguments
_RECORD: Any = _kernels.record_contributions


@dataclass(frozen=True)
class ImportanceSamplingPlan:
    """Glasserman-Li parameters: factor mean shift and target loss of the twist."""

    shift: FloatArray
    target_loss: float

    def to_dict(self) -> dict[str, object]:
        """A JSON-serialisable view."""
        return {"shift": [float(v) for v in self.shift], "target_loss": self.target_loss}


def _conditional_el(model: SimulationModel, z: FloatArray) -> FloatArray:
    """Conditional expected loss for factor draws ``z`` of shape (S, K)."""
    f = z @ model.chol.T
    y = (
        model.combo_w[:, 0] * f[:, model.combo_f[:, 0]]
        + model.combo_w[:, 1] * f[:, model.combo_f[:, 1]]
    )
    t = (model.b_c - model.b_sr * y[:, model.b_combo]) / model.b_sq
    return np.asarray(special.ndtr(t) @ model.b_loss, dtype=np.float64)


def plan_importance_sampling(
    model: SimulationModel, *, level: float, seed: int, draws: int = 20_000
) -> ImportanceSamplingPlan:
    """Choose the IS shift and target: ``x`` is the ``level``-quantile of the conditional EL.

    ``x`` is the large-portfolio (infinitely granular) approximation of VaR, found from
    ``draws`` factor samples; ``mu`` is the smallest factor vector with ``E[L | z] = x``,
    the mode of the zero-variance sampling density in that approximation.
    """
    nf = model.chol.shape[0]
    rng = np.random.Generator(np.random.Philox(key=seed ^ 0x5EED))
    batch = max(1, min(draws, 2_000_000 // max(model.b_c.size, 1)))
    el = np.concatenate(
        [
            _conditional_el(model, rng.standard_normal((batch, nf)))
            for _ in range(-(-draws // batch))
        ]
    )
    x = float(np.quantile(el, level))
    scale = max(x, 1e-300)
    cons = {"type": "ineq", "fun": lambda z: _conditional_el(model, z[None, :])[0] / scale - 1.0}
    grad = np.array([_conditional_el(model, (np.eye(nf)[k] * 1e-3)[None, :])[0] for k in range(nf)])
    z0 = grad - _conditional_el(model, np.zeros((1, nf)))[0]
    z0 = z0 / max(float(np.linalg.norm(z0)), 1e-300) * abs(float(special.ndtri(level)))
    res = optimize.minimize(
        lambda z: 0.5 * float(z @ z),
        z0,
        jac=lambda z: z,
        constraints=[cons],
        method="SLSQP",
        options={"maxiter": 200, "ftol": 1e-12},
    )
    return ImportanceSamplingPlan(np.asarray(res.x, dtype=np.float64), x)


@dataclass(frozen=True)
class MonteCarloResult:
    """Simulated losses (with log likelihood ratios) and the estimates drawn from them."""

    losses: FloatArray
    log_weights: FloatArray
    seed: int
    plan: ImportanceSamplingPlan | None
    model: SimulationModel = field(repr=False)

    @property
    def weights(self) -> FloatArray | None:
        """Likelihood ratios, or ``None`` for a crude run."""
        return None if self.plan is None else np.exp(self.log_weights)

    def expected_loss(self) -> float:
        """Estimated expected loss (weighted mean)."""
        w = self.weights
        return float(self.losses.mean() if w is None else np.mean(w * self.losses))

    def expected_loss_standard_error(self) -> float:
        """Standard error of :meth:`expected_loss`."""
        w = self.weights
        x = self.losses if w is None else w * self.losses
        return float(x.std() / np.sqrt(x.size))

    def tail(self, q: float) -> SampleEstimate:
        """VaR and ES at level ``q``."""
        return weighted_tail(self.losses, self.weights, q)

    def expected_shortfall_contributions(self, q: float, *, parts: int = 8) -> FloatArray:
        """Euler contributions of each obligor to the estimated ``ES_q``; they add up to it.

        The tail scenarios are re-simulated from their counters, recording each defaulter's
        loss; obligor ``i`` gets ``sum_j a_j L_ij`` with the tail weights ``a_j`` of
        :func:`~tradecover.risk.measures.tail_scenario_weights`.
        """
        a = tail_scenario_weights(self.losses, self.weights, q)
        scen = np.flatnonzero(a > 0).astype(np.int64)
        contrib = np.zeros((parts, self.model.loss_sorted.size))
        k0, k1 = seed_keys(self.seed)
        mu = np.zeros(self.model.chol.shape[0]) if self.plan is None else self.plan.shift
        target = 0.0 if self.plan is None else self.plan.target_loss
        _RECORD(
            scen,
            a[scen],
            np.int64(parts),
            contrib,
            k0,
            k1,
            self.model.chol,
            mu,
            *self.model._tail_args(),
            float(target),
        )
        out = np.zeros(self.model.n_obligors)
        out[self.model.order] = contrib.sum(axis=0)
        return out


def monte_carlo(
    portfolio: Portfolio,
    factor_model: FactorModel,
    *,
    n_scenarios: int,
    seed: int = 0,
    importance_sampling: bool = False,
    is_level: float = 0.995,
    band_ratio: float = 2.0,
    chunk_size: int = 16_384,
    on_progress: ProgressCallback | None = None,
    dask_client: object | None = None,
) -> MonteCarloResult:
    """Run the Gaussian copula Monte Carlo locally (numba threads) or on a Dask client.

    The result is identical, bit for bit, whichever executes it and however it is chunked.
    """
    if n_scenarios < 1:
        raise ValidationFailed(
            "n_scenarios must be positive", code="bad_n_scenarios", field="n_scenarios"
        )
    if chunk_size < 1:
        raise ValidationFailed(
            "chunk_size must be positive", code="bad_chunk_size", field="chunk_size"
        )
    seed_keys(seed)
    model = compile_model(
        portfolio, factor_model, band_ratio=band_ratio if importance_sampling else None
    )
    plan = (
        plan_importance_sampling(model, level=is_level, seed=seed) if importance_sampling else None
    )
    shift = None if plan is None else plan.shift
    target = 0.0 if plan is None else plan.target_loss
    starts = list(range(0, n_scenarios, chunk_size))
    counts = [min(chunk_size, n_scenarios - s) for s in starts]
    if dask_client is not None:
        from tradecover.risk.distributed import simulate_on_dask

        losses, logw = simulate_on_dask(
            dask_client,
            model,
            seed=seed,
            starts=starts,
            counts=counts,
            shift=shift,
            twist_target=target,
            on_progress=on_progress,
        )
    else:
        parts_l: list[FloatArray] = []
        parts_w: list[FloatArray] = []
        done = 0
        for s, c in zip(starts, counts, strict=True):
            lo_, lw_ = simulate_losses(
                model, seed=seed, first=s, count=c, shift=shift, twist_target=target
            )
            parts_l.append(lo_)
            parts_w.append(lw_)
            done += c
            if on_progress is not None:
                on_progress(done, n_scenarios)
        losses, logw = np.concatenate(parts_l), np.concatenate(parts_w)
    return MonteCarloResult(losses, logw, seed, plan, model)


def chunk_bounds(n_scenarios: int, chunk_size: int) -> Sequence[tuple[int, int]]:
    """``(first, count)`` of each chunk of a run."""
    return [(s, min(chunk_size, n_scenarios - s)) for s in range(0, n_scenarios, chunk_size)]


__all__ = [
    "ImportanceSamplingPlan",
    "MonteCarloResult",
    "SimulationModel",
    "chunk_bounds",
    "compile_model",
    "monte_carlo",
    "plan_importance_sampling",
    "simulate_losses",
]

"""Risk measures: VaR and expected shortfall of a loss distribution, and concentration.

Definitions used everywhere in :mod:`tradecover.risk`:

* ``VaR_q`` is the lower ``q``-quantile, the smallest loss ``v`` with ``P(L <= v) >= q``.
* ``ES_q`` is the expected shortfall of Acerbi and Tasche (2002),
  ``(E[L 1{L > v}] + v (P(L <= v) - q)) / (1 - q)``, the mean of the worst ``1 - q`` of
  outcomes, atoms split.  It is coherent, so its Euler contributions add up to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tradecover.kit.errors import ValidationFailed

FloatArray = npt.NDArray[np.float64]


def check_confidence_levels(
    levels: Iterable[float], *, field: str = "confidence_levels"
) -> tuple[float, ...]:
    """Return the levels as floats if each lies strictly inside (0, 1), else raise."""
    out = []
    for q in levels:
        qf = float(q)
        if not (0.0 < qf < 1.0):
            raise ValidationFailed(
                f"confidence level {q!r} must lie strictly between 0 and 1",
                code="confidence_out_of_range",
                field=field,
            )
        out.append(qf)
    if not out:
        raise ValidationFailed(
            "at least one confidence level is needed", code="no_confidence", field=field
        )
    return tuple(out)


@dataclass(frozen=True)
class LossDistribution:
    """A loss distribution on the grid ``0, unit, 2 unit, ...`` (``pmf[n] = P(L = n unit)``)."""

    pmf: FloatArray
    unit: float

    def mean(self) -> float:
        """Expected loss of the distribution."""
        return float(np.dot(np.arange(self.pmf.size), self.pmf) * self.unit)

    def variance(self) -> float:
        """Variance of the loss."""
        n = np.arange(self.pmf.size, dtype=np.float64)
        m = float(np.dot(n, self.pmf))
        return float((np.dot(n * n, self.pmf) - m * m) * self.unit**2)

    def cdf(self) -> FloatArray:
        """``P(L <= n unit)`` for every grid point."""
        return np.cumsum(self.pmf)

    def value_at_risk(self, q: float) -> float:
        """Lower ``q``-quantile of the loss."""
        return float(self._var_index(q)) * self.unit

    def _var_index(self, q: float) -> int:
        cdf = self.cdf()
        return min(int(np.searchsorted(cdf, q - 1e-13, side="left")), cdf.size - 1)

    def expected_shortfall(self, q: float) -> float:
        """Acerbi-Tasche expected shortfall at level ``q``."""
        v = self._var_index(q)
        n = np.arange(self.pmf.size, dtype=np.float64)
        above = float(np.dot(n[v + 1 :], self.pmf[v + 1 :]))
        at_or_below = float(self.pmf[: v + 1].sum())
        return (above + v * (at_or_below - q)) * self.unit / (1.0 - q)


@dataclass(frozen=True)
class SampleEstimate:
    """VaR / ES estimates from (possibly importance-weighted) simulated losses."""

    value_at_risk: float
    expected_shortfall: float
    es_standard_error: float
    var_threshold_weight: float


def weighted_tail(losses: FloatArray, weights: FloatArray | None, q: float) -> SampleEstimate:
    """VaR and ES at ``q`` from simulated losses with likelihood-ratio weights.

    Unweighted (crude) samples have every weight 1.  The estimator puts mass ``w_j / N`` on
    each loss.  The ES standard error is the usual delta-method one,
    ``std(w (L - VaR)+) / ((1 - q) sqrt(N))``.
    """
    n = losses.size
    w = np.ones(n) if weights is None else weights
    order = np.argsort(-losses, kind="stable")
    ls = losses[order]
    cw = np.cumsum(w[order]) / n  # tail mass of the k worst scenarios
    tail = 1.0 - q
    # first scenario whose inclusion pushes the tail mass beyond 1 - q: the lower quantile
    k = int(np.searchsorted(cw, tail * (1.0 + 1e-12), side="right"))
    k = min(k, n - 1)
    v = float(ls[k])
    above = ls > v
    mass_above = float(w[order][above].sum()) / n
    sum_above = float(np.dot(w[order][above], ls[above])) / n
    es = (sum_above + v * (tail - mass_above)) / tail
    excess = w * np.maximum(losses - v, 0.0)
    se = float(np.std(excess) / (tail * np.sqrt(n)))
    return SampleEstimate(v, es, se, (tail - mass_above) * n)


def tail_scenario_weights(losses: FloatArray, weights: FloatArray | None, q: float) -> FloatArray:
    """Per-scenario weights ``a_j`` with ``sum_j a_j L_j == ES_q`` (the Euler tail measure).

    Scenarios beyond VaR get ``w_j / (N (1 - q))``; the scenario(s) at VaR share the rest
    of the ``1 - q`` mass.  Applied to per-obligor losses it gives ES contributions.
    """
    n = losses.size
    w = np.ones(n) if weights is None else weights
    est = weighted_tail(losses, weights, q)
    v = est.value_at_risk
    tail = 1.0 - q
    a = np.where(losses > v, w / (n * tail), 0.0)
    at = losses == v
    mass_at = float(w[at].sum()) / n
    if mass_at > 0:
        remainder = tail - float(w[losses > v].sum()) / n
        a = a + np.where(at, w / n * (remainder / mass_at) / tail, 0.0)
    return a


@dataclass(frozen=True)
class Concentration:
    """Concentration of exposure over one dimension (buyer, country or sector)."""

    dimension: str
    hhi: float
    top: tuple[tuple[str, float, float], ...]  # (name, exposure, share of total)
    top_n_share: float

    def to_dict(self) -> dict[str, object]:
        """A JSON-serialisable view."""
        return {
            "dimension": self.dimension,
            "hhi": self.hhi,
            "top_n_share": self.top_n_share,
            "top": [{"name": n, "exposure": e, "share": s} for n, e, s in self.top],
        }


def concentration(
    labels: npt.NDArray[np.str_], exposure: FloatArray, *, dimension: str, top_n: int = 10
) -> Concentration:
    """Herfindahl-Hirschman index (sum of squared shares, in [0, 1]) and top-N shares."""
    if top_n < 1:
        raise ValidationFailed("top_n must be at least 1", code="bad_top_n", field="top_n")
    names, inv = np.unique(labels, return_inverse=True)
    sums = np.bincount(inv, weights=exposure, minlength=names.size)
    total = float(sums.sum())
    shares = sums / total if total > 0 else np.zeros_like(sums)
    order = np.argsort(-sums, kind="stable")[:top_n]
    top = tuple((str(names[i]), float(sums[i]), float(shares[i])) for i in order)
    return Concentration(dimension, float(np.dot(shares, shares)), top, float(shares[order].sum()))

"""One-factor closed forms: the Vasicek limit, its granularity adjustment, and an exact recursion.

* **Vasicek limit** (Vasicek 2002, *The distribution of loan portfolio value*): with one
  normal factor ``X`` (high ``X`` = bad year) and an infinitely granular portfolio the loss is
  ``mu(X) = sum_i e_i Phi((Phi^-1(p_i) + sqrt(rho_i) X) / sqrt(1 - rho_i))``, so
  ``VaR_q = mu(Phi^-1(q))`` (the ASRF formula of Basel II, Gordy 2003).
* **Granularity adjustment** (Martin and Wilde 2002; Gordy 2003; Emmer and Tasche 2005): the
  second-order correction of the quantile for a finite portfolio,
  ``GA = -1 / (2 phi(x)) d/dx [phi(x) sigma^2(x) / mu'(x)]`` at ``x = Phi^-1(q)``, with
  ``sigma^2(x)`` the conditional variance of the loss.
* **Exact one-factor recursion** (Andersen, Sidenius and Basu 2003, the method of
  financepy's ``loss_dbn_recursion_gcd``): conditional on ``X`` the loss on the integer grid
  is built obligor by obligor; the conditional distributions are integrated over ``X`` by
  Gauss-Hermite quadrature.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import special

from tradecover.kit.errors import ValidationFailed
from tradecover.risk.measures import LossDistribution
from tradecover.risk.portfolio import Portfolio

FloatArray = npt.NDArray[np.float64]


def _conditional_pd(portfolio: Portfolio, x: FloatArray) -> FloatArray:
    """Conditional PDs, shape ``x.shape + (N,)``, given the bad-year factor ``x``."""
    rho = portfolio.asset_correlation
    c = special.ndtri(portfolio.pd)
    t = (c + np.sqrt(rho) * np.asarray(x)[..., None]) / np.sqrt(1.0 - rho)
    return np.asarray(special.ndtr(t), dtype=np.float64)


def vasicek_value_at_risk(portfolio: Portfolio, q: float) -> float:
    """VaR of the infinitely granular one-factor portfolio (ASRF)."""
    x = np.asarray(special.ndtri(q))
    return float(_conditional_pd(portfolio, x) @ portfolio.loss_exposure)


def vasicek_expected_shortfall(portfolio: Portfolio, q: float, *, nodes: int = 96) -> float:
    """ES of the infinitely granular one-factor portfolio: ``E[mu(X) | X > Phi^-1(q)]``.

    Integrated over ``u in (q, 1)`` as ``(1/(1-q)) int VaR_u du`` by Gauss-Legendre on the
    log-odds-stretched variable ``u = 1 - (1-q) e^-s``, which resolves the integrable
    singularity at ``u = 1``.
    """
    t, w = np.polynomial.laguerre.laggauss(nodes)  # int_0^inf f(s) e^-s ds
    u = 1.0 - (1.0 - q) * np.exp(-t)
    x = special.ndtri(u)
    return float(w @ (_conditional_pd(portfolio, x) @ portfolio.loss_exposure))


def vasicek_contributions(portfolio: Portfolio, q: float) -> FloatArray:
    """Euler contributions to the Vasicek VaR: ``e_i p_i(Phi^-1(q))``; they add up to it."""
    x = np.asarray(special.ndtri(q))
    return np.asarray(_conditional_pd(portfolio, x) * portfolio.loss_exposure, dtype=np.float64)


def granularity_adjustment(portfolio: Portfolio, q: float) -> float:
    """Granularity adjustment to add to :func:`vasicek_value_at_risk` (deterministic LGD).

    With ``p_i(x) = Phi(a_i + b_i x)``, ``mu = sum e_i p_i``, ``sigma^2 = sum e_i^2 p_i (1 - p_i)``:
    ``GA = (x sigma^2 / mu' - (sigma^2)' / mu' + sigma^2 mu'' / mu'^2) / 2``.
    """
    x = float(special.ndtri(q))
    rho = portfolio.asset_correlation
    sq = np.sqrt(1.0 - rho)
    a = special.ndtri(portfolio.pd) / sq
    b = np.sqrt(rho) / sq
    t = a + b * x
    p = special.ndtr(t)
    dens = np.exp(-0.5 * t * t) / np.sqrt(2.0 * np.pi)
    dp = b * dens
    d2p = -b * b * t * dens
    e = portfolio.loss_exposure
    mu1 = float(e @ dp)
    mu2 = float(e @ d2p)
    s2 = float((e * e) @ (p * (1.0 - p)))
    ds2 = float((e * e) @ (dp * (1.0 - 2.0 * p)))
    if mu1 <= 0.0:
        return 0.0
    return 0.5 * (x * s2 / mu1 - ds2 / mu1 + s2 * mu2 / mu1**2)


def one_factor_loss_distribution(
    portfolio: Portfolio, *, loss_unit: float, nodes: int = 64
) -> LossDistribution:
    """Exact loss distribution of the one-factor Gaussian copula on the grid ``loss_unit``.

    Every loss exposure must be a whole multiple of ``loss_unit`` (the recursion is exact on
    that grid); use it on small portfolios (cost ``O(nodes x N x total units)``).
    """
    units = portfolio.loss_exposure / loss_unit
    nu = np.rint(units).astype(np.int64)
    if not np.allclose(units, nu, rtol=0, atol=1e-9 * max(1.0, float(units.max(initial=1.0)))):
        raise ValidationFailed(
            "every loss exposure must be a multiple of loss_unit for the exact recursion",
            code="off_grid",
            field="loss_unit",
        )
    total = int(nu.sum())
    if total > 5_000_000:
        raise ValidationFailed(
            "portfolio too large for the exact recursion", code="too_large", field="portfolio"
        )
    x, w = np.polynomial.hermite_e.hermegauss(nodes)  # weight exp(-x^2/2)
    w = w / np.sqrt(2.0 * np.pi)
    pc = _conditional_pd(portfolio, x)  # (nodes, N)
    dist = np.zeros((nodes, total + 1))
    dist[:, 0] = 1.0
    top = 0
    for i in np.argsort(nu, kind="stable"):
        k = int(nu[i])
        if k == 0:
            continue
        p = pc[:, i : i + 1]
        shifted = dist[:, : top + 1] * p
        dist[:, : top + 1] *= 1.0 - p
        dist[:, k : k + top + 1] += shifted
        top += k
    return LossDistribution(np.asarray(w @ dist, dtype=np.float64), float(loss_unit))

"""Plain keyword-only factories of portfolios for the risk tests."""

from __future__ import annotations

import numpy as np

from tradecover.risk import FactorModel, Portfolio

GRADES = np.geomspace(1e-4, 0.2, 20)
COUNTRIES = ("US", "DE", "CN", "BR", "IN", "TR")
SECTORS = ("steel", "food", "textiles", "machinery")


def make_portfolio(
    *,
    n: int = 500,
    seed: int = 1,
    rho: float = 0.2,
    countries: tuple[str, ...] = COUNTRIES,
    sectors: tuple[str, ...] = SECTORS,
    sigma: float = 1.0,
    basis: str = "outstanding",
) -> Portfolio:
    """A generated book: 20 grades, lognormal exposures, 90 % cover, random recoveries."""
    rng = np.random.default_rng(seed)
    return Portfolio.from_arrays(
        pd=rng.choice(GRADES, n),
        ead=rng.lognormal(0.0, sigma, n),
        countries=rng.choice(countries, n),
        sectors=rng.choice(sectors, n),
        insured_share=0.9,
        lgd=rng.uniform(0.4, 1.0, n),
        asset_correlation=rho,
        group_ids=[f"G{i // 2}" for i in range(n)],
        basis=basis,  # type: ignore[arg-type]
    )


def make_factor_model(*, corr: float = 0.3, sector_variance: float = 1.0) -> FactorModel:
    """Country and sector factors, all pairwise correlated."""
    names = COUNTRIES + SECTORS
    c = np.full((len(names), len(names)), corr)
    np.fill_diagonal(c, 1.0)
    return FactorModel(names=names, correlation=c, sector_variance=(sector_variance,) * len(names))


def one_factor_portfolio(
    *, n: int, pd: float | np.ndarray, rho: float, units: np.ndarray | None = None
) -> Portfolio:
    """Obligors on the single global factor, with integer loss exposures."""
    e = np.ones(n) if units is None else units
    return Portfolio.from_arrays(
        pd=np.broadcast_to(pd, (n,)),
        ead=e,
        insured_share=1.0,
        lgd=1.0,
        asset_correlation=rho,
        countries=["X"] * n,
        sectors=["Y"] * n,
    )

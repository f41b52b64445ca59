"""Exposures of a credit insurance book, as columns ready for the risk engines.

One row per buyer (or bank): exposure at default (the outstanding insured receivables, or
the approved limit as potential exposure: the caller chooses the basis), the insured share
after the indemnity percentage, the loss given default (one minus the expected recovery),
the one-year probability of default (from the buyer's rating grade), country, sector and
buyer group.  Amounts are floats in the book's reporting currency: the risk engine does
statistics on them, its outputs are estimates, never booked money.

The loss a buyer's default costs the insurer is ``ead x insured_share x lgd``
(:attr:`Portfolio.loss_exposure`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

from tradecover.kit.errors import ValidationFailed

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ExposureBasis = Literal["outstanding", "limit"]

#: Default rating scale: 20 grades, one-year PD rising geometrically from 0.01 % (grade 1)
#: to 20 % (grade 20).  A house scale is passed as a mapping ``grade -> PD`` instead.
DEFAULT_RATING_SCALE: Mapping[str, float] = {
    str(g): float(1e-4 * (2000.0 ** ((g - 1) / 19.0))) for g in range(1, 21)
}

#: Default asset correlation (Gaussian copula R^2) of a buyer when none is given.
DEFAULT_ASSET_CORRELATION = 0.20


@dataclass(frozen=True, slots=True)
class Exposure:
    """One buyer's (or bank's) exposure, as the underwriting and limit books know it."""

    buyer_id: str
    country: str
    sector: str
    outstanding: float
    limit: float
    indemnity_pct: float
    expected_recovery: float
    grade: str | None = None
    pd: float | None = None
    buyer_group: str | None = None
    asset_correlation: float = DEFAULT_ASSET_CORRELATION


def _check_range(
    values: FloatArray, name: str, low: float, high: float | None, *, code: str
) -> None:
    if not np.all(np.isfinite(values)):
        bad = int(np.flatnonzero(~np.isfinite(values))[0])
        raise ValidationFailed(f"{name} must be finite (row {bad})", code=code, field=name)
    below = values < low
    above = values > high if high is not None else np.zeros_like(below)
    if np.any(below | above):
        bad = int(np.flatnonzero(below | above)[0])
        span = f"[{low}, {high}]" if high is not None else f">= {low}"
        raise ValidationFailed(
            f"{name} must be in {span}, got {values[bad]!r} (row {bad})", code=code, field=name
        )


@dataclass(frozen=True)
class Portfolio:
    """A book of exposures as parallel numpy columns (one entry per obligor).

    Build it with :func:`build_portfolio` (from :class:`Exposure` rows) or
    :meth:`Portfolio.from_arrays` (from columns, for large generated books).
    """

    buyer_ids: npt.NDArray[np.str_]
    group_ids: npt.NDArray[np.str_]
    countries: npt.NDArray[np.str_]
    sectors: npt.NDArray[np.str_]
    ead: FloatArray
    insured_share: FloatArray
    lgd: FloatArray
    pd: FloatArray
    asset_correlation: FloatArray
    limit: FloatArray
    outstanding: FloatArray
    basis: ExposureBasis = "outstanding"
    currency: str = "USD"

    @classmethod
    def from_arrays(
        cls,
        *,
        pd: Sequence[float] | FloatArray,
        ead: Sequence[float] | FloatArray,
        countries: Sequence[str] | npt.NDArray[np.str_],
        sectors: Sequence[str] | npt.NDArray[np.str_],
        insured_share: Sequence[float] | FloatArray | float = 0.9,
        lgd: Sequence[float] | FloatArray | float = 1.0,
        asset_correlation: Sequence[float] | FloatArray | float = DEFAULT_ASSET_CORRELATION,
        buyer_ids: Sequence[str] | npt.NDArray[np.str_] | None = None,
        group_ids: Sequence[str] | npt.NDArray[np.str_] | None = None,
        limit: Sequence[float] | FloatArray | None = None,
        outstanding: Sequence[float] | FloatArray | None = None,
        basis: ExposureBasis = "outstanding",
        currency: str = "USD",
    ) -> Portfolio:
        """Build and validate a portfolio from columns; scalars broadcast to every obligor."""
        pd_a = np.asarray(pd, dtype=np.float64).ravel()
        n = pd_a.size

        def col(v: Sequence[float] | FloatArray | float | None, name: str) -> FloatArray:
            if v is None:
                return np.zeros(n)
            a = np.broadcast_to(np.asarray(v, dtype=np.float64), (n,)).copy()
            if a.shape != (n,):
                raise ValidationFailed(f"{name} must have one value per obligor", field=name)
            return a

        def names(
            v: Sequence[str] | npt.NDArray[np.str_] | None, name: str
        ) -> npt.NDArray[np.str_]:
            a = np.asarray(v if v is not None else [f"B{i}" for i in range(n)], dtype=np.str_)
            if a.shape != (n,):
                raise ValidationFailed(f"{name} must have one value per obligor", field=name)
            return a

        ead_a = col(ead, "ead")
        bids = names(buyer_ids, "buyer_ids")
        port = cls(
            buyer_ids=bids,
            group_ids=names(group_ids, "group_ids") if group_ids is not None else bids.copy(),
            countries=names(countries, "countries"),
            sectors=names(sectors, "sectors"),
            ead=ead_a,
            insured_share=col(insured_share, "insured_share"),
            lgd=col(lgd, "lgd"),
            pd=pd_a,
            asset_correlation=col(asset_correlation, "asset_correlation"),
            limit=col(limit, "limit") if limit is not None else ead_a.copy(),
            outstanding=col(outstanding, "outstanding")
            if outstanding is not None
            else ead_a.copy(),
            basis=basis,
            currency=currency,
        )
        port.validate()
        return port

    def validate(self) -> None:
        """Raise :class:`ValidationFailed` naming the first input that breaks a rule."""
        if self.basis not in ("outstanding", "limit"):
            raise ValidationFailed(
                f"unknown exposure basis {self.basis!r}", code="unknown_basis", field="basis"
            )
        _check_range(self.pd, "pd", 0.0, 1.0, code="pd_out_of_range")
        _check_range(self.ead, "ead", 0.0, None, code="negative_exposure")
        _check_range(self.limit, "limit", 0.0, None, code="negative_exposure")
        _check_range(self.outstanding, "outstanding", 0.0, None, code="negative_exposure")
        _check_range(self.insured_share, "insured_share", 0.0, 1.0, code="share_out_of_range")
        _check_range(self.lgd, "lgd", 0.0, 1.0, code="lgd_out_of_range")
        _check_range(
            self.asset_correlation, "asset_correlation", 0.0, 0.999, code="correlation_out_of_range"
        )

    @property
    def size(self) -> int:
        """Number of obligors."""
        return int(self.pd.size)

    @property
    def insured_exposure(self) -> FloatArray:
        """Exposure at default times the insured share: what a total loss would cost."""
        return self.ead * self.insured_share

    @property
    def loss_exposure(self) -> FloatArray:
        """Loss to the insurer if the obligor defaults: ``ead x insured_share x lgd``."""
        return self.ead * self.insured_share * self.lgd

    def expected_loss(self) -> float:
        """Analytic one-year expected loss ``sum(pd x ead x share x lgd)``."""
        return float(np.dot(self.pd, self.loss_exposure))

    def with_columns(self, **columns: FloatArray) -> Portfolio:
        """A copy with some numeric columns replaced (used by the stress scenarios)."""
        new = replace(self, **columns)  # type: ignore[arg-type]
        new.validate()
        return new


def rating_to_pd(
    grades: Iterable[str], scale: Mapping[str, float] = DEFAULT_RATING_SCALE
) -> FloatArray:
    """Map rating grades to one-year PDs; an unknown grade is a :class:`ValidationFailed`."""
    out = []
    for g in grades:
        if g not in scale:
            raise ValidationFailed(
                f"unknown rating grade {g!r}", code="unknown_grade", field="grade"
            )
        out.append(scale[g])
    return np.asarray(out, dtype=np.float64)


def build_portfolio(
    exposures: Iterable[Exposure],
    *,
    basis: ExposureBasis = "outstanding",
    rating_scale: Mapping[str, float] = DEFAULT_RATING_SCALE,
    currency: str = "USD",
) -> Portfolio:
    """Build a :class:`Portfolio` from exposure rows.

    ``basis="outstanding"`` takes the outstanding insured receivables as exposure at
    default; ``basis="limit"`` takes the approved limit (potential exposure).  The PD is
    the row's ``pd`` if given, else the rating scale's PD of its ``grade``.
    """
    rows = list(exposures)
    if basis not in ("outstanding", "limit"):
        raise ValidationFailed(
            f"unknown exposure basis {basis!r}", code="unknown_basis", field="basis"
        )
    pds = []
    for r in rows:
        if r.pd is not None:
            pds.append(float(r.pd))
        elif r.grade is not None:
            pds.append(float(rating_to_pd([r.grade], rating_scale)[0]))
        else:
            raise ValidationFailed(
                f"buyer {r.buyer_id} has neither a PD nor a rating grade",
                code="missing_pd",
                field="pd",
            )
    outstanding = np.array([r.outstanding for r in rows], dtype=np.float64)
    limit = np.array([r.limit for r in rows], dtype=np.float64)
    return Portfolio.from_arrays(
        pd=pds,
        ead=outstanding if basis == "outstanding" else limit,
        countries=[r.country for r in rows],
        sectors=[r.sector for r in rows],
        insured_share=[r.indemnity_pct for r in rows],
        lgd=[1.0 - r.expected_recovery for r in rows],
        asset_correlation=[r.asset_correlation for r in rows],
        buyer_ids=[r.buyer_id for r in rows],
        group_ids=[r.buyer_group or r.buyer_id for r in rows],
        limit=limit,
        outstanding=outstanding,
        basis=basis,
        currency=currency,
    )


def group_related_buyers(portfolio: Portfolio) -> Portfolio:
    """Merge buyers of the same buyer group into one obligor that defaults as a whole.

    The group's exposure is the sum of its members'; its insured share and LGD are the
    exposure-weighted averages (so the group's loss exposure is the sum of the members');
    its PD is the worst member's (conservative); country, sector and asset correlation are
    those of the largest member.
    """
    groups, inverse = np.unique(portfolio.group_ids, return_inverse=True)
    if groups.size == portfolio.size:
        return portfolio
    g = groups.size

    def total(values: FloatArray) -> FloatArray:
        return np.asarray(np.bincount(inverse, weights=values, minlength=g), dtype=np.float64)

    ead = total(portfolio.ead)
    ins = total(portfolio.insured_exposure)
    loss = total(portfolio.loss_exposure)
    share = np.divide(ins, ead, out=np.zeros(g), where=ead > 0)
    lgd = np.divide(loss, ins, out=np.zeros(g), where=ins > 0)
    pd = np.zeros(g)
    np.maximum.at(pd, inverse, portfolio.pd)
    # largest member of each group: sort by (group, exposure) and take the last of each group
    order = np.lexsort((portfolio.ead, inverse))
    last = np.r_[np.flatnonzero(np.diff(inverse[order])), order.size - 1]
    lead = order[last]
    return Portfolio(
        buyer_ids=groups.astype(np.str_),
        group_ids=groups.astype(np.str_),
        countries=portfolio.countries[lead],
        sectors=portfolio.sectors[lead],
        ead=ead,
        insured_share=share,
        lgd=lgd,
        pd=pd,
        asset_correlation=portfolio.asset_correlation[lead],
        limit=total(portfolio.limit),
        outstanding=total(portfolio.outstanding),
        basis=portfolio.basis,
        currency=portfolio.currency,
    )


@dataclass(frozen=True)
class FactorModel:
    """Correlated systematic factors, one per country and one per sector.

    A buyer's systematic driver is the normalised sum of its country factor and its sector
    factor (either may be absent from the model, not both); ``correlation`` is the factors'
    correlation matrix and must be positive semi-definite.  ``sector_variance`` is the
    CreditRisk+ variance of each factor's gamma variable (default 1.0, i.e. a standard
    deviation of default rates equal to their mean).  ``sector_prefix`` is prepended to a
    buyer's sector to find its factor (``"sector:"`` keeps sector and country names apart).
    """

    names: tuple[str, ...]
    correlation: FloatArray
    sector_variance: tuple[float, ...] | None = None
    sector_prefix: str = ""

    def __post_init__(self) -> None:
        """Validate names, correlation (symmetric, unit diagonal, PSD) and variances."""
        c = np.asarray(self.correlation, dtype=np.float64)
        k = len(self.names)
        if len(set(self.names)) != k:
            raise ValidationFailed("factor names must be unique", code="bad_factor", field="names")
        if c.shape != (k, k) or not np.all(np.isfinite(c)):
            raise ValidationFailed(
                f"correlation must be a finite {k}x{k} matrix",
                code="bad_correlation",
                field="correlation",
            )
        if not np.allclose(c, c.T, atol=1e-12) or not np.allclose(np.diag(c), 1.0, atol=1e-12):
            raise ValidationFailed(
                "correlation must be symmetric with a unit diagonal",
                code="bad_correlation",
                field="correlation",
            )
        if float(np.linalg.eigvalsh(c).min()) < -1e-10:
            raise ValidationFailed(
                "correlation matrix is not positive semi-definite",
                code="correlation_not_psd",
                field="correlation",
            )
        object.__setattr__(self, "correlation", c)
        if self.sector_variance is not None:
            sv = np.asarray(self.sector_variance, dtype=np.float64)
            if sv.shape != (k,) or not np.all(np.isfinite(sv)) or np.any(sv <= 0):
                raise ValidationFailed(
                    "sector_variance must be one positive number per factor",
                    code="bad_sector_variance",
                    field="sector_variance",
                )

    @classmethod
    def one_factor(cls) -> FactorModel:
        """A single global factor: the Vasicek / ASRF setting."""
        return cls(names=("global",), correlation=np.ones((1, 1)))

    def cholesky(self) -> FloatArray:
        """A square root ``A`` with ``A @ A.T == correlation`` (robust to singular matrices)."""
        w, v = np.linalg.eigh(self.correlation)
        return np.ascontiguousarray(v * np.sqrt(np.clip(w, 0.0, None)))

    def variances(self) -> FloatArray:
        """CreditRisk+ gamma variance per factor."""
        if self.sector_variance is None:
            return np.ones(len(self.names))
        return np.asarray(self.sector_variance, dtype=np.float64)

    def loadings(self, portfolio: Portfolio) -> tuple[IntArray, FloatArray]:
        """Factor indices ``(N, 2)`` and weights ``(N, 2)`` of each obligor's systematic driver.

        Weights are normalised so the driver has unit variance; an unused slot has index 0
        and weight 0.  With the one-factor model every obligor loads on the single factor.
        """
        n = portfolio.size
        idx = np.zeros((n, 2), dtype=np.int64)
        w = np.zeros((n, 2), dtype=np.float64)
        if len(self.names) == 1:
            w[:, 0] = 1.0
            return idx, w
        for col, labels in enumerate((portfolio.countries, portfolio.sectors)):
            prefix = self.sector_prefix if col == 1 else ""
            for k, name in enumerate(self.names):
                if not name.startswith(prefix):
                    continue
                hit = labels == name[len(prefix) :]  # a vectorised compare per factor
                idx[hit, col] = k
                w[hit, col] = 1.0
        missing = w.sum(axis=1) == 0
        if np.any(missing):
            bad = int(np.flatnonzero(missing)[0])
            raise ValidationFailed(
                f"obligor {portfolio.buyer_ids[bad]} loads on no factor: neither country "
                f"{portfolio.countries[bad]!r} nor sector {portfolio.sectors[bad]!r} is a factor",
                code="no_factor",
                field="factor_model",
            )
        cross = self.correlation[idx[:, 0], idx[:, 1]]
        var = w[:, 0] ** 2 + w[:, 1] ** 2 + 2.0 * w[:, 0] * w[:, 1] * cross
        w /= np.sqrt(var)[:, None]
        return idx, w

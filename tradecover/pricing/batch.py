"""The vectorised short-term rates: a rate table compiled to integers, many rows at once.

:class:`CompiledRateTable` holds a :class:`~tradecover.pricing.rate_table.RateTable` in
integer units (rates in 1e-8, factors, shares and probabilities in parts per million) and
prices arrays of declarations with numpy int64 arithmetic.  Every step rounds half-up as
the Decimal path (:func:`tradecover.pricing.short_term.price_short_term`) does, so each row
equals the rate of the same request there; :class:`~tradecover.pricing.short_term.
ShortTermPricer` offers it as ``price_batch``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from tradecover.kit.errors import ValidationFailed
from tradecover.pricing.rate_table import COUNTRY_CLASSES, TERMS_ORDER, RateTable

RATE_UNITS_PER_ONE = 10**8
"""Integer rate units used by :func:`price_batch`: rate = units / 10**8."""

PPM = 10**6
"""Parts per million: the integer unit of factors, shares and probabilities in batches."""

IntArray = npt.NDArray[np.int64]


def _units(value: Decimal, scale: int) -> int:
    """An exact decimal in integer units of ``1/scale`` (``scale`` is 10**6 or 10**8)."""
    units = value * scale
    if units != units.to_integral_value():
        raise ValidationFailed(f"{value} has more decimals than the batch units allow")
    return int(units)


def _half_up(numerator: IntArray, denominator: int) -> IntArray:
    """Round ``numerator / denominator`` half away from zero, as Decimal's ROUND_HALF_UP."""
    magnitude = (np.abs(numerator) * 2 + denominator) // (2 * denominator)
    return np.where(numerator < 0, -magnitude, magnitude)


def _half_up_positive(numerator: IntArray, denominator: int | IntArray) -> IntArray:
    return (numerator * 2 + denominator) // (denominator * 2)


@dataclass(frozen=True, slots=True)
class _BatchTable:
    base: IntArray
    last_days: IntArray
    grade_ppm: IntArray
    bands: int
    floor: int
    cap: int
    pd_reference: int
    pd_slope: int
    pd_min: int
    pd_max: int
    indemnity_reference: int
    indemnity_min: int
    indemnity_max: int
    hhi_threshold: int
    concentration_slope: int
    concentration_max: int


def _batch_table(table: RateTable) -> _BatchTable:
    base = np.array(
        [
            [[_units(r, RATE_UNITS_PER_ONE) for r in by_band] for by_band in by_terms]
            for by_terms in table.base
        ],
        dtype=np.int64,
    )
    b, i, k = table.buyer, table.indemnity, table.concentration
    return _BatchTable(
        base=base.reshape(-1),
        last_days=np.array([band.last_day for band in table.bands], dtype=np.int64),
        grade_ppm=np.array([_units(f, PPM) for f in b.grade_factors.values()], dtype=np.int64),
        bands=len(table.bands),
        floor=_units(table.floor, RATE_UNITS_PER_ONE),
        cap=_units(table.cap, RATE_UNITS_PER_ONE),
        pd_reference=_units(b.pd_reference, PPM),
        pd_slope=_units(b.pd_slope, PPM),
        pd_min=_units(b.pd_min_factor, PPM),
        pd_max=_units(b.pd_max_factor, PPM),
        indemnity_reference=_units(i.reference, PPM),
        indemnity_min=_units(i.minimum, PPM),
        indemnity_max=_units(i.maximum, PPM),
        hhi_threshold=_units(k.hhi_threshold, PPM),
        concentration_slope=_units(k.slope, PPM),
        concentration_max=_units(k.max_factor, PPM),
    )


def grade_codes(table: RateTable) -> tuple[str, ...]:
    """Buyer grades in the order :func:`price_batch`'s ``buyer_grade_index`` refers to."""
    return tuple(table.buyer.grade_factors)


def _as_int64(name: str, values: npt.ArrayLike, size: int | None) -> IntArray:
    array = np.asarray(values)
    if array.dtype.kind not in "iu":
        raise ValidationFailed(f"{name} must be an integer array", field=name)
    array = array.astype(np.int64, copy=False)
    if array.ndim != 1 or (size is not None and array.shape[0] != size):
        raise ValidationFailed(
            f"{name} must be one-dimensional and as long as the batch", field=name
        )
    return array


def _check_range(name: str, array: IntArray, low: int, high: int) -> None:
    if array.size == 0:
        return
    bad = np.flatnonzero((array < low) | (array > high))
    if bad.size:
        i = int(bad[0])
        raise ValidationFailed(
            f"{name}[{i}] = {int(array[i])} is outside {low}..{high} "
            f"({bad.size} bad row(s) in all)",
            field=f"{name}[{i}]",
        )


@dataclass(slots=True)
class CompiledRateTable:
    """A rate table in integer units: the rates of many declarations at once, exactly."""

    table: RateTable
    _batch: _BatchTable = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._batch = _batch_table(self.table)

    def price_batch(
        self,
        *,
        country_class: npt.ArrayLike,
        payment_terms: npt.ArrayLike,
        credit_days: npt.ArrayLike,
        indemnity_ppm: npt.ArrayLike,
        buyer_pd_ppm: npt.ArrayLike | None = None,
        buyer_grade_index: npt.ArrayLike | None = None,
        experience_factor_ppm: npt.ArrayLike | None = None,
        concentration_hhi_ppm: npt.ArrayLike | None = None,
    ) -> IntArray:
        """Rates of many declarations at once, in integer units of 1e-8 (exact).

        Arrays are one per field, one row per declaration: ``country_class`` 0-7,
        ``payment_terms`` the index in :data:`TERMS_ORDER` (0 L/C .. 3 O/A), ``credit_days``,
        ``indemnity_ppm`` (900000 = 90 %), ``buyer_pd_ppm`` (-1 = no PD: the grade applies),
        ``buyer_grade_index`` into :func:`grade_codes` (default: unrated),
        ``experience_factor_ppm`` (the policy's :func:`experience_adjustment`, default
        1000000) and ``concentration_hhi_ppm`` (-1 or absent = not assessed).  Each row
        equals ``price_short_term`` of the same request; ``Decimal(units).scaleb(-8)`` is
        the rate.
        """
        t = self._batch
        classes = _as_int64("country_class", country_class, None)
        n = classes.shape[0]
        terms = _as_int64("payment_terms", payment_terms, n)
        days = _as_int64("credit_days", credit_days, n)
        indemnity = _as_int64("indemnity_ppm", indemnity_ppm, n)
        _check_range("country_class", classes, 0, COUNTRY_CLASSES - 1)
        _check_range("payment_terms", terms, 0, len(TERMS_ORDER) - 1)
        _check_range("credit_days", days, 0, int(t.last_days[-1]))
        _check_range("indemnity_ppm", indemnity, t.indemnity_min, t.indemnity_max)

        band = np.searchsorted(t.last_days, days, side="left")
        rate = t.base[(classes * len(TERMS_ORDER) + terms) * t.bands + band]

        # 1. buyer
        unrated = grade_codes(self.table).index(self.table.buyer.unrated_grade)
        grade_factor = (
            t.grade_ppm[unrated]
            if buyer_grade_index is None
            else t.grade_ppm[self._grade_index(buyer_grade_index, n)]
        )
        if buyer_pd_ppm is not None:
            pd = _as_int64("buyer_pd_ppm", buyer_pd_ppm, n)
            _check_range("buyer_pd_ppm", pd, -1, PPM)
            pd_factor = _half_up(PPM * PPM + t.pd_slope * (pd - t.pd_reference), PPM)
            pd_factor = np.clip(pd_factor, t.pd_min, t.pd_max)
            buyer = np.where(pd >= 0, pd_factor, grade_factor)
        else:
            buyer = np.broadcast_to(np.asarray(grade_factor, dtype=np.int64), (n,))
        rate = _half_up_positive(rate * buyer, PPM)

        # 2. indemnity percentage
        indemnity_factor = _half_up_positive(indemnity * PPM, t.indemnity_reference)
        rate = _half_up_positive(rate * indemnity_factor, PPM)

        # 3. experience (policy-level factor computed once per policy)
        if experience_factor_ppm is not None:
            experience = _as_int64("experience_factor_ppm", experience_factor_ppm, n)
            _check_range("experience_factor_ppm", experience, 1, 10 * PPM)
            rate = _half_up_positive(rate * experience, PPM)

        # 4. concentration
        if concentration_hhi_ppm is not None:
            hhi = _as_int64("concentration_hhi_ppm", concentration_hhi_ppm, n)
            _check_range("concentration_hhi_ppm", hhi, -1, PPM)
            excess = np.maximum(hhi - t.hhi_threshold, 0)
            factor = np.minimum(
                _half_up_positive(PPM * PPM + t.concentration_slope * excess, PPM),
                t.concentration_max,
            )
            factor = np.where(hhi >= 0, factor, PPM)
            rate = _half_up_positive(rate * factor, PPM)

        return np.clip(rate, t.floor, t.cap)

    def _grade_index(self, values: npt.ArrayLike, n: int) -> IntArray:
        index = _as_int64("buyer_grade_index", values, n)
        _check_range("buyer_grade_index", index, 0, len(self.table.buyer.grade_factors) - 1)
        return index


def price_batch(*, table: RateTable, **arrays: npt.ArrayLike) -> IntArray:
    """Vectorised rates on ``table``; see :meth:`CompiledRateTable.price_batch` for the arrays."""
    return CompiledRateTable(table).price_batch(**arrays)


def rate_from_units(units: int) -> Decimal:
    """A batch rate (integer units of 1e-8) as the Decimal rate."""
    return Decimal(int(units)).scaleb(-8)

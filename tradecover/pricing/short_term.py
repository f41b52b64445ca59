"""Short-term rates (docs/rules/core.md section 6): one interface, a rate and its explanation.

The rate of a declaration is the base matrix cell of its country class x payment terms x
credit band, multiplied in this fixed order by

1. the **buyer** factor (its probability of default, or else its grade),
2. the **indemnity percentage** factor (share of the loss the insurer pays),
3. the exporter's **experience** factor (loss ratio, Buhlmann credibility ``z = n/(n+k)``),
4. the policy's **concentration** factor (HHI of its buyer limits),

then held between the product's floor and cap.  Every factor is rounded half-up to 6
decimals and the rate half-up to 8 decimals after each multiplication, so the result is
a pure function of integers.  That is what lets :func:`price_batch` (numpy, int64
arithmetic in rate units of 1e-8 and factors in parts per million) return exactly the
rates of the Decimal path :func:`price_short_term`; tests prove it on random inputs.

Monotonicity (docs/rules/core.md section 6): the matrix is validated monotone when a table is
built, every factor is a non-decreasing function of its risk input, and rounding and
bounds are monotone, so riskier country, terms, longer credit, higher PD, higher
indemnity percentage or more concentration never give a lower rate, all else equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money, round_money, to_decimal
from tradecover.pricing.rate_table import (
    COUNTRY_CLASSES,
    FACTOR_QUANTUM,
    RATE_QUANTUM,
    TERMS_ORDER,
    RateTable,
    default_rate_table,
)
from tradecover.reference.payment_terms import PaymentTerms

RATE_UNITS_PER_ONE = 10**8
"""Integer rate units used by :func:`price_batch`: rate = units / 10**8."""

PPM = 10**6
"""Parts per million: the integer unit of factors, shares and probabilities in batches."""

_ONE = Decimal(1)
_ZERO = Decimal(0)

IntArray = npt.NDArray[np.int64]


class UnknownCountry(ValidationFailed):
    """The country code has no risk class in the pricer's classification."""

    default_code = "unknown_country"


# --- request and answer ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExporterExperience:
    """The exporter's record over its past policy years, for experience rating.

    ``exposure`` is its insured turnover over those years in the table's exposure unit
    (``RateTable.experience.exposure_unit``, USD million in the default table): the
    ``n`` of the credibility ``z = n / (n + k)``.
    """

    years: int
    earned_premium: Decimal
    incurred_claims: Decimal
    exposure: Decimal


@dataclass(frozen=True, slots=True)
class ShortTermRateRequest:
    """What the attachment service, renewals and quotes ask a rate for.

    Give ``country_class`` (0-7) or ``country`` (ISO 3166 alpha-2, looked up in the
    pricer's classification).  ``buyer_pd`` (0..1) wins over ``buyer_grade`` when both are
    given; neither means an unrated buyer.  ``concentration_hhi`` is the Herfindahl index
    (0..1) of the policy's buyer limits; absent means no loading.
    """

    payment_terms: PaymentTerms
    credit_days: int
    indemnity_percentage: Decimal
    country_class: int | None = None
    country: str | None = None
    buyer_grade: str | None = None
    buyer_pd: Decimal | None = None
    concentration_hhi: Decimal | None = None
    experience: ExporterExperience | None = None


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One factor applied to the rate, with why."""

    name: str
    factor: Decimal
    reason: str

    def to_dict(self) -> dict[str, str]:
        """JSON form (decimals as strings)."""
        return {"name": self.name, "factor": str(self.factor), "reason": self.reason}


@dataclass(frozen=True, slots=True)
class RateExplanation:
    """How a rate was reached: table and version, base cell, adjustments, bounds."""

    table_code: str
    table_version: int
    effective_from: str
    country_class: int
    payment_terms: PaymentTerms
    credit_band: str
    base_rate: Decimal
    adjustments: tuple[Adjustment, ...]
    rate_before_bounds: Decimal
    floor: Decimal
    cap: Decimal
    bound_applied: str | None
    final_rate: Decimal

    def to_dict(self) -> dict[str, Any]:
        """JSON form (decimals as strings)."""
        return {
            "table": {
                "code": self.table_code,
                "version": self.table_version,
                "effective_from": self.effective_from,
            },
            "country_class": self.country_class,
            "payment_terms": self.payment_terms.value,
            "credit_band": self.credit_band,
            "base_rate": str(self.base_rate),
            "adjustments": [a.to_dict() for a in self.adjustments],
            "rate_before_bounds": str(self.rate_before_bounds),
            "floor": str(self.floor),
            "cap": str(self.cap),
            "bound_applied": self.bound_applied,
            "final_rate": str(self.final_rate),
        }


@dataclass(frozen=True, slots=True)
class RateQuote:
    """A rate per unit of insured amount, with its explanation."""

    rate: Decimal
    explanation: RateExplanation

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``{"rate": "0.0075", "explanation": {...}}``."""
        return {"rate": str(self.rate), "explanation": self.explanation.to_dict()}


class RatePricer(Protocol):
    """The one pricing interface that attachment, renewals and quotes call."""

    def price(self, request: ShortTermRateRequest) -> RateQuote:
        """Price one request, explaining the rate."""
        ...


# --- the adjustments, one pure function each --------------------------------------


def _q6(value: Decimal) -> Decimal:
    return value.quantize(FACTOR_QUANTUM, rounding=ROUND_HALF_UP)


def _q8(value: Decimal) -> Decimal:
    return value.quantize(RATE_QUANTUM, rounding=ROUND_HALF_UP)


def _share(value: Decimal | int | str, *, field: str) -> Decimal:
    number = to_decimal(value, field=field)
    if number < 0 or number > 1:
        raise ValidationFailed(f"{field} must be between 0 and 1, got {number}", field=field)
    return _q6(number)


def _pct(value: Decimal) -> str:
    return f"{(value * 100).normalize():f} %"


def apply_factor(rate: Decimal, factor: Decimal) -> Decimal:
    """``rate x factor`` rounded half-up to 8 decimals (the one rounding of rates)."""
    return _q8(rate * factor)


def buyer_adjustment(
    table: RateTable, *, grade: str | None = None, pd: Decimal | None = None
) -> Adjustment:
    """The buyer factor: linear in its PD when known (rounded to 6 decimals), else its grade."""
    params = table.buyer
    if grade is not None and grade not in params.grade_factors:
        raise ValidationFailed(
            f"unknown buyer grade {grade!r}; known grades: {', '.join(params.grade_factors)}",
            code="unknown_buyer_grade",
            field="buyer_grade",
        )
    if pd is not None:
        probability = _share(pd, field="buyer_pd")
        raw = _q6(_ONE + params.pd_slope * (probability - params.pd_reference))
        factor = min(max(raw, params.pd_min_factor), params.pd_max_factor)
        bounded = (
            "" if factor == raw else f", held within {params.pd_min_factor}-{params.pd_max_factor}"
        )
        return Adjustment(
            "buyer",
            factor,
            f"buyer probability of default {_pct(probability)} against the reference "
            f"{_pct(params.pd_reference)}: 1 + {params.pd_slope} x "
            f"({probability} - {params.pd_reference}){bounded}"
            + (f" (grade {grade})" if grade is not None else ""),
        )
    used = grade if grade is not None else params.unrated_grade
    reason = f"buyer grade {used}" if grade is not None else "buyer not rated"
    return Adjustment("buyer", params.grade_factors[used], reason)


def indemnity_adjustment(table: RateTable, *, indemnity_percentage: Decimal) -> Adjustment:
    """Indemnity factor ``percentage / reference``: a larger share of the loss costs more."""
    params = table.indemnity
    pct = to_decimal(indemnity_percentage, field="indemnity_percentage")
    if pct != _q6(pct):
        raise ValidationFailed(
            "indemnity_percentage has more than 6 decimals", field="indemnity_percentage"
        )
    if pct < params.minimum or pct > params.maximum:
        raise ValidationFailed(
            f"indemnity_percentage {pct} is outside the product's range "
            f"{params.minimum}-{params.maximum}",
            code="indemnity_out_of_range",
            field="indemnity_percentage",
        )
    factor = _q6(pct / params.reference)
    return Adjustment(
        "indemnity_percentage",
        factor,
        f"insurer pays {_pct(pct)} of a loss against the reference {_pct(params.reference)}",
    )


def experience_adjustment(table: RateTable, *, experience: ExporterExperience | None) -> Adjustment:
    """Experience factor ``1 + z x (LR / expected LR - 1)`` with ``z = n / (n + k)``, bounded.

    A policy-level factor: compute it once per policy and pass its parts-per-million to
    :func:`price_batch` as ``experience_factor_ppm``.
    """
    params = table.experience
    if experience is None:
        return Adjustment("experience", _ONE, "no experience record: credibility 0, table rate")
    if (
        isinstance(experience.years, bool)
        or not isinstance(experience.years, int)
        or experience.years < 0
    ):
        raise ValidationFailed(
            "experience.years must be a whole number >= 0", field="experience.years"
        )
    premium = to_decimal(experience.earned_premium, field="experience.earned_premium")
    claims = to_decimal(experience.incurred_claims, field="experience.incurred_claims")
    exposure = to_decimal(experience.exposure, field="experience.exposure")
    for name, value in (
        ("earned_premium", premium),
        ("incurred_claims", claims),
        ("exposure", exposure),
    ):
        if value < 0:
            raise ValidationFailed(
                f"experience.{name} must not be negative", field=f"experience.{name}"
            )
    if experience.years == 0 or exposure == 0 or premium == 0:
        return Adjustment(
            "experience", _ONE, "no earned premium or exposure yet: credibility 0, table rate"
        )
    loss_ratio = _q6(claims / premium)
    z = _q6(exposure / (exposure + params.credibility_k))
    expected = params.expected_loss_ratio
    raw = _q6(_ONE + z * (loss_ratio - expected) / expected)
    factor = min(max(raw, params.min_factor), params.max_factor)
    bounded = "" if factor == raw else f", held within {params.min_factor}-{params.max_factor}"
    return Adjustment(
        "experience",
        factor,
        f"loss ratio {_pct(loss_ratio)} over {experience.years} year(s) against the expected "
        f"{_pct(expected)}, credibility z = {exposure}/({exposure}+{params.credibility_k}) "
        f"= {z}{bounded}",
    )


def concentration_adjustment(table: RateTable, *, hhi: Decimal | None) -> Adjustment:
    """Concentration factor ``min(1 + slope x max(0, HHI - threshold), max)``."""
    params = table.concentration
    if hhi is None:
        return Adjustment("concentration", _ONE, "concentration not assessed: no loading")
    share = _share(hhi, field="concentration_hhi")
    excess = max(_ZERO, share - params.hhi_threshold)
    factor = min(_q6(_ONE + params.slope * excess), params.max_factor)
    if excess == 0:
        return Adjustment(
            "concentration",
            factor,
            f"buyer limits HHI {share} within the threshold {params.hhi_threshold}: no loading",
        )
    return Adjustment(
        "concentration",
        factor,
        f"buyer limits HHI {share} above the threshold {params.hhi_threshold}: "
        f"loading {params.slope} per unit of excess, at most {params.max_factor}",
    )


def apply_bounds(table: RateTable, rate: Decimal) -> tuple[Decimal, str | None]:
    """Hold ``rate`` within the product's floor and cap; say which bound applied."""
    if rate < table.floor:
        return table.floor, "floor"
    if rate > table.cap:
        return table.cap, "cap"
    return rate, None


def _country_class(request: ShortTermRateRequest, country_classes: Mapping[str, int] | None) -> int:
    if request.country_class is not None:
        value = request.country_class
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 0 <= value < COUNTRY_CLASSES
        ):
            raise ValidationFailed(
                f"country_class must be 0-7, got {value!r}", field="country_class"
            )
        return value
    if request.country is None:
        raise ValidationFailed("give country or country_class", field="country")
    if country_classes is None or request.country not in country_classes:
        raise UnknownCountry(
            f"unknown country {request.country!r}: it has no risk class", field="country"
        )
    return country_classes[request.country]


def _terms(value: PaymentTerms | str) -> PaymentTerms:
    try:
        return PaymentTerms(value)
    except ValueError:
        raise ValidationFailed(
            f"unknown payment terms {value!r}; use one of {[t.value for t in TERMS_ORDER]}",
            field="payment_terms",
        ) from None


def price_short_term(
    request: ShortTermRateRequest,
    *,
    table: RateTable | None = None,
    country_classes: Mapping[str, int] | None = None,
) -> RateQuote:
    """Price one declaration or quote on ``table`` (default: the shipped table)."""
    table = table if table is not None else default_rate_table()
    country_class = _country_class(request, country_classes)
    terms = _terms(request.payment_terms)
    band = table.bands[table.band_index(request.credit_days)]
    base = table.base_rate(country_class, terms, request.credit_days)
    adjustments = (
        buyer_adjustment(table, grade=request.buyer_grade, pd=request.buyer_pd),
        indemnity_adjustment(table, indemnity_percentage=request.indemnity_percentage),
        experience_adjustment(table, experience=request.experience),
        concentration_adjustment(table, hhi=request.concentration_hhi),
    )
    rate = base
    for adjustment in adjustments:
        rate = apply_factor(rate, adjustment.factor)
    final, bound = apply_bounds(table, rate)
    return RateQuote(
        rate=final,
        explanation=RateExplanation(
            table_code=table.code,
            table_version=table.version,
            effective_from=table.effective_from.isoformat(),
            country_class=country_class,
            payment_terms=terms,
            credit_band=band.label,
            base_rate=base,
            adjustments=adjustments,
            rate_before_bounds=rate,
            floor=table.floor,
            cap=table.cap,
            bound_applied=bound,
            final_rate=final,
        ),
    )


def shipment_premium(
    *, invoice_amount: Money, rate: Decimal, prepayment: Money | None = None
) -> Money:
    """Premium on a shipment: ``(invoice - prepayment) x rate``, rounded half-up (section 6)."""
    insured = invoice_amount if prepayment is None else invoice_amount - prepayment
    if insured.amount < 0:
        raise ValidationFailed("prepayment exceeds the invoice amount", field="prepayment")
    return Money(round_money(insured.amount * rate, insured.currency), insured.currency)


# --- the vectorised path -----------------------------------------------------------


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
class ShortTermPricer:
    """A :class:`RatePricer` on one rate table, with a vectorised :meth:`price_batch`."""

    table: RateTable
    country_classes: Mapping[str, int] | None = None
    _batch: _BatchTable = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._batch = _batch_table(self.table)

    def price(self, request: ShortTermRateRequest) -> RateQuote:
        """Price one request on this pricer's table (see :func:`price_short_term`)."""
        return price_short_term(request, table=self.table, country_classes=self.country_classes)

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
    """Vectorised rates on ``table``; see :meth:`ShortTermPricer.price_batch` for the arrays."""
    return ShortTermPricer(table=table).price_batch(**arrays)


def rate_from_units(units: int) -> Decimal:
    """A batch rate (integer units of 1e-8) as the Decimal rate."""
    return Decimal(int(units)).scaleb(-8)

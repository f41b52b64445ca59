"""Short-term rates ([domain R-1]): one interface, a rate and its explanation.

The rate of a declaration is the base matrix cell of its country class x payment terms x
credit band, multiplied in this fixed order by

1. the **buyer** factor (its probability of default, or else its grade),
2. the **indemnity percentage** factor (share of the loss the insurer pays),
3. the exporter's **experience** factor (loss ratio, Buhlmann credibility ``z = n/(n+k)``),
4. the policy's **concentration** factor (HHI of its buyer limits),

then held between the product's floor and cap.  Every factor is rounded half-up to 6
decimals and the rate half-up to 8 decimals after each multiplication, so the result is
a pure function of integers.  That is what lets :func:`price_batch` (in
:mod:`tradecover.pricing.batch`: numpy, int64 arithmetic in rate units of 1e-8 and factors
in parts per million) return exactly the rates of the Decimal path :func:`price_short_term`;
tests prove it on random inputs.

Monotonicity ([domain R-2]): the matrix is validated monotone when a table is
built, every factor is a non-decreasing function of its risk input, and rounding and
bounds are monotone, so riskier country, terms, longer credit, higher PD, higher
indemnity percentage or more concentration never give a lower rate, all else equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

import numpy.typing as npt

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money, round_money, to_decimal

# The vectorised path lives in batch.py; its names stay importable from here.
from tradecover.pricing.batch import PPM as PPM
from tradecover.pricing.batch import RATE_UNITS_PER_ONE as RATE_UNITS_PER_ONE
from tradecover.pricing.batch import CompiledRateTable
from tradecover.pricing.batch import IntArray as IntArray
from tradecover.pricing.batch import grade_codes as grade_codes
from tradecover.pricing.batch import price_batch as price_batch
from tradecover.pricing.batch import rate_from_units as rate_from_units
from tradecover.pricing.rate_table import (
    COUNTRY_CLASSES,
    FACTOR_QUANTUM,
    RATE_QUANTUM,
    TERMS_ORDER,
    RateTable,
    default_rate_table,
)
from tradecover.reference.payment_terms import PaymentTerms

_ONE = Decimal(1)
_ZERO = Decimal(0)


NO_COUNTRY_CLASS = -1
"""The country class an explanation names when its table has none [domain DT-4]."""


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
    # a table without country classes prices every buyer on its one row [domain DT-4]
    country_class = _country_class(request, country_classes) if table.country_classes else 0
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
            country_class=country_class if table.country_classes else NO_COUNTRY_CLASS,
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


@dataclass(slots=True)
class ShortTermPricer:
    """A :class:`RatePricer` on one rate table, with a vectorised :meth:`price_batch`."""

    table: RateTable
    country_classes: Mapping[str, int] | None = None
    _batch: CompiledRateTable = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._batch = CompiledRateTable(self.table)

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
        """Rates of many declarations at once, in integer units of 1e-8, each row equal to
        :meth:`price` of the same request (the arrays: :meth:`CompiledRateTable.price_batch`).
        """
        return self._batch.price_batch(
            country_class=country_class,
            payment_terms=payment_terms,
            credit_days=credit_days,
            indemnity_ppm=indemnity_ppm,
            buyer_pd_ppm=buyer_pd_ppm,
            buyer_grade_index=buyer_grade_index,
            experience_factor_ppm=experience_factor_ppm,
            concentration_hhi_ppm=concentration_hhi_ppm,
        )

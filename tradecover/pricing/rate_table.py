"""Versioned short-term rate tables: the base matrix and the adjustment parameters.

A :class:`RateTable` is what an insurer edits and saves: a base matrix of country
risk class (0 safest .. 7 riskiest) x payment terms (L/C, D/P, D/A, O/A, in rising risk)
x credit period band, the floor and cap of the product, and the parameters of the
floating adjustments (buyer, indemnity percentage, experience, concentration, renewal).
[domain R-2]: "riskier country, riskier term and longer credit all cost more",
so a table whose matrix falls anywhere along one of those axes cannot be built: the
error names the offending cell.

Every factor is at most :data:`MAX_FACTOR` (10).  Number formats (they make the
vectorised path equal to the Decimal path, see ``short_term``): every rate has at
most 8 decimals (:data:`RATE_QUANTUM`, one ten-thousandth of a basis point) and every
factor, slope or share at most 6 (:data:`FACTOR_QUANTUM`).  Tables round-trip through
plain JSON-able dicts (:func:`rate_table_from_dict` / :func:`rate_table_to_dict`) so the
database and the dashboard's editor store exactly what is validated here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import to_decimal
from tradecover.reference.payment_terms import PaymentTerms, payment_terms_by_risk

RATE_QUANTUM = Decimal("1E-8")
"""Rates carry 8 decimals: 0.00000001 = one ten-thousandth of a basis point."""

FACTOR_QUANTUM = Decimal("1E-6")
"""Factors, slopes, shares and probabilities carry 6 decimals (parts per million)."""

COUNTRY_CLASSES = 8
"""Country risk classes 0 (safest, e.g. high-income OECD) to 7 (riskiest)."""

DEFAULT_TABLE_RESOURCE = "short_term_default.json"

DOMESTIC_TABLE_RESOURCE = "domestic_default.json"
"""The shipped table of the domestic product, without country classes [domain DT-4]."""

ALL_COUNTRIES = "all"
"""The one row of a table without country classes, in its JSON form."""


TERMS_ORDER: tuple[PaymentTerms, ...] = payment_terms_by_risk()
"""Terms in rising risk (L/C, D/P, D/A, O/A); the matrix's second axis follows this order."""


class InvalidRateTable(ValidationFailed):
    """A rate table breaks a rule (non-monotone matrix, bad bound, bad parameter)."""

    default_code = "invalid_rate_table"


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _number(
    value: Any,
    *,
    field: str,
    places: int,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
    strict_minimum: bool = False,
) -> Decimal:
    """Parse an exact decimal with at most ``places`` decimals inside the bounds."""
    number = to_decimal(value, field=field)
    if _places(number) > places:
        raise InvalidRateTable(f"{field} has more than {places} decimals: {number}", field=field)
    if minimum is not None and (number <= minimum if strict_minimum else number < minimum):
        relation = "above" if strict_minimum else "at least"
        raise InvalidRateTable(f"{field} must be {relation} {minimum}, got {number}", field=field)
    if maximum is not None and number > maximum:
        raise InvalidRateTable(f"{field} must be at most {maximum}, got {number}", field=field)
    return number


def _rate(value: Any, *, field: str) -> Decimal:
    return _number(
        value, field=field, places=8, minimum=Decimal(0), maximum=Decimal(1), strict_minimum=True
    )


MAX_FACTOR = Decimal(10)
"""No single factor may exceed 10: keeps the int64 batch arithmetic exact (see short_term)."""


def _factor(
    value: Any, *, field: str, minimum: Decimal = Decimal(0), maximum: Decimal = MAX_FACTOR
) -> Decimal:
    return _number(value, field=field, places=6, minimum=minimum, maximum=maximum)


def _slope(value: Any, *, field: str) -> Decimal:
    return _number(value, field=field, places=6, minimum=Decimal(0), maximum=Decimal(100))


@dataclass(frozen=True, slots=True)
class CreditBand:
    """A credit period band, ``first_day``..``last_day`` inclusive (e.g. 31-60 days)."""

    first_day: int
    last_day: int

    @property
    def label(self) -> str:
        """The band as the insurer writes it, e.g. ``"31-60"``."""
        return f"{self.first_day}-{self.last_day}"


@dataclass(frozen=True, slots=True)
class BuyerParameters:
    """Buyer adjustment: a factor per grade, or a linear PD factor when a PD is known.

    With a probability of default ``pd`` the factor is
    ``clamp(1 + pd_slope x (pd - pd_reference), pd_min_factor, pd_max_factor)``:
    a higher PD never costs less.  Without one, the grade's factor applies.
    """

    grade_factors: Mapping[str, Decimal]
    unrated_grade: str
    pd_reference: Decimal
    pd_slope: Decimal
    pd_min_factor: Decimal
    pd_max_factor: Decimal


@dataclass(frozen=True, slots=True)
class IndemnityParameters:
    """Indemnity percentage adjustment: ``factor = indemnity % / reference %``.

    The insurer's expected payout is proportional to its share of the loss, so a higher
    indemnity percentage never costs less.  Percentages outside ``minimum..maximum``
    are refused.
    """

    reference: Decimal
    minimum: Decimal
    maximum: Decimal


@dataclass(frozen=True, slots=True)
class ExperienceParameters:
    """Experience rating with Buhlmann credibility ``z = n / (n + k)``.

    ``n`` is the exporter's exposure over its experience years (insured turnover in
    millions of the table's exposure currency), ``k`` the credibility constant in the
    same unit.  ``factor = clamp(1 + z x (loss ratio / expected loss ratio - 1))``.
    """

    credibility_k: Decimal
    expected_loss_ratio: Decimal
    min_factor: Decimal
    max_factor: Decimal
    exposure_unit: str


@dataclass(frozen=True, slots=True)
class ConcentrationParameters:
    """Concentration loading on the HHI of the policy's buyer limits.

    ``factor = min(1 + slope x max(0, hhi - threshold), max_factor)``; an HHI of 1 is a
    single buyer, ``1/N`` is N equal buyers.
    """

    hhi_threshold: Decimal
    slope: Decimal
    max_factor: Decimal


@dataclass(frozen=True, slots=True)
class RenewalParameters:
    """Loadings of the renewal review ([domain R-9]) beyond experience/concentration.

    Declaring less than ``min_declared_share`` of the insurable turnover breaks whole
    turnover (the exporter may be selecting risky deals): loading
    ``1 + declared_share_slope x shortfall``.  A possible-loss rate above
    ``expected_possible_loss_rate`` loads ``1 + possible_loss_slope x excess``.  The
    whole renewal factor stays within ``min_factor..max_factor`` of the current rate.
    """

    min_declared_share: Decimal
    declared_share_slope: Decimal
    expected_possible_loss_rate: Decimal
    possible_loss_slope: Decimal
    min_factor: Decimal
    max_factor: Decimal


@dataclass(frozen=True, slots=True)
class RateTable:
    """One version of a product's short-term rate table.  Validated on construction."""

    code: str
    version: int
    effective_from: date
    product: str
    source: str
    bands: tuple[CreditBand, ...]
    base: tuple[tuple[tuple[Decimal, ...], ...], ...]
    """``base[country_class][terms index][band index]``, a rate per unit of insured amount."""
    floor: Decimal
    cap: Decimal
    buyer: BuyerParameters
    indemnity: IndemnityParameters
    experience: ExperienceParameters
    concentration: ConcentrationParameters
    renewal: RenewalParameters
    country_classes: bool = True
    """False: a table without country classes (the domestic product's, [domain DT-4]): one
    row of rates for every buyer, held as :data:`COUNTRY_CLASSES` equal rows so that both
    pricing paths read it as they read any table; its JSON form has the one row ``all``."""

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def max_credit_days(self) -> int:
        """The longest credit period the product covers."""
        return self.bands[-1].last_day

    def band_index(self, credit_days: int, *, field: str = "credit_days") -> int:
        """Index of the band holding ``credit_days``; beyond the maximum is refused."""
        if isinstance(credit_days, bool) or not isinstance(credit_days, int):
            raise ValidationFailed(f"{field} must be a whole number of days", field=field)
        if credit_days < 0:
            raise ValidationFailed(f"{field} must not be negative, got {credit_days}", field=field)
        for index, band in enumerate(self.bands):
            if credit_days <= band.last_day:
                return index
        raise ValidationFailed(
            f"{field} {credit_days} is beyond the product's maximum of {self.max_credit_days} days",
            code="credit_period_too_long",
            field=field,
        )

    def base_rate(self, country_class: int, terms: PaymentTerms, credit_days: int) -> Decimal:
        """The base matrix rate of one cell."""
        return self.base[country_class][TERMS_ORDER.index(terms)][self.band_index(credit_days)]


def _cell(country_class: int, terms_index: int, band: CreditBand) -> str:
    return f"base[{country_class}][{TERMS_ORDER[terms_index].value}][{band.label}]"


def _validate(table: RateTable) -> None:
    if not table.code or not table.code.strip():
        raise InvalidRateTable("the table needs a code", field="code")
    if isinstance(table.version, bool) or not isinstance(table.version, int) or table.version < 1:
        raise InvalidRateTable("version must be a positive integer", field="version")
    _validate_bands(table.bands)
    if len(table.base) != COUNTRY_CLASSES:
        raise InvalidRateTable(f"base needs {COUNTRY_CLASSES} country classes (0-7)", field="base")
    for c, by_terms in enumerate(table.base):
        if len(by_terms) != len(TERMS_ORDER):
            raise InvalidRateTable(
                f"base[{c}] needs one row per payment terms {[t.value for t in TERMS_ORDER]}",
                field=f"base[{c}]",
            )
        for t, by_band in enumerate(by_terms):
            if len(by_band) != len(table.bands):
                raise InvalidRateTable(
                    f"base[{c}][{TERMS_ORDER[t].value}] needs one rate per credit band",
                    field=f"base[{c}][{TERMS_ORDER[t].value}]",
                )
            for b, rate in enumerate(by_band):
                _rate(rate, field=_cell(c, t, table.bands[b]))
    if not table.country_classes and any(row != table.base[0] for row in table.base):
        raise InvalidRateTable(
            "a table without country classes has one row of rates for every country",
            code="rate_table_has_country_classes",
            field="base",
        )
    _validate_monotone(table)
    _rate(table.floor, field="floor")
    _rate(table.cap, field="cap")
    if table.floor > table.cap:
        raise InvalidRateTable(f"floor {table.floor} is above cap {table.cap}", field="floor")
    _validate_parameters(table)


def _validate_bands(bands: tuple[CreditBand, ...]) -> None:
    if not bands:
        raise InvalidRateTable("at least one credit band is needed", field="bands")
    expected_first = 0
    for i, band in enumerate(bands):
        if band.first_day != expected_first or band.last_day < band.first_day:
            raise InvalidRateTable(
                f"credit bands must be contiguous from day 0; band {band.label} does not "
                f"start at day {expected_first}",
                field=f"bands[{i}]",
            )
        expected_first = band.last_day + 1


def _validate_monotone(table: RateTable) -> None:
    """Riskier country, riskier terms, longer credit: never cheaper ([domain R-2])."""
    base = table.base
    for c in range(COUNTRY_CLASSES):
        for t in range(len(TERMS_ORDER)):
            for b, band in enumerate(table.bands):
                rate = base[c][t][b]
                lower_cells: list[tuple[int, int, int, str]] = []
                if c > 0:
                    lower_cells.append((c - 1, t, b, "country class"))
                if t > 0:
                    lower_cells.append((c, t - 1, b, "payment terms"))
                if b > 0:
                    lower_cells.append((c, t, b - 1, "credit period"))
                for lc, lt, lb, axis in lower_cells:
                    lower = base[lc][lt][lb]
                    if lower > rate:
                        cell = _cell(c, t, band)
                        raise InvalidRateTable(
                            f"{cell} = {rate} is cheaper than "
                            f"{_cell(lc, lt, table.bands[lb])} = {lower}: "
                            f"a riskier {axis} must never cost less",
                            code="rate_table_not_monotone",
                            field=cell,
                        )


def _validate_parameters(table: RateTable) -> None:
    buyer, ind, exp = table.buyer, table.indemnity, table.experience
    conc, ren = table.concentration, table.renewal
    one, small = Decimal(1), Decimal("0.000001")
    for grade, factor in buyer.grade_factors.items():
        _factor(factor, field=f"buyer.grade_factors.{grade}", minimum=small)
    if buyer.unrated_grade not in buyer.grade_factors:
        raise InvalidRateTable(
            f"buyer.unrated_grade {buyer.unrated_grade!r} has no factor",
            field="buyer.unrated_grade",
        )
    _factor(buyer.pd_reference, field="buyer.pd_reference", maximum=one)
    _slope(buyer.pd_slope, field="buyer.pd_slope")
    _factor(buyer.pd_min_factor, field="buyer.pd_min_factor", minimum=small)
    _factor(buyer.pd_max_factor, field="buyer.pd_max_factor", minimum=buyer.pd_min_factor)
    _factor(ind.minimum, field="indemnity.minimum", minimum=Decimal("0.1"), maximum=one)
    _factor(ind.maximum, field="indemnity.maximum", minimum=ind.minimum, maximum=one)
    _factor(ind.reference, field="indemnity.reference", minimum=ind.minimum, maximum=ind.maximum)
    _number(
        exp.credibility_k,
        field="experience.credibility_k",
        places=6,
        minimum=small,
        maximum=Decimal(10**9),
    )
    _factor(
        exp.expected_loss_ratio, field="experience.expected_loss_ratio", minimum=Decimal("0.01")
    )
    _factor(exp.min_factor, field="experience.min_factor", minimum=small)
    _factor(exp.max_factor, field="experience.max_factor", minimum=exp.min_factor)
    _factor(conc.hhi_threshold, field="concentration.hhi_threshold", maximum=one)
    _slope(conc.slope, field="concentration.slope")
    _factor(conc.max_factor, field="concentration.max_factor", minimum=one)
    _factor(ren.min_declared_share, field="renewal.min_declared_share", maximum=one)
    _slope(ren.declared_share_slope, field="renewal.declared_share_slope")
    _factor(
        ren.expected_possible_loss_rate, field="renewal.expected_possible_loss_rate", maximum=one
    )
    _slope(ren.possible_loss_slope, field="renewal.possible_loss_slope")
    _factor(ren.min_factor, field="renewal.min_factor", minimum=small)
    _factor(ren.max_factor, field="renewal.max_factor", minimum=ren.min_factor)


# --- (de)serialisation -------------------------------------------------------------


def _get(data: Mapping[str, Any], key: str, path: str) -> Any:
    if not isinstance(data, Mapping) or key not in data:
        raise InvalidRateTable(f"{path}{key} is missing", field=f"{path}{key}")
    return data[key]


def _d(section: Mapping[str, Any], key: str, path: str) -> Decimal:
    return to_decimal(_get(section, key, path), field=f"{path}{key}")


def rate_table_from_dict(data: Mapping[str, Any]) -> RateTable:
    """Build and validate a table from its JSON form (see ``short_term_default.json``)."""
    bands = tuple(
        CreditBand(
            int(_get(b, "first_day", f"bands[{i}].")), int(_get(b, "last_day", f"bands[{i}]."))
        )
        for i, b in enumerate(_get(data, "bands", ""))
    )
    raw_base = _get(data, "base", "")
    if not isinstance(raw_base, Mapping):
        raise InvalidRateTable("base must map country class to terms to rates", field="base")
    by_country = data.get("country_classes", True)
    if not isinstance(by_country, bool):
        raise InvalidRateTable("country_classes must be true or false", field="country_classes")
    if not by_country and set(raw_base) != {ALL_COUNTRIES}:
        raise InvalidRateTable(
            f"a table without country classes has the one row {ALL_COUNTRIES!r} of rates",
            code="rate_table_has_country_classes",
            field="base",
        )
    base: list[tuple[tuple[Decimal, ...], ...]] = []
    for c in range(COUNTRY_CLASSES):
        row = _get(raw_base, str(c) if by_country else ALL_COUNTRIES, "base.")
        base.append(
            tuple(
                tuple(
                    to_decimal(r, field=f"base[{c}][{t.value}][{j}]")
                    for j, r in enumerate(_get(row, t.value, f"base[{c}]."))
                )
                for t in TERMS_ORDER
            )
        )
    b = _get(data, "buyer", "")
    i = _get(data, "indemnity", "")
    e = _get(data, "experience", "")
    k = _get(data, "concentration", "")
    r = _get(data, "renewal", "")
    grades = _get(b, "grade_factors", "buyer.")
    try:
        effective_from = date.fromisoformat(str(_get(data, "effective_from", "")))
    except ValueError:
        raise InvalidRateTable(
            "effective_from must be an ISO date", field="effective_from"
        ) from None
    return RateTable(
        code=str(_get(data, "code", "")),
        version=int(_get(data, "version", "")),
        effective_from=effective_from,
        product=str(_get(data, "product", "")),
        source=str(data.get("source", "")),
        bands=bands,
        base=tuple(base),
        floor=_d(data, "floor", ""),
        cap=_d(data, "cap", ""),
        buyer=BuyerParameters(
            grade_factors={
                str(g): to_decimal(f, field=f"buyer.grade_factors.{g}") for g, f in grades.items()
            },
            unrated_grade=str(_get(b, "unrated_grade", "buyer.")),
            pd_reference=_d(b, "pd_reference", "buyer."),
            pd_slope=_d(b, "pd_slope", "buyer."),
            pd_min_factor=_d(b, "pd_min_factor", "buyer."),
            pd_max_factor=_d(b, "pd_max_factor", "buyer."),
        ),
        indemnity=IndemnityParameters(
            reference=_d(i, "reference", "indemnity."),
            minimum=_d(i, "minimum", "indemnity."),
            maximum=_d(i, "maximum", "indemnity."),
        ),
        experience=ExperienceParameters(
            credibility_k=_d(e, "credibility_k", "experience."),
            expected_loss_ratio=_d(e, "expected_loss_ratio", "experience."),
            min_factor=_d(e, "min_factor", "experience."),
            max_factor=_d(e, "max_factor", "experience."),
            exposure_unit=str(_get(e, "exposure_unit", "experience.")),
        ),
        concentration=ConcentrationParameters(
            hhi_threshold=_d(k, "hhi_threshold", "concentration."),
            slope=_d(k, "slope", "concentration."),
            max_factor=_d(k, "max_factor", "concentration."),
        ),
        renewal=RenewalParameters(
            min_declared_share=_d(r, "min_declared_share", "renewal."),
            declared_share_slope=_d(r, "declared_share_slope", "renewal."),
            expected_possible_loss_rate=_d(r, "expected_possible_loss_rate", "renewal."),
            possible_loss_slope=_d(r, "possible_loss_slope", "renewal."),
            min_factor=_d(r, "min_factor", "renewal."),
            max_factor=_d(r, "max_factor", "renewal."),
        ),
        country_classes=by_country,
    )


def rate_table_to_dict(table: RateTable) -> dict[str, Any]:
    """The JSON form of a table (decimals as strings), inverse of :func:`rate_table_from_dict`."""
    return {
        "code": table.code,
        "version": table.version,
        "effective_from": table.effective_from.isoformat(),
        "product": table.product,
        "source": table.source,
        "bands": [{"first_day": b.first_day, "last_day": b.last_day} for b in table.bands],
        "base": {
            (str(c) if table.country_classes else ALL_COUNTRIES): {
                t.value: [str(r) for r in table.base[c][ti]] for ti, t in enumerate(TERMS_ORDER)
            }
            for c in range(COUNTRY_CLASSES if table.country_classes else 1)
        },
        "floor": str(table.floor),
        "cap": str(table.cap),
        "buyer": {
            "grade_factors": {g: str(f) for g, f in table.buyer.grade_factors.items()},
            "unrated_grade": table.buyer.unrated_grade,
            "pd_reference": str(table.buyer.pd_reference),
            "pd_slope": str(table.buyer.pd_slope),
            "pd_min_factor": str(table.buyer.pd_min_factor),
            "pd_max_factor": str(table.buyer.pd_max_factor),
        },
        "indemnity": {
            "reference": str(table.indemnity.reference),
            "minimum": str(table.indemnity.minimum),
            "maximum": str(table.indemnity.maximum),
        },
        "experience": {
            "credibility_k": str(table.experience.credibility_k),
            "expected_loss_ratio": str(table.experience.expected_loss_ratio),
            "min_factor": str(table.experience.min_factor),
            "max_factor": str(table.experience.max_factor),
            "exposure_unit": table.experience.exposure_unit,
        },
        "concentration": {
            "hhi_threshold": str(table.concentration.hhi_threshold),
            "slope": str(table.concentration.slope),
            "max_factor": str(table.concentration.max_factor),
        },
        "renewal": {
            "min_declared_share": str(table.renewal.min_declared_share),
            "declared_share_slope": str(table.renewal.declared_share_slope),
            "expected_possible_loss_rate": str(table.renewal.expected_possible_loss_rate),
            "possible_loss_slope": str(table.renewal.possible_loss_slope),
            "min_factor": str(table.renewal.min_factor),
            "max_factor": str(table.renewal.max_factor),
        },
    } | ({} if table.country_classes else {"country_classes": False})


def default_rate_table() -> RateTable:
    """The shipped default table (``data/short_term_default.json``), calibrated to [000]."""
    text = resources.files("tradecover.pricing").joinpath("data", DEFAULT_TABLE_RESOURCE)
    return rate_table_from_dict(json.loads(text.read_text(encoding="utf-8")))


def domestic_rate_table() -> RateTable:
    """The shipped domestic table (``data/domestic_default.json``), without country classes
    [domain DT-4].
    """
    text = resources.files("tradecover.pricing").joinpath("data", DOMESTIC_TABLE_RESOURCE)
    return rate_table_from_dict(json.loads(text.read_text(encoding="utf-8")))


def shipped_rate_tables() -> tuple[RateTable, ...]:
    """Every table shipped with tradecover: the export default and the domestic one."""
    return (default_rate_table(), domestic_rate_table())

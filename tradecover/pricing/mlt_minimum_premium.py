"""Medium/long-term minimum premium rates of the OECD Arrangement (an extension).

For buyer credits repaid over two years or more, officially supported cover must charge
at least the Arrangement's Minimum Premium Rate (Article 24, Annex VI)::

    MPR = {[(a_i x HOR + b_i) x max(PCC, PCP) / 0.95] x (1 - LCF)
           + [c_in x PCC / 0.95 x HOR x (1 - CEF)]} x QPF_i x PCF_i x BTSF

in percent of the principal, as if paid up front at the first drawdown.  ``i`` is the
country risk category (1-7), ``n`` the buyer risk category (SOV+, SOV/CC0, CC1..CC5),
HOR the horizon of risk in years, PCC/PCP the percentages of commercial/political
cover, LCF/CEF country/buyer risk mitigation, QPF the product quality, PCF the cover
above 95 %, BTSF the better-than-sovereign discount.  The constants live in
``data/oecd_mpr.json`` with the edition they come from and their verification status.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import to_decimal

_ONE = Decimal(1)
_NINETY_FIVE = Decimal("0.95")
MIN_REPAYMENT_YEARS = Decimal(2)
"""The Arrangement's MPR rules apply to credits repaid over two years or more."""
MAX_HORIZON_YEARS = Decimal(30)
RESULT_QUANTUM = Decimal("1E-6")
PRODUCT_QUALITIES = ("below_standard", "standard", "above_standard")


class MarketBenchmarkCountry(ValidationFailed):
    """Category 0 / high-income obligors are priced on market benchmarks, not by formula."""

    default_code = "market_benchmark_pricing"


@dataclass(frozen=True, slots=True)
class MprConstants:
    """The Arrangement's constants, as shipped in ``data/oecd_mpr.json``."""

    edition: str
    verification: str
    a: dict[int, Decimal]
    b: dict[int, Decimal]
    c: dict[str, dict[int, Decimal]]
    qpf: dict[str, dict[int, Decimal]]
    pcf_coefficient: dict[int, Decimal]
    btsf_sov_plus: Decimal
    max_lcf: Decimal
    max_cef: Decimal


@lru_cache(maxsize=1)
def mpr_constants() -> MprConstants:
    """Load the shipped constants (cached)."""
    text = resources.files("tradecover.pricing").joinpath("data", "oecd_mpr.json")
    data = json.loads(text.read_text(encoding="utf-8"))

    def by_category(raw: dict[str, str]) -> dict[int, Decimal]:
        return {int(k): Decimal(v) for k, v in raw.items()}

    return MprConstants(
        edition=data["edition"],
        verification=data["verification"]["status"],
        a=by_category(data["country_risk_coefficient_a"]),
        b=by_category(data["constant_b"]),
        c={k: by_category(v) for k, v in data["buyer_risk_coefficient_c"].items()},
        qpf={k: by_category(v) for k, v in data["quality_of_product_factor"].items()},
        pcf_coefficient=by_category(data["percentage_of_cover_coefficient"]),
        btsf_sov_plus=Decimal(data["better_than_sovereign_factor"]["SOV+"]),
        max_lcf=Decimal(data["max_local_currency_factor"]),
        max_cef=Decimal(data["max_credit_enhancement_factor"]),
    )


def horizon_of_risk(
    *,
    disbursement_years: Decimal,
    repayment_years: Decimal,
    weighted_average_life: Decimal | None = None,
) -> Decimal:
    """HOR: half the disbursement period + the repayment period (standard profile).

    For a non-standard repayment profile give the weighted average life of the repayment
    period: ``(WAL - 0.25) / 0.5`` then replaces the repayment period.
    """
    disbursement = to_decimal(disbursement_years, field="disbursement_years")
    repayment = to_decimal(repayment_years, field="repayment_years")
    if disbursement < 0:
        raise ValidationFailed(
            "disbursement_years must not be negative", field="disbursement_years"
        )
    if repayment < MIN_REPAYMENT_YEARS:
        raise ValidationFailed(
            f"repayment_years {repayment} is under {MIN_REPAYMENT_YEARS}: the Arrangement's "
            "minimum premium applies to credits repaid over two years or more",
            field="repayment_years",
        )
    equivalent = repayment
    if weighted_average_life is not None:
        wal = to_decimal(weighted_average_life, field="weighted_average_life")
        if wal <= Decimal("0.25") or wal > repayment:
            raise ValidationFailed(
                "weighted_average_life must be above 0.25 years and at most the repayment period",
                field="weighted_average_life",
            )
        equivalent = (wal - Decimal("0.25")) / Decimal("0.5")
    horizon = disbursement / 2 + equivalent
    if horizon > MAX_HORIZON_YEARS:
        raise ValidationFailed(
            f"horizon of risk {horizon} years is beyond {MAX_HORIZON_YEARS}",
            field="repayment_years",
        )
    return horizon


@dataclass(frozen=True, slots=True)
class MinimumPremium:
    """An MPR with the constants and factors that produced it."""

    mpr_percent: Decimal
    """Minimum premium, percent of principal, up front; rounded half-up to 6 decimals."""
    country_category: int
    buyer_risk_category: str
    horizon_of_risk: Decimal
    a: Decimal
    b: Decimal
    c: Decimal
    country_risk_part: Decimal
    buyer_risk_part: Decimal
    qpf: Decimal
    pcf: Decimal
    btsf: Decimal
    edition: str
    verification: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form (decimals as strings)."""
        return {
            "mpr_percent": str(self.mpr_percent),
            "country_category": self.country_category,
            "buyer_risk_category": self.buyer_risk_category,
            "horizon_of_risk": str(self.horizon_of_risk),
            "coefficients": {"a": str(self.a), "b": str(self.b), "c": str(self.c)},
            "country_risk_part": str(self.country_risk_part),
            "buyer_risk_part": str(self.buyer_risk_part),
            "factors": {"qpf": str(self.qpf), "pcf": str(self.pcf), "btsf": str(self.btsf)},
            "source": {"edition": self.edition, "verification": self.verification},
        }


def _fraction(value: Decimal, *, field: str, maximum: Decimal, positive: bool) -> Decimal:
    number = to_decimal(value, field=field)
    if (number <= 0 if positive else number < 0) or number > maximum:
        low = "above 0" if positive else "at least 0"
        raise ValidationFailed(
            f"{field} must be {low} and at most {maximum}, got {number}", field=field
        )
    return number


def minimum_premium_rate(
    *,
    country_category: int,
    buyer_risk_category: str,
    horizon: Decimal,
    commercial_cover: Decimal = _NINETY_FIVE,
    political_cover: Decimal = _NINETY_FIVE,
    product_quality: str = "standard",
    local_currency_factor: Decimal = Decimal(0),
    credit_enhancement_factor: Decimal = Decimal(0),
) -> MinimumPremium:
    """The Arrangement's MPR (Annex VI) for country categories 1-7, in percent of principal."""
    k = mpr_constants()
    if (
        isinstance(country_category, bool)
        or not isinstance(country_category, int)
        or not 0 <= country_category <= 7
    ):
        raise ValidationFailed(
            f"country_category must be 0-7, got {country_category!r}", field="country_category"
        )
    if country_category == 0:
        raise MarketBenchmarkCountry(
            "category 0 obligors are priced on market benchmarks (Article 24 c), "
            "not by the MPR formula",
            field="country_category",
        )
    if buyer_risk_category not in k.c:
        raise ValidationFailed(
            f"unknown buyer_risk_category {buyer_risk_category!r}; use one of {list(k.c)}",
            field="buyer_risk_category",
        )
    if country_category not in k.c[buyer_risk_category]:
        raise ValidationFailed(
            f"buyer risk category {buyer_risk_category} does not exist in country "
            f"category {country_category}",
            field="buyer_risk_category",
        )
    if product_quality not in k.qpf:
        raise ValidationFailed(
            f"product_quality must be one of {list(k.qpf)}", field="product_quality"
        )
    hor = to_decimal(horizon, field="horizon")
    if hor <= 0 or hor > MAX_HORIZON_YEARS:
        raise ValidationFailed(
            f"horizon must be in (0, {MAX_HORIZON_YEARS}] years", field="horizon"
        )
    pcc = _fraction(commercial_cover, field="commercial_cover", maximum=_ONE, positive=True)
    pcp = _fraction(political_cover, field="political_cover", maximum=_ONE, positive=True)
    lcf = _fraction(
        local_currency_factor, field="local_currency_factor", maximum=k.max_lcf, positive=False
    )
    cef = _fraction(
        credit_enhancement_factor,
        field="credit_enhancement_factor",
        maximum=k.max_cef,
        positive=False,
    )
    i = country_category
    a, b, c = k.a[i], k.b[i], k.c[buyer_risk_category][i]
    cover = max(pcc, pcp)
    country_part = (a * hor + b) * cover / _NINETY_FIVE * (_ONE - lcf)
    buyer_part = c * pcc / _NINETY_FIVE * hor * (_ONE - cef)
    pcf = (
        _ONE
        if cover <= _NINETY_FIVE
        else _ONE + (cover - _NINETY_FIVE) / Decimal("0.05") * k.pcf_coefficient[i]
    )
    qpf = k.qpf[product_quality][i]
    btsf = k.btsf_sov_plus if buyer_risk_category == "SOV+" else _ONE
    mpr = ((country_part + buyer_part) * qpf * pcf * btsf).quantize(
        RESULT_QUANTUM, rounding=ROUND_HALF_UP
    )
    return MinimumPremium(
        mpr_percent=mpr,
        country_category=i,
        buyer_risk_category=buyer_risk_category,
        horizon_of_risk=hor,
        a=a,
        b=b,
        c=c,
        country_risk_part=country_part,
        buyer_risk_part=buyer_part,
        qpf=qpf,
        pcf=pcf,
        btsf=btsf,
        edition=k.edition,
        verification=k.verification,
    )

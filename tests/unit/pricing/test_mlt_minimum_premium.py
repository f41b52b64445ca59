"""OECD Arrangement minimum premium rates (Annex VI), hand-computed cases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradecover.kit.errors import ValidationFailed
from tradecover.pricing.mlt_minimum_premium import (
    MarketBenchmarkCountry,
    horizon_of_risk,
    minimum_premium_rate,
    mpr_constants,
)


def test_horizon_of_risk_standard_and_non_standard_profiles() -> None:
    assert horizon_of_risk(disbursement_years=Decimal(1), repayment_years=Decimal(8)) == Decimal(
        "8.5"
    )
    # WAL 4.25 years: (4.25 - 0.25) / 0.5 = 8 equivalent repayment years
    assert horizon_of_risk(
        disbursement_years=Decimal(2),
        repayment_years=Decimal(10),
        weighted_average_life=Decimal("4.25"),
    ) == Decimal(9)


def test_category_5_cc2_standard_cover() -> None:
    # (0.74 x 8.5 + 0.75) + 0.246 x 8.5 = 7.04 + 2.091 = 9.131 % at 95 % cover
    mpr = minimum_premium_rate(
        country_category=5, buyer_risk_category="CC2", horizon=Decimal("8.5")
    )
    assert mpr.mpr_percent == Decimal("9.131000")
    assert (mpr.a, mpr.b, mpr.c) == (Decimal("0.740"), Decimal("0.750"), Decimal("0.246"))


def test_category_1_better_than_sovereign_full_cover_guarantee() -> None:
    # (0.09 x 5 + 0.35) x 1 / 0.95 x QPF 1.0035 x PCF 1 (coefficient 0) x BTSF 0.9
    mpr = minimum_premium_rate(
        country_category=1,
        buyer_risk_category="SOV+",
        horizon=Decimal(5),
        commercial_cover=Decimal(1),
        political_cover=Decimal(1),
        product_quality="above_standard",
    )
    assert mpr.mpr_percent == Decimal("0.760547")


def test_category_7_sovereign_full_political_cover() -> None:
    # (1.1 x 10 + 1.8) x 1 / 0.95 x PCF (1 + 0.05/0.05 x 0.08598) = 14.632152 %
    mpr = minimum_premium_rate(
        country_category=7,
        buyer_risk_category="SOV/CC0",
        horizon=Decimal(10),
        political_cover=Decimal(1),
    )
    assert mpr.mpr_percent == Decimal("14.632152")
    assert mpr.pcf == Decimal("1.08598")


def test_mitigation_and_below_standard_product() -> None:
    # country part (0.35 x 6 + 0.35) x 0.95/0.95 x (1 - 0.1) = 2.205
    # buyer part 0.495 x 0.9 / 0.95 x 6 x (1 - 0.2) = 2.250947...; x QPF 0.9850
    mpr = minimum_premium_rate(
        country_category=3,
        buyer_risk_category="CC4",
        horizon=Decimal(6),
        commercial_cover=Decimal("0.9"),
        product_quality="below_standard",
        local_currency_factor=Decimal("0.1"),
        credit_enhancement_factor=Decimal("0.2"),
    )
    assert mpr.mpr_percent == Decimal("4.389108")


def test_riskier_country_or_buyer_or_longer_horizon_never_cheaper() -> None:
    def rate(i: int, n: str, h: int) -> Decimal:
        return minimum_premium_rate(
            country_category=i, buyer_risk_category=n, horizon=Decimal(h)
        ).mpr_percent

    for h in range(1, 15):
        assert [rate(i, "CC1", h) for i in range(1, 8)] == sorted(
            rate(i, "CC1", h) for i in range(1, 8)
        )
        assert (
            rate(4, "CC1", h)
            <= rate(4, "CC2", h)
            <= rate(4, "CC3", h)
            <= rate(4, "CC4", h)
            <= rate(4, "CC5", h)
        )
        assert rate(5, "CC3", h) <= rate(5, "CC3", h + 1)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"country_category": 6, "buyer_risk_category": "CC5"}, "buyer_risk_category"),
        ({"country_category": 4, "buyer_risk_category": "AAA"}, "buyer_risk_category"),
        ({"country_category": 9, "buyer_risk_category": "CC1"}, "country_category"),
        (
            {"country_category": 4, "buyer_risk_category": "CC1", "product_quality": "gold"},
            "product_quality",
        ),
        (
            {
                "country_category": 4,
                "buyer_risk_category": "CC1",
                "commercial_cover": Decimal("1.1"),
            },
            "commercial_cover",
        ),
        (
            {
                "country_category": 4,
                "buyer_risk_category": "CC1",
                "credit_enhancement_factor": Decimal("0.4"),
            },
            "credit_enhancement_factor",
        ),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        minimum_premium_rate(horizon=Decimal(5), **kwargs)  # type: ignore[arg-type]
    assert error.value.field == field


def test_category_0_is_market_benchmark() -> None:
    with pytest.raises(MarketBenchmarkCountry) as error:
        minimum_premium_rate(country_category=0, buyer_risk_category="CC1", horizon=Decimal(5))
    assert error.value.code == "market_benchmark_pricing"


def test_short_credits_are_out_of_scope() -> None:
    with pytest.raises(ValidationFailed) as error:
        horizon_of_risk(disbursement_years=Decimal(0), repayment_years=Decimal("1.5"))
    assert error.value.field == "repayment_years"


def test_constants_cite_their_edition_and_verification() -> None:
    constants = mpr_constants()
    assert "Annex VI" in constants.edition
    assert "NOT verified" in constants.verification

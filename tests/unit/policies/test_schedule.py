from dataclasses import replace
from decimal import Decimal

import pytest

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money
from tradecover.policies.schedule import (
    DeclarationFrequency,
    InsurableScope,
    PolicySchedule,
    liability_guidance,
)
from tradecover.reference.payment_terms import PaymentTerms


def _schedule(**over: object) -> PolicySchedule:
    base = PolicySchedule(
        currency="USD",
        expected_turnover=Money.of("12000000", "USD"),
        maximum_liability=Money.of("5000000", "USD"),
        indemnity_commercial_pct=Decimal(90),
        indemnity_political_pct=Decimal(95),
        declaration_frequency=DeclarationFrequency.MONTHLY,
        rate_table="ST-2026",
        base_rate_pct=Decimal("0.45"),
    )
    return replace(base, **over)  # type: ignore[arg-type]


def test_a_sound_schedule_validates() -> None:
    _schedule().validate()
    _schedule(indemnity_commercial_pct=Decimal(100)).validate()


@pytest.mark.parametrize(
    ("over", "code", "field"),
    [
        (
            {"indemnity_commercial_pct": Decimal(0)},
            "indemnity_out_of_range",
            "indemnity_commercial_pct",
        ),
        (
            {"indemnity_political_pct": Decimal("100.01")},
            "indemnity_out_of_range",
            "indemnity_political_pct",
        ),
        (
            {"indemnity_political_pct": Decimal("-1")},
            "indemnity_out_of_range",
            "indemnity_political_pct",
        ),
        (
            {"indemnity_commercial_pct": Decimal("NaN")},
            "indemnity_out_of_range",
            "indemnity_commercial_pct",
        ),
        (
            {"maximum_liability": Money.of("0", "USD")},
            "maximum_liability_not_positive",
            "maximum_liability",
        ),
        (
            {"expected_turnover": Money.of("0", "USD")},
            "expected_turnover_not_positive",
            "expected_turnover",
        ),
        ({"maximum_liability": Money.of("5", "EUR")}, "currency_mismatch", "maximum_liability"),
        ({"base_rate_pct": Decimal(0)}, "rate_out_of_range", "base_rate_pct"),
        ({"base_rate_pct": Decimal("10.01")}, "rate_out_of_range", "base_rate_pct"),
        (
            {"possible_loss_notice_days": 0},
            "notice_period_out_of_range",
            "possible_loss_notice_days",
        ),
        ({"rate_table": " "}, "rate_table_missing", "rate_table"),
        ({"dispute_venue": ""}, "dispute_venue_missing", "dispute_venue"),
        ({"currency": "XYZ"}, "unknown_currency", "currency"),
        (
            {"scope": InsurableScope(destination_countries=("ZZ",))},
            "unknown_country",
            "scope.destination_countries[0]",
        ),
        (
            {"scope": InsurableScope(destination_countries=("DE",), excluded_countries=("DE",))},
            "scope_conflict",
            "scope.excluded_countries",
        ),
        ({"scope": InsurableScope(payment_terms=())}, "empty_scope", "scope.payment_terms"),
        (
            {"scope": InsurableScope(payment_terms=(PaymentTerms.OA, PaymentTerms.OA))},
            "duplicate_payment_term",
            "scope.payment_terms",
        ),
        (
            {"scope": InsurableScope(max_credit_days=361)},
            "credit_period_out_of_range",
            "scope.max_credit_days",
        ),
        (
            {"scope": InsurableScope(max_credit_days=0)},
            "credit_period_out_of_range",
            "scope.max_credit_days",
        ),
        ({"scope": InsurableScope(hs_chapters=("8",))}, "unknown_hs_code", "scope.hs_chapters[0]"),
        ({"scope": InsurableScope(hs_chapters=("77",))}, "unknown_hs_code", "scope.hs_chapters[0]"),
    ],
)
def test_broken_terms_are_named(over: dict[str, object], code: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _schedule(**over).validate()
    assert (refused.value.code, refused.value.field) == (code, field)


def test_scope_covers_countries() -> None:
    everywhere = InsurableScope(excluded_countries=("RU",))
    assert everywhere.covers_country("DE") is True
    assert everywhere.covers_country("RU") is False
    listed = InsurableScope(destination_countries=("DE", "US"))
    assert listed.covers_country("US") is True
    assert listed.covers_country("BR") is False


@pytest.mark.parametrize(
    ("maximum", "within", "ratio"),
    [
        ("3999999.99", False, Decimal("3999999.99") / 12000000),
        ("4000000", True, Decimal("4000000") / 12000000),
        ("6000000", True, Decimal("0.5")),
        ("6000000.01", False, Decimal("6000000.01") / 12000000),
    ],
)
def test_liability_guidance_one_third_to_one_half(
    maximum: str, within: bool, ratio: Decimal
) -> None:
    g = liability_guidance(
        expected_turnover=Money.of("12000000", "USD"), maximum_liability=Money.of(maximum, "USD")
    )
    assert g.low == Money.of("4000000.00", "USD")
    assert g.high == Money.of("6000000.00", "USD")
    assert g.within is within
    assert g.ratio == ratio


def test_guidance_rounds_per_currency_and_explains() -> None:
    g = liability_guidance(
        expected_turnover=Money.of("1000", "JPY"), maximum_liability=Money.of("400", "JPY")
    )
    assert (g.low.amount, g.high.amount) == (Decimal(333), Decimal(500))
    assert g.message() == (
        "maximum liability is 40.0% of expected turnover, within the usual "
        "1/3 to 1/2 (333 JPY to 500 JPY)"
    )


def test_schedule_json_roundtrip() -> None:
    from tradecover.policies.service import schedule_from_dict, schedule_to_dict

    schedule = _schedule(
        scope=InsurableScope(
            excluded_countries=("RU",),
            payment_terms=(PaymentTerms.OA,),
            max_credit_days=90,
            hs_chapters=("84",),
        )
    )
    data = schedule_to_dict(schedule)
    assert data["maximum_liability"] == "5000000"
    assert data["scope"] == {
        "destination_countries": [],
        "excluded_countries": ["RU"],
        "payment_terms": ["OA"],
        "max_credit_days": 90,
        "hs_chapters": ["84"],
    }
    assert schedule_from_dict(data) == schedule

"""Subsidy programmes ([001]): eligibility with the rule applied, and the premium split."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import CurrencyMismatch, Money
from tradecover.subsidies import (
    CapKind,
    EligibilityDecision,
    EligibilityRule,
    ExporterFacts,
    Programme,
    ShipmentFacts,
    SizeTier,
    SubsidyUsage,
    decide_eligibility,
    split_premium,
    subsidise,
)

USD = "USD"


def usd(amount: str) -> Money:
    return Money.of(amount, USD)


# Yiwu: up to 80 % of local exporters' premium ([001]).
YIWU = Programme(
    code="YIWU",
    name="Yiwu premium support",
    sponsor="Yiwu municipal government",
    currency=USD,
    share=Decimal("0.8"),
    regions=("CN-ZJ",),
    valid_from=date(2025, 4, 25),
    valid_to=date(2026, 12, 31),
)
# Shenzhen: free cover for exporters under USD 8 million last year ([001]).
SHENZHEN = Programme(
    code="SZ",
    name="Shenzhen SME cover",
    sponsor="Shenzhen government",
    currency=USD,
    share=Decimal("0"),
    regions=("CN-GD",),
    size_tiers=(SizeTier(usd("8000000"), Decimal(1)),),
    max_previous_year_exports=usd("8000000"),
)
SMALL_ZJ = ExporterFacts(exporter_id=7, region="CN-ZJ", previous_year_exports=usd("3000000"))
SMALL_GD = ExporterFacts(exporter_id=8, region="CN-GD", previous_year_exports=usd("7999999.99"))
SHIP = ShipmentFacts(shipment_date=date(2026, 10, 5), hs_code="950510", destination_country="US")


def test_yiwu_pays_80_percent() -> None:
    d = decide_eligibility(YIWU, SMALL_ZJ, SHIP)
    assert d == EligibilityDecision(
        "YIWU",
        True,
        Decimal("0.8"),
        EligibilityRule.STANDARD_SHARE,
        "80 % of premium paid by Yiwu municipal government",
    )
    split = split_premium(
        premium=usd("600.00"), grants=[(YIWU, d)], usage=SubsidyUsage(), exporter_id=7, year=2026
    )
    assert (split.exporter_owes, dict(split.programme_owes), dict(split.limited_by)) == (
        usd("120.00"),
        {"YIWU": usd("480.00")},
        {},
    )
    assert split.usage.per_exporter_year == {("YIWU", 7, 2026): usd("480.00")}
    assert split.usage.per_year == {("YIWU", 2026): usd("480.00")}
    assert split.usage.total == {"YIWU": usd("480.00")}


def test_shenzhen_pays_all_for_exporters_under_8_million() -> None:
    decisions, split = subsidise(
        premium=usd("600.00"),
        programmes=[SHENZHEN, YIWU],
        exporter=SMALL_GD,
        shipment=SHIP,
        usage=SubsidyUsage(),
    )
    assert [(d.programme, d.eligible, d.share, d.rule_applied) for d in decisions] == [
        ("SZ", True, Decimal(1), EligibilityRule.SIZE_TIER),
        ("YIWU", False, Decimal(0), EligibilityRule.REGION_NOT_ELIGIBLE),
    ]
    assert (split.exporter_owes, dict(split.programme_owes)) == (usd("0.00"), {"SZ": usd("600.00")})
    big = replace(SMALL_GD, previous_year_exports=usd("8000000"))
    d = decide_eligibility(SHENZHEN, big, SHIP)
    assert (d.eligible, d.rule_applied) == (False, EligibilityRule.EXPORTER_TOO_LARGE)
    assert d.explanation == ("previous-year exports of 8000000.00 USD are not below 8000000.00 USD")


@pytest.mark.parametrize(
    ("programme", "exporter", "shipment", "rule"),
    [
        (
            YIWU,
            SMALL_ZJ,
            replace(SHIP, shipment_date=date(2027, 1, 1)),
            EligibilityRule.OUTSIDE_VALIDITY,
        ),
        (
            YIWU,
            SMALL_ZJ,
            replace(SHIP, shipment_date=date(2025, 4, 24)),
            EligibilityRule.OUTSIDE_VALIDITY,
        ),
        (YIWU, replace(SMALL_ZJ, region=None), SHIP, EligibilityRule.REGION_NOT_ELIGIBLE),
        (
            replace(YIWU, hs_chapters=("84", "85")),
            SMALL_ZJ,
            SHIP,
            EligibilityRule.PRODUCT_NOT_ELIGIBLE,
        ),
        (
            replace(YIWU, destination_countries=("DE", "FR")),
            SMALL_ZJ,
            SHIP,
            EligibilityRule.DESTINATION_NOT_ELIGIBLE,
        ),
    ],
)
def test_ineligible_with_the_rule_that_applied(
    programme: Programme,
    exporter: ExporterFacts,
    shipment: ShipmentFacts,
    rule: EligibilityRule,
) -> None:
    d = decide_eligibility(programme, exporter, shipment)
    assert (d.eligible, d.share, d.rule_applied) == (False, Decimal(0), rule)
    split = split_premium(
        premium=usd("600.00"),
        grants=[(programme, d)],
        usage=SubsidyUsage(),
        exporter_id=exporter.exporter_id,
        year=2026,
    )
    assert (split.exporter_owes, dict(split.programme_owes)) == (usd("600.00"), {})


def test_eligible_when_every_rule_matches() -> None:
    strict = replace(YIWU, hs_chapters=("95",), destination_countries=("US",))
    assert decide_eligibility(strict, SMALL_ZJ, replace(SHIP, hs_code="9505.10")).eligible


def test_size_tiers_pick_the_smallest_that_fits() -> None:
    tiered = replace(
        YIWU,
        size_tiers=(SizeTier(usd("8000000"), Decimal("0.9")), SizeTier(usd("1000000"), Decimal(1))),
    )
    shares = [
        decide_eligibility(tiered, replace(SMALL_ZJ, previous_year_exports=usd(x)), SHIP).share
        for x in ("999999.99", "1000000", "9000000")
    ]
    assert shares == [Decimal(1), Decimal("0.9"), Decimal("0.8")]


def test_caps_and_budget_cut_the_programme_part() -> None:
    grant = [(YIWU, decide_eligibility(YIWU, SMALL_ZJ, SHIP))]
    used = SubsidyUsage().add("YIWU", exporter_id=7, year=2026, amount=usd("300.00"))
    cases = [
        (replace(YIWU, cap_per_exporter_year=usd("500.00")), CapKind.PER_EXPORTER_YEAR, "200.00"),
        (replace(YIWU, cap_per_year=usd("400.00")), CapKind.PER_YEAR, "100.00"),
        (replace(YIWU, budget=usd("300.00")), CapKind.BUDGET, "0.00"),
    ]
    for programme, kind, part in cases:
        d = grant[0][1]
        split = split_premium(
            premium=usd("600.00"), grants=[(programme, d)], usage=used, exporter_id=7, year=2026
        )
        assert split.limited_by == {"YIWU": kind}
        assert split.programme_owes.get("YIWU", usd("0")) == usd(part)
        assert split.exporter_owes == usd("600.00") - usd(part)
    # another exporter, another year: the per-exporter-year cap starts afresh
    fresh = split_premium(
        premium=usd("600.00"),
        grants=[(replace(YIWU, cap_per_exporter_year=usd("500.00")), grant[0][1])],
        usage=used,
        exporter_id=7,
        year=2027,
    )
    assert (fresh.programme_owes["YIWU"], fresh.limited_by) == (usd("480.00"), {})


def test_stacked_programmes_never_pay_more_than_the_premium() -> None:
    second = replace(YIWU, code="ZJ", share=Decimal("0.5"))
    grants = [
        (YIWU, decide_eligibility(YIWU, SMALL_ZJ, SHIP)),
        (second, decide_eligibility(second, SMALL_ZJ, SHIP)),
    ]
    split = split_premium(
        premium=usd("600.00"), grants=grants, usage=SubsidyUsage(), exporter_id=7, year=2026
    )
    assert dict(split.programme_owes) == {"YIWU": usd("480.00"), "ZJ": usd("120.00")}
    assert split.exporter_owes == usd("0.00")
    assert split.limited_by == {"ZJ": CapKind.PREMIUM_LEFT}


@pytest.mark.parametrize(
    ("premium", "share", "programme_part", "exporter_part"),
    [
        ("0.01", "0.8", "0.01", "0.00"),
        ("0.03", "0.5", "0.02", "0.01"),
        ("0.00", "0.8", "0.00", "0.00"),
        ("333.33", "0.8", "266.66", "66.67"),
    ],
)
def test_rounding_half_up_at_the_cent(
    premium: str, share: str, programme_part: str, exporter_part: str
) -> None:
    programme = replace(YIWU, share=Decimal(share))
    split = split_premium(
        premium=usd(premium),
        grants=[(programme, decide_eligibility(programme, SMALL_ZJ, SHIP))],
        usage=SubsidyUsage(),
        exporter_id=7,
        year=2026,
    )
    assert split.programme_owes.get("YIWU", usd("0")) == usd(programme_part)
    assert split.exporter_owes == usd(exporter_part)


def test_bad_splits_are_refused() -> None:
    d = decide_eligibility(YIWU, SMALL_ZJ, SHIP)
    bad: list[tuple[dict[str, object], str]] = [
        ({"premium": usd("-1.00")}, "negative_premium"),
        ({"premium": usd("1.005")}, "unrounded_premium"),
        ({"grants": [(YIWU, d), (YIWU, d)]}, "duplicate_programme"),
        ({"grants": [(SHENZHEN, d)]}, "decision_mismatch"),
    ]
    for changes, code in bad:
        kwargs: dict[str, object] = {
            "premium": usd("600.00"),
            "grants": [(YIWU, d)],
            "usage": SubsidyUsage(),
            "exporter_id": 7,
            "year": 2026,
        }
        kwargs.update(changes)
        with pytest.raises(ValidationFailed) as caught:
            split_premium(**kwargs)  # type: ignore[arg-type]
        assert caught.value.code == code
    with pytest.raises(CurrencyMismatch):
        split_premium(
            premium=Money.of("600.00", "CNY"),
            grants=[(YIWU, d)],
            usage=SubsidyUsage(),
            exporter_id=7,
            year=2026,
        )


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"share": Decimal("1.01")}, "share_out_of_range", "share"),
        (
            {"size_tiers": (SizeTier(usd("1"), Decimal("-0.1")),)},
            "share_out_of_range",
            "size_tiers[0].share",
        ),
        ({"budget": usd("-1")}, "negative_amount", "budget"),
        ({"cap_per_year": Money.of("1", "EUR")}, "currency_mismatch", "cap_per_year"),
        ({"currency": "ABC"}, "unknown_currency", "currency"),
        ({"code": " "}, "missing_code", "code"),
        ({"valid_to": date(2025, 1, 1)}, "invalid_range", "valid_to"),
    ],
)
def test_bad_programmes_are_refused(changes: dict[str, object], code: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        replace(YIWU, **changes)  # type: ignore[arg-type]
    assert (caught.value.code, caught.value.field) == (code, field)


premiums = st.integers(0, 10**8).map(lambda cents: Money(Decimal(cents).scaleb(-2), USD))
shares = st.decimals(min_value=Decimal(0), max_value=Decimal(1), places=3)
caps = st.none() | st.integers(0, 10**7).map(lambda cents: Money(Decimal(cents).scaleb(-2), USD))


@given(
    premiums=st.lists(premiums, min_size=1, max_size=30),
    share_a=shares,
    share_b=shares,
    cap_exporter=caps,
    cap_year=caps,
    budget=caps,
    exporters=st.lists(st.integers(1, 3), min_size=30, max_size=30),
    years=st.lists(st.integers(2025, 2026), min_size=30, max_size=30),
)
def test_splits_always_sum_and_never_exceed_a_cap(
    premiums: list[Money],
    share_a: Decimal,
    share_b: Decimal,
    cap_exporter: Money | None,
    cap_year: Money | None,
    budget: Money | None,
    exporters: list[int],
    years: list[int],
) -> None:
    a = replace(
        YIWU,
        share=share_a,
        cap_per_exporter_year=cap_exporter,
        cap_per_year=cap_year,
        budget=budget,
    )
    b = replace(YIWU, code="B", share=share_b, budget=budget)
    usage = SubsidyUsage()
    for premium, exporter_id, year in zip(premiums, exporters, years, strict=False):
        grants = [
            (a, decide_eligibility(a, SMALL_ZJ, SHIP)),
            (b, decide_eligibility(b, SMALL_ZJ, SHIP)),
        ]
        split = split_premium(
            premium=premium, grants=grants, usage=usage, exporter_id=exporter_id, year=year
        )
        parts = list(split.programme_owes.values())
        assert sum(parts, split.exporter_owes) == premium
        assert split.exporter_owes.amount >= 0
        assert all(p.amount > 0 for p in parts)
        assert split.programme_owes.get("YIWU", usd("0")) <= Money(
            (premium.amount * share_a).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP"), USD
        )
        usage = split.usage
    for (code, _, _), used in usage.per_exporter_year.items():
        if code == "YIWU" and cap_exporter is not None:
            assert used <= cap_exporter
    for (code, _), used in usage.per_year.items():
        if code == "YIWU" and cap_year is not None:
            assert used <= cap_year
    if budget is not None:
        assert all(used <= budget for used in usage.total.values())

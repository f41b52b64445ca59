"""Tests of the buyer and bank rating model."""

from __future__ import annotations

import dataclasses
import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.buyers import (
    MODEL_VERSION,
    AdverseEvent,
    BankProfile,
    BuyerProfile,
    CompanyType,
    Rating,
    Sector,
    SizeBand,
    pd_for_grade,
    rate_bank,
    rate_buyer,
    size_band_for,
)
from tradecover.buyers.rating_scale import (
    GRADE_FLOORS,
    GRADE_LABELS,
    PD_MASTER_SCALE,
    grade_for_score,
)
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money


def _profile(**changes: object) -> BuyerProfile:
    base = BuyerProfile(
        country_class=2,
        company_type=CompanyType.PRIVATE,
        size=SizeBand.MEDIUM,
        sector=Sector.MACHINERY,
        current_ratio=Decimal("1.6"),
        debt_to_equity=Decimal("0.9"),
        net_margin=Decimal("0.06"),
        interest_cover=Decimal("5"),
        days_beyond_terms=10,
        overdue_reports=0,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _points(rating: Rating) -> dict[str, int]:
    return {c.factor: c.points for c in rating.contributions}


def test_worked_example_buyer() -> None:
    rating = rate_buyer(_profile())
    assert _points(rating) == {
        "country_class": 8,
        "company_type": 0,
        "size": 2,
        "sector": 0,
        "current_ratio": 3,
        "debt_to_equity": 3,
        "net_margin": 3,
        "interest_cover": 3,
        "days_beyond_terms": 2,
        "overdue_reports": 0,
    }
    # 50 + 24 = 74 -> grade 5 (floor 72): A+, PD 0.05 %.
    assert (rating.score, rating.grade, rating.grade_label) == (74, 5, "A+")
    assert rating.pd == Decimal("0.0005")
    assert rating.model_version == MODEL_VERSION == "buyer-rating-2026.1"
    assert not rating.hard_stop
    assert rating.contributions[0].explanation == "OECD country risk class 2 (0 best, 7 worst)"


def test_missing_information_is_neutral_and_shown() -> None:
    rating = rate_buyer(
        _profile(
            current_ratio=None,
            debt_to_equity=None,
            net_margin=None,
            interest_cover=None,
            days_beyond_terms=None,
        )
    )
    missing = [c for c in rating.contributions if c.value == "unknown"]
    assert [(c.factor, c.points) for c in missing] == [
        ("current_ratio", 0),
        ("debt_to_equity", 0),
        ("net_margin", 0),
        ("interest_cover", 0),
        ("days_beyond_terms", 0),
    ]
    assert rating.score == 60
    assert rating.grade == 8


def test_poor_buyer_in_risky_country() -> None:
    rating = rate_buyer(
        _profile(
            country_class=7,
            company_type=CompanyType.SOLE_TRADER,
            size=SizeBand.MICRO,
            sector=Sector.CONSTRUCTION,
            current_ratio=Decimal("0.5"),
            negative_equity=True,
            net_margin=Decimal("-0.2"),
            interest_cover=Decimal("0.5"),
            days_beyond_terms=120,
            overdue_reports=5,
            adverse_events=frozenset({AdverseEvent.PROTEST}),
        )
    )
    assert _points(rating)["debt_to_equity"] == -8
    assert _points(rating)["adverse_event:protest"] == -15
    assert (rating.score, rating.grade, rating.grade_label) == (0, 19, "CC")
    assert rating.pd == Decimal("0.2000")
    assert not rating.hard_stop


@pytest.mark.parametrize("event", [AdverseEvent.INSOLVENCY_FILING, AdverseEvent.SANCTIONS_HIT])
def test_hard_stop_gives_grade_d_whatever_the_score(event: AdverseEvent) -> None:
    rating = rate_buyer(
        _profile(
            country_class=0, company_type=CompanyType.LISTED, adverse_events=frozenset({event})
        )
    )
    assert rating.hard_stop
    assert rating.hard_stop_reasons == (event.value,)
    assert (rating.grade, rating.grade_label, rating.pd) == (20, "D", Decimal(1))
    assert rating.contributions[-1].explanation == "hard stop: no cover"


def test_unclassified_country_between_five_and_six() -> None:
    by_class = {c: rate_buyer(_profile(country_class=c)).score for c in (5, None, 6)}
    assert by_class[5] > by_class[None] > by_class[6]
    assert _points(rate_buyer(_profile(country_class=None)))["country_class"] == -8


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"country_class": 8}, "invalid_risk_class", "country_class"),
        ({"current_ratio": Decimal("-1")}, "invalid_ratio", "current_ratio"),
        ({"debt_to_equity": Decimal("NaN")}, "invalid_ratio", "debt_to_equity"),
        ({"days_beyond_terms": -1}, "invalid_days_beyond_terms", "days_beyond_terms"),
        ({"overdue_reports": -1}, "invalid_overdue_reports", "overdue_reports"),
    ],
)
def test_bad_buyer_inputs(changes: dict[str, object], code: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        rate_buyer(_profile(**changes))
    assert (info.value.code, info.value.field) == (code, field)


def test_size_band_for() -> None:
    assert size_band_for(Money.of("1999999.99", "USD")) is SizeBand.MICRO
    assert size_band_for(Money.of("2000000", "USD")) is SizeBand.SMALL
    assert size_band_for(Money.of("10000000", "USD")) is SizeBand.MEDIUM
    assert size_band_for(Money.of("50000000", "USD")) is SizeBand.LARGE
    assert size_band_for(Money.of("500000000", "USD")) is SizeBand.VERY_LARGE
    with pytest.raises(ValidationFailed) as info:
        size_band_for(Money.of("1", "EUR"))
    assert info.value.code == "currency_mismatch"


def test_master_scale() -> None:
    assert len(GRADE_LABELS) == len(PD_MASTER_SCALE) == 20
    assert len(GRADE_FLOORS) == 19
    assert all(a < b for a, b in itertools.pairwise(PD_MASTER_SCALE))
    assert pd_for_grade(10) == Decimal("0.0027")
    assert grade_for_score(100) == 1
    assert grade_for_score(90) == 1
    assert grade_for_score(89) == 2
    assert grade_for_score(0) == 19
    for bad in (0, 21, True):
        with pytest.raises(ValidationFailed):
            pd_for_grade(bad)


@given(st.integers(1, 20), st.integers(1, 20))
def test_pd_monotone_in_grade(a: int, b: int) -> None:
    if a < b:
        assert pd_for_grade(a) < pd_for_grade(b)


# --- worse inputs never give a better grade, all else equal -----------------------------

_ratio = st.decimals(min_value=0, max_value=10, places=2)
_signed = st.decimals(min_value=-1, max_value=1, places=3)
_events = st.frozensets(st.sampled_from(list(AdverseEvent)))
_profiles = st.builds(
    BuyerProfile,
    country_class=st.sampled_from([0, 1, 2, 3, 4, 5, 6, 7, None]),
    company_type=st.sampled_from(list(CompanyType)),
    size=st.sampled_from(list(SizeBand)),
    sector=st.sampled_from(list(Sector)),
    current_ratio=st.none() | _ratio,
    debt_to_equity=st.none() | _ratio,
    negative_equity=st.booleans(),
    net_margin=st.none() | _signed,
    interest_cover=st.none() | st.decimals(min_value=-5, max_value=50, places=1),
    days_beyond_terms=st.none() | st.integers(0, 400),
    overdue_reports=st.integers(0, 10),
    adverse_events=_events,
)
_COUNTRY_ORDER = [0, 1, 2, 3, 4, 5, None, 6, 7]  # unclassified sits between 5 and 6


def _worse(profile: BuyerProfile, data: st.DataObject) -> BuyerProfile:
    """The same profile with one input made worse (or equal)."""
    factor = data.draw(
        st.sampled_from(["country", "overdue", "dbt", "current", "de", "margin", "cover", "events"])
    )
    p = profile
    if factor == "country":
        i = _COUNTRY_ORDER.index(p.country_class)
        return dataclasses.replace(p, country_class=data.draw(st.sampled_from(_COUNTRY_ORDER[i:])))
    if factor == "overdue":
        return dataclasses.replace(
            p, overdue_reports=p.overdue_reports + data.draw(st.integers(0, 5))
        )
    if factor == "dbt" and p.days_beyond_terms is not None:
        return dataclasses.replace(
            p, days_beyond_terms=p.days_beyond_terms + data.draw(st.integers(0, 100))
        )
    if factor == "current" and p.current_ratio is not None:
        return dataclasses.replace(
            p,
            current_ratio=data.draw(st.decimals(min_value=0, max_value=p.current_ratio, places=2)),
        )
    if factor == "de" and p.debt_to_equity is not None and not p.negative_equity:
        return dataclasses.replace(
            p,
            debt_to_equity=p.debt_to_equity
            + data.draw(st.decimals(min_value=0, max_value=5, places=2)),
        )
    if factor == "margin" and p.net_margin is not None:
        return dataclasses.replace(
            p, net_margin=p.net_margin - data.draw(st.decimals(min_value=0, max_value=1, places=3))
        )
    if factor == "cover" and p.interest_cover is not None:
        return dataclasses.replace(
            p,
            interest_cover=p.interest_cover
            - data.draw(st.decimals(min_value=0, max_value=10, places=1)),
        )
    if factor == "events":
        return dataclasses.replace(p, adverse_events=p.adverse_events | data.draw(_events))
    return p


@given(_profiles, st.data())
def test_worse_inputs_never_give_a_better_grade(profile: BuyerProfile, data: st.DataObject) -> None:
    worse = _worse(profile, data)
    before, after = rate_buyer(profile), rate_buyer(worse)
    assert after.score <= before.score
    assert after.grade >= before.grade
    assert after.pd >= before.pd


@given(_profiles)
def test_contributions_add_up_to_the_score(profile: BuyerProfile) -> None:
    rating = rate_buyer(profile)
    raw = 50 + sum(c.points for c in rating.contributions)
    assert rating.score == max(0, min(100, raw))
    assert rating.pd == pd_for_grade(rating.grade)
    assert rating.hard_stop == bool(
        profile.adverse_events & {AdverseEvent.INSOLVENCY_FILING, AdverseEvent.SANCTIONS_HIT}
    )


# --- banks ------------------------------------------------------------------------------


def _bank(**changes: object) -> BankProfile:
    base = BankProfile(
        country_class=1,
        rank=120,
        total_assets=Money.of("250000000000", "USD"),
        capital_adequacy_ratio=Decimal("0.135"),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_worked_example_bank() -> None:
    rating = rate_bank(_bank())
    assert _points(rating) == {
        "country_class": 12,
        "rank": 8,
        "total_assets": 5,
        "capital_adequacy_ratio": 3,
        "defaults_on_record": 2,
    }
    assert (rating.score, rating.grade, rating.grade_label) == (80, 3, "AA")
    assert rating.model_version == MODEL_VERSION


def test_weak_bank_and_sanctioned_bank() -> None:
    weak = rate_bank(
        _bank(
            country_class=6,
            rank=None,
            total_assets=Money.of("5e8", "USD"),
            capital_adequacy_ratio=Decimal("0.07"),
            defaults_on_record=3,
        )
    )
    assert _points(weak) == {
        "country_class": -12,
        "rank": -6,
        "total_assets": -5,
        "capital_adequacy_ratio": -15,
        "defaults_on_record": -20,
    }
    assert (weak.score, weak.grade) == (0, 19)
    sanctioned = rate_bank(_bank(adverse_events=frozenset({AdverseEvent.SANCTIONS_HIT})))
    assert (sanctioned.hard_stop, sanctioned.grade) == (True, 20)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"rank": 0}, "invalid_rank"),
        ({"capital_adequacy_ratio": Decimal("-0.1")}, "invalid_ratio"),
        ({"defaults_on_record": -1}, "invalid_defaults_on_record"),
        ({"total_assets": Money.of("1", "EUR")}, "currency_mismatch"),
    ],
)
def test_bad_bank_inputs(changes: dict[str, object], code: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        rate_bank(_bank(**changes))
    assert info.value.code == code


@given(st.integers(1, 1500), st.integers(0, 500))
def test_lower_bank_rank_never_rates_better(rank: int, drop: int) -> None:
    assert rate_bank(_bank(rank=rank + drop)).grade >= rate_bank(_bank(rank=rank)).grade
    assert rate_bank(_bank(rank=None)).grade >= rate_bank(_bank(rank=rank)).grade

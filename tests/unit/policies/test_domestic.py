"""The domestic trade credit product's own rules, pure ([domain DT-1] to [domain DT-6])."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money
from tradecover.policies.domestic import (
    DOMESTIC_CLAIM_TERMS,
    DOMESTIC_RATE_TABLE,
    DomesticBuyerForeign,
    DomesticCountryUnknown,
    DomesticCurrencyNotLocal,
    DomesticPoliticalCause,
    DomesticRateTableRequired,
    check_domestic_buyer,
    check_domestic_cause,
    check_local_currency,
    claim_terms_of_product,
    domestic_application_countries,
    domestic_foreign_buyer,
    domestic_schedule,
    home_country,
    is_domestic,
    schedule_wording,
)
from tradecover.policies.schedule import (
    ClaimTermsSchedule,
    DeclarationFrequency,
    InsurableScope,
    PolicySchedule,
    Product,
)
from tradecover.reference.countries import local_currencies

DT = Product.DOMESTIC_TRADE_CREDIT
ST = Product.SHORT_TERM_COMPREHENSIVE
HOME = InsurableScope(destination_countries=("CN",))


def _schedule(**over: object) -> PolicySchedule:
    base = PolicySchedule(
        currency="CNY",
        expected_turnover=Money.of("80000000", "CNY"),
        maximum_liability=Money.of("30000000", "CNY"),
        indemnity_commercial_pct=Decimal(90),
        indemnity_political_pct=Decimal(90),
        declaration_frequency=DeclarationFrequency.MONTHLY,
        rate_table=DOMESTIC_RATE_TABLE,
        base_rate_pct=Decimal("0.40"),
    )
    return replace(base, **over)  # type: ignore[arg-type]


def test_only_the_domestic_product_is_domestic() -> None:
    assert is_domestic(DT) and is_domestic("domestic_trade_credit")
    assert not is_domestic(ST) and not is_domestic(Product.INVESTMENT_DEBT)


def test_a_domestic_policy_covers_buyers_at_home_only() -> None:
    # [domain DT-1]
    assert domestic_foreign_buyer(DT, HOME, "CN", field="buyer_id") is None
    refusal = domestic_foreign_buyer(DT, HOME, "DE", field="buyer_id")
    assert isinstance(refusal, DomesticBuyerForeign)
    assert (refusal.code, refusal.field, refusal.status) == (
        "domestic_buyer_foreign",
        "buyer_id",
        422,
    )
    assert refusal.details["home_country"] == "CN"
    assert domestic_foreign_buyer(DT, HOME, None, field="buyer_id") is not None
    with pytest.raises(DomesticBuyerForeign):
        check_domestic_buyer(DT, HOME, "US", field="buyer_id")
    # an export policy refuses nobody here: its scope decides cover
    assert domestic_foreign_buyer(ST, HOME, "DE", field="buyer_id") is None
    check_domestic_buyer(ST, InsurableScope(), "DE", field="buyer_id")


def test_the_home_country_is_the_one_country_of_the_scope() -> None:
    assert home_country(HOME) == "CN"
    assert home_country(InsurableScope()) is None
    assert home_country(InsurableScope(destination_countries=("CN", "KR"))) is None


def test_an_application_takes_the_insured_country_and_its_currency() -> None:
    # [domain DT-1], [domain DT-2]
    assert domestic_application_countries("CN", "CNY", []) == ["CN"]
    assert domestic_application_countries("KR", "KRW", ["KR"]) == ["KR"]
    with pytest.raises(DomesticBuyerForeign) as foreign:
        domestic_application_countries("CN", "CNY", ["CN", "DE"])
    assert foreign.value.field == "destination_countries[1]"
    with pytest.raises(DomesticCurrencyNotLocal) as currency:
        domestic_application_countries("CN", "USD", [])
    assert currency.value.details["local_currencies"] == ["CNY"]
    with pytest.raises(DomesticCountryUnknown):
        domestic_application_countries(None, "CNY", [])


def test_local_currencies_come_from_the_iso_data() -> None:
    # [domain DT-2]
    assert local_currencies("CN") == ("CNY",)
    assert local_currencies("KR") == ("KRW",)
    assert local_currencies("DE") == ("EUR",)
    assert "INR" in local_currencies("BT") and "BTN" in local_currencies("BT")
    assert check_local_currency("BT", "BTN") == "BTN"
    with pytest.raises(DomesticCurrencyNotLocal):
        check_local_currency("DE", "USD")
    with pytest.raises(ValidationFailed) as unknown:
        local_currencies("XX")
    assert unknown.value.code == "unknown_country"


def test_the_domestic_schedule_is_local_home_and_on_a_domestic_table() -> None:
    # [domain DT-1], [domain DT-2], [domain DT-4]
    checked = domestic_schedule(_schedule(), "CN")
    assert checked.scope.destination_countries == ("CN",)
    home = _schedule(scope=InsurableScope(destination_countries=("CN",)))
    assert domestic_schedule(home, "CN") == home
    with pytest.raises(DomesticBuyerForeign) as foreign:
        domestic_schedule(_schedule(scope=InsurableScope(destination_countries=("DE",))), "CN")
    assert foreign.value.field == "scope.destination_countries[0]"
    with pytest.raises(DomesticBuyerForeign):
        domestic_schedule(_schedule(scope=InsurableScope(excluded_countries=("CN",))), "CN")
    with pytest.raises(DomesticRateTableRequired) as table:
        domestic_schedule(_schedule(rate_table="ST-2026"), "CN")
    assert (table.value.code, table.value.field) == ("domestic_rate_table_required", "rate_table")
    usd = _schedule(
        currency="USD",
        expected_turnover=Money.of("1000000", "USD"),
        maximum_liability=Money.of("400000", "USD"),
    )
    with pytest.raises(DomesticCurrencyNotLocal):
        domestic_schedule(usd, "CN")


@pytest.mark.parametrize(
    ("cause", "political"),
    [
        ("transfer_restriction", True),
        ("import_ban", True),
        ("war", True),
        ("other_political", True),
        ("political", True),
    ],
)
def test_a_political_cause_is_refused_on_a_domestic_policy(cause: str, political: bool) -> None:
    # [domain DT-3]
    with pytest.raises(DomesticPoliticalCause) as refused:
        check_domestic_cause(DT, cause=cause, political=political, field="cause")
    assert (refused.value.code, refused.value.status) == ("domestic_political_cause", 422)
    check_domestic_cause(ST, cause=cause, political=political, field="cause")


@pytest.mark.parametrize("cause", ["insolvency", "protracted_default", "refusal_of_goods"])
def test_commercial_causes_stand_on_a_domestic_policy(cause: str) -> None:
    check_domestic_cause(DT, cause=cause, political=False, field="cause")


def test_the_domestic_claim_terms_fill_what_the_policy_leaves_unset() -> None:
    # [domain DT-6]
    filled = claim_terms_of_product(DT, ClaimTermsSchedule())
    assert filled.waiting_period_days == DOMESTIC_CLAIM_TERMS.waiting_period_days == 90
    assert filled.claim_filing_days == 120
    assert filled.waiting_on_insolvency is False
    assert filled.second_approval_above is None  # the installation's
    own = ClaimTermsSchedule(waiting_period_days=30, claim_filing_days=200)
    mine = claim_terms_of_product(DT, own)
    assert (mine.waiting_period_days, mine.claim_filing_days) == (30, 200)
    assert claim_terms_of_product(ST, ClaimTermsSchedule()) == ClaimTermsSchedule()


def test_the_schedule_wording_is_the_product_s_own() -> None:
    # [domain DT-5]
    domestic, export = schedule_wording(DT), schedule_wording(ST)
    assert domestic.title == "Domestic trade credit insurance"
    assert "own country" in domestic.insured_sales
    assert "political risks are not covered" in domestic.risks
    assert "political" in export.risks and "not covered" not in export.risks

"""The EU short-term rule set, rule by rule and at its boundaries [domain MK-1]..[domain MK-5],
the rule set as data [domain MK-6] and the routing rule [domain MK-8] [domain MK-9].
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money
from tradecover.market.rules import (
    BASIS_COMMERCIAL,
    BASIS_MARKET_DECLINED,
    BASIS_NON_MARKETABLE,
    MARKETABLE,
    NON_MARKETABLE,
    Risk,
    check_routing,
    classify,
    classify_destinations,
    parse_rule_set,
    shipped_rule_set,
    shipped_rule_set_data,
)

EU = shipped_rule_set()
EU27 = sorted(EU.groups["eu"])
CORE_OECD = sorted(EU.groups["core_oecd"])


def risk(
    country: str = "DE",
    days: int = 180,
    turnover: str = "5000000",
    currency: str = "EUR",
    types: frozenset[str] = frozenset({"commercial", "political"}),
) -> Risk:
    """A short-term risk; the defaults are marketable under the EU rule."""
    return Risk(country, days, types, Money.of(turnover, currency))


def test_the_shipped_rule_set_is_version_1_of_the_eu_rule() -> None:
    assert EU.version == 1
    assert EU.name == "EU short-term export credit (2012/C 392/01 as amended)"
    assert [r.id for r in EU.rules] == [
        "EU-STEC-PERIOD",
        "EU-STEC-COUNTRIES",
        "EU-STEC-TEMPORARY",
        "EU-STEC-SME",
        "EU-STEC-MARKETABLE",
    ]
    assert [r.domain for r in EU.rules] == ["MK-2", "MK-3", "MK-4", "MK-5", "MK-1"]
    assert len(EU27) == 27 and "GB" not in EU27
    assert CORE_OECD == ["AU", "CA", "CH", "IS", "JP", "NO", "NZ", "US"]


def test_a_short_term_risk_on_an_eu_buyer_is_marketable() -> None:
    # [domain MK-1]
    decision = classify(risk(), EU)
    assert (decision.outcome, decision.rule.id, decision.rule_set_version) == (
        MARKETABLE,
        "EU-STEC-MARKETABLE",
        1,
    )
    assert decision.marketable is True
    assert decision.rule.citation.startswith("2012/C 392/01, definition of marketable risks")


@pytest.mark.parametrize(("days", "outcome"), [(729, MARKETABLE), (730, NON_MARKETABLE)])
def test_two_years_is_the_boundary(days: int, outcome: str) -> None:
    # [domain MK-2]: under two years (729 days) is marketable, exactly two years is not
    decision = classify(risk(days=days), EU)
    assert decision.outcome == outcome
    assert decision.rule.id == ("EU-STEC-PERIOD" if days == 730 else "EU-STEC-MARKETABLE")


@pytest.mark.parametrize(
    ("country", "outcome", "rule"),
    [
        ("JP", MARKETABLE, "EU-STEC-MARKETABLE"),
        ("US", MARKETABLE, "EU-STEC-MARKETABLE"),
        ("KR", NON_MARKETABLE, "EU-STEC-COUNTRIES"),  # an OECD member not on the list
        ("TR", NON_MARKETABLE, "EU-STEC-COUNTRIES"),
        ("CN", NON_MARKETABLE, "EU-STEC-COUNTRIES"),
        ("GB", NON_MARKETABLE, "EU-STEC-COUNTRIES"),
    ],
)
def test_listed_oecd_countries_only(country: str, outcome: str, rule: str) -> None:
    # [domain MK-3]
    decision = classify(risk(country=country), EU)
    assert (decision.outcome, decision.rule.id) == (outcome, rule)


@given(st.sampled_from(EU27 + CORE_OECD), st.integers(1, 729))
def test_every_listed_country_is_marketable_under_two_years(country: str, days: int) -> None:
    # [domain MK-1] [domain MK-3]
    assert classify(risk(country=country, days=days), EU).outcome == MARKETABLE


def _with_temporary(countries: list[str]) -> dict[str, Any]:
    data = copy.deepcopy(shipped_rule_set_data())
    data["rules"][2]["countries"] = countries
    return data


def test_a_temporarily_non_marketable_country() -> None:
    # [domain MK-4]: Greece declared temporarily non-marketable, France is not
    rules = parse_rule_set(_with_temporary(["GR"]), version=2)
    greek = classify(risk(country="GR"), rules)
    assert (greek.outcome, greek.rule.id, greek.rule_set_version) == (
        NON_MARKETABLE,
        "EU-STEC-TEMPORARY",
        2,
    )
    assert classify(risk(country="FR"), rules).outcome == MARKETABLE


@pytest.mark.parametrize(
    ("turnover", "outcome"),
    [("2000000.00", NON_MARKETABLE), ("2000000.01", MARKETABLE), ("0", NON_MARKETABLE)],
)
def test_the_sme_escape_clause_at_eur_2_million(turnover: str, outcome: str) -> None:
    # [domain MK-5]: not exceeding EUR 2 million is the escape
    decision = classify(risk(turnover=turnover), EU)
    assert decision.outcome == outcome
    assert decision.rule.id == (
        "EU-STEC-SME" if outcome == NON_MARKETABLE else "EU-STEC-MARKETABLE"
    )


def test_a_turnover_in_another_currency_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        classify(risk(currency="USD"), EU)
    assert (caught.value.code, caught.value.field) == ("turnover_currency", "export_turnover")


def test_the_first_matching_rule_decides() -> None:
    # a long risk on a Chinese buyer by a small exporter: the period rule comes first
    decision = classify(risk(country="CN", days=900, turnover="1"), EU)
    assert decision.rule.id == "EU-STEC-PERIOD"


@pytest.mark.parametrize(
    ("bad", "code", "field"),
    [
        (risk(country="XX"), "invalid_country", "buyer_country"),
        (risk(days=0), "invalid_risk_period", "risk_period"),
        (risk(types=frozenset()), "invalid_risk_types", "risk_types"),
        (risk(types=frozenset({"war"})), "invalid_risk_types", "risk_types"),
        (risk(turnover="-1"), "invalid_turnover", "export_turnover"),
    ],
)
def test_a_risk_the_rules_cannot_classify_is_refused(bad: Risk, code: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        classify(bad, EU)
    assert (caught.value.code, caught.value.field) == (code, field)


def _broken(path: str, value: object) -> dict[str, Any]:
    data = copy.deepcopy(shipped_rule_set_data())
    target: Any = data
    *head, last = path.split(".")
    for key in head:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return data


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_broken("groups.eu", ["DE", "ZZ"]), "groups.eu"),
        (_broken("rules.0.kind", "astrology"), "rules[0].kind"),
        (_broken("rules.0.outcome", "maybe"), "rules[0].outcome"),
        (_broken("rules.0.days", 0), "rules[0].days"),
        (_broken("rules.1.groups", ["asean"]), "rules[1].groups"),
        (_broken("rules.2.countries", ["ZZ"]), "rules[2].countries"),
        (_broken("rules.3.currency", "XYZ"), "rules[3]"),
        (_broken("rules.4.kind", "buyer_country_in"), "rules[4].countries"),
        (_broken("rules.4.citation", " "), "rules[4].citation"),
        (_broken("rules.4.id", "EU-STEC-SME"), "rules"),
        (_broken("rules", []), "rules"),
        (_broken("version", 0), "version"),
    ],
)
def test_a_rule_set_that_could_not_be_applied_is_refused(data: object, field: str) -> None:
    # [domain MK-6]
    with pytest.raises(ValidationFailed) as caught:
        parse_rule_set(data)
    assert (caught.value.code, caught.value.field) == ("invalid_rule_set", field)


def test_the_last_rule_must_be_otherwise() -> None:
    data = copy.deepcopy(shipped_rule_set_data())
    data["rules"] = data["rules"][:-1]
    with pytest.raises(ValidationFailed) as caught:
        parse_rule_set(data)
    assert caught.value.field == "rules"


def test_routing_to_a_commercial_insurer_is_always_allowed() -> None:
    # [domain MK-8]
    for marketable in (True, False):
        assert (
            check_routing(
                marketable=marketable,
                to_last_resort=False,
                commercial_insurers=frozenset({7}),
                declined_by=frozenset(),
            )
            == BASIS_COMMERCIAL
        )


def test_non_marketable_risk_goes_to_the_last_resort() -> None:
    # [domain MK-9]
    basis = check_routing(
        marketable=False,
        to_last_resort=True,
        commercial_insurers=frozenset({7, 8}),
        declined_by=frozenset(),
    )
    assert basis == BASIS_NON_MARKETABLE


@pytest.mark.parametrize(
    ("insurers", "declined", "missing"),
    [({7, 8}, set(), [7, 8]), ({7, 8}, {7}, [8]), (set(), set(), [])],
)
def test_marketable_risk_at_the_last_resort_needs_every_decline(
    insurers: set[int], declined: set[int], missing: list[int]
) -> None:
    # [domain MK-8]
    with pytest.raises(ValidationFailed) as caught:
        check_routing(
            marketable=True,
            to_last_resort=True,
            commercial_insurers=frozenset(insurers),
            declined_by=frozenset(declined),
        )
    assert caught.value.code == "market_declines_missing"
    assert caught.value.status == 422
    assert caught.value.details == {"missing_declines": missing}


def test_marketable_risk_at_the_last_resort_once_the_market_declined() -> None:
    # [domain MK-8] [domain MK-10]
    basis = check_routing(
        marketable=True,
        to_last_resort=True,
        commercial_insurers=frozenset({7, 8}),
        declined_by=frozenset({7, 8}),
    )
    assert basis == BASIS_MARKET_DECLINED


@pytest.mark.parametrize(
    ("countries", "decider", "outcome"),
    [
        (["DE", "FR", "US"], "DE", MARKETABLE),
        (["DE", "CN", "KR"], "CN", NON_MARKETABLE),
        (["KR"], "KR", NON_MARKETABLE),
    ],
)
def test_an_application_is_marketable_only_when_every_destination_is(
    countries: list[str], decider: str, outcome: str
) -> None:
    # [domain MK-16]
    chosen, decision = classify_destinations([risk(country=c) for c in countries], EU)
    assert (chosen.buyer_country, decision.outcome) == (decider, outcome)


@given(st.lists(st.sampled_from(EU27 + CORE_OECD + ["CN", "KR", "GB"]), min_size=1, max_size=6))
def test_one_non_marketable_destination_makes_the_application_non_marketable(
    countries: list[str],
) -> None:
    # [domain MK-16]
    _, decision = classify_destinations([risk(country=c) for c in countries], EU)
    each = [classify(risk(country=c), EU).marketable for c in countries]
    assert decision.marketable is all(each)

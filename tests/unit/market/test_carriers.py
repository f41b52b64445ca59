"""Double insurance rules [000]: the carriers [domain MK-12], the premium split by rate to
the minor unit [domain MK-13] (Hypothesis for the money law), claims by cause within each
carrier's own limit [domain MK-14].
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.claims import LossCause
from tradecover.kit.money import Money
from tradecover.market.carriers import (
    CAUSES,
    COMMERCIAL,
    POLITICAL,
    Carrier,
    CarrierLimitExceeded,
    DoubleInsuranceInvalid,
    carrier_of,
    check_within_limit,
    remaining,
    split_by_rate,
    validate_carriers,
)

ALPHA, STATE = 7, 1
POLICY_LIMIT = Money.of("5000000", "USD")


def _pair(c_rate: str = "0.30", p_rate: str = "0.15", **over: Any) -> list[Carrier]:
    commercial = Carrier(COMMERCIAL, ALPHA, Decimal(c_rate), Money.of("3000000", "USD"))
    political = Carrier(POLITICAL, STATE, Decimal(p_rate), Money.of("2000000", "USD"))
    return [over.get("commercial", commercial), over.get("political", political)]


def _validate(carriers: list[Carrier], rate: str = "0.45") -> None:
    validate_carriers(
        carriers,
        commercial_insurers=[ALPHA, 8],
        last_resort=STATE,
        schedule_rate_pct=Decimal(rate),
        maximum_liability=POLICY_LIMIT,
    )


def test_a_commercial_and_a_political_carrier_whose_rates_add_up_are_valid() -> None:
    # [domain MK-12]
    _validate(_pair())
    _validate(list(reversed(_pair())))


@pytest.mark.parametrize(
    ("carriers", "code", "field"),
    [
        (_pair()[:1], "carriers_incomplete", "carriers"),
        ([_pair()[0], _pair()[0]], "carriers_incomplete", "carriers"),
        (
            _pair(commercial=Carrier(COMMERCIAL, STATE, Decimal("0.30"), Money.of(1, "USD"))),
            "not_a_commercial_insurer",
            "commercial.insurer_org_id",
        ),
        (
            _pair(political=Carrier(POLITICAL, 8, Decimal("0.15"), Money.of(1, "USD"))),
            "political_not_last_resort",
            "political.insurer_org_id",
        ),
        (_pair("0.30", "0.14"), "carrier_rates_mismatch", "carriers"),
        (_pair("0.45", "0"), "invalid_carrier_rate", "political.rate_pct"),
        (_pair("0.30", "0.14995"), "invalid_carrier_rate", "political.rate_pct"),
        (
            _pair(political=Carrier(POLITICAL, STATE, Decimal("0.15"), Money.of(1, "EUR"))),
            "currency_mismatch",
            "political.maximum_liability",
        ),
        (
            _pair(
                commercial=Carrier(
                    COMMERCIAL, ALPHA, Decimal("0.30"), Money.of("5000000.01", "USD")
                )
            ),
            "carrier_limit_exceeds_policy",
            "commercial.maximum_liability",
        ),
    ],
)
def test_bad_carriers_are_refused_with_the_rule_code(
    carriers: list[Carrier], code: str, field: str
) -> None:
    # [domain MK-12]
    with pytest.raises(DoubleInsuranceInvalid) as refused:
        _validate(carriers)
    assert (refused.value.code, refused.value.field, refused.value.status) == (code, field, 422)


def test_without_an_insurer_of_last_resort_nobody_carries_political_risk() -> None:
    with pytest.raises(DoubleInsuranceInvalid, match="none registered"):
        validate_carriers(
            _pair(),
            commercial_insurers=[ALPHA],
            last_resort=None,
            schedule_rate_pct=Decimal("0.45"),
            maximum_liability=POLICY_LIMIT,
        )


def test_the_premium_is_split_by_rate_and_the_cent_left_goes_to_the_larger_remainder() -> None:
    # [domain MK-13]: 134.02 x 2/3 = 89.3467, x 1/3 = 44.6733
    assert split_by_rate(13402, _pair()) == {COMMERCIAL: 8935, POLITICAL: 4467}
    # a tie goes to the commercial carrier: 1 cent at equal rates
    assert split_by_rate(1, _pair("0.20", "0.20")) == {COMMERCIAL: 1, POLITICAL: 0}
    # a credit is split as its absolute value, negated
    assert split_by_rate(-13402, _pair()) == {COMMERCIAL: -8935, POLITICAL: -4467}
    assert split_by_rate(0, _pair()) == {COMMERCIAL: 0, POLITICAL: 0}


@given(
    amount=st.integers(min_value=-(10**15), max_value=10**15),
    c_rate=st.decimals(min_value="0.0001", max_value="10", places=4),
    p_rate=st.decimals(min_value="0.0001", max_value="10", places=4),
)
def test_the_parts_always_sum_to_the_whole_within_a_cent_of_the_exact_part(
    amount: int, c_rate: Decimal, p_rate: Decimal
) -> None:
    # [domain MK-13]
    carriers = _pair(str(c_rate), str(p_rate))
    parts = split_by_rate(amount, carriers)
    assert sum(parts.values()) == amount
    total = c_rate + p_rate
    for carrier in carriers:
        exact = Decimal(amount) * carrier.rate_pct / total
        assert abs(Decimal(parts[carrier.risk_class]) - exact) < 1
        assert parts[carrier.risk_class] * amount >= 0  # never the other sign


def test_a_claim_goes_to_the_carrier_of_its_class_within_its_own_limit() -> None:
    # [domain MK-14]
    carriers = _pair()
    commercial = carrier_of(COMMERCIAL, carriers)
    assert commercial.insurer_org_id == ALPHA
    assert carrier_of(POLITICAL, carriers).insurer_org_id == STATE
    check_within_limit(commercial, paid_minor=200_000_000, claim_minor=100_000_000)  # exactly
    with pytest.raises(CarrierLimitExceeded) as refused:
        check_within_limit(commercial, paid_minor=200_000_000, claim_minor=100_000_001)
    assert (refused.value.status, refused.value.code) == (409, "carrier_limit_exceeded")
    assert refused.value.details["remaining_minor"] == 100_000_000
    assert remaining(commercial, 250_000_000) == Money.of("500000", "USD")
    with pytest.raises(ValueError, match="no political carrier"):
        carrier_of(POLITICAL, carriers[:1])


def test_the_causes_of_each_class_are_those_the_claims_context_gives_it() -> None:
    # [domain MK-14]: a claim's cause decides its carrier
    assert {c: set(v) for c, v in CAUSES.items()} == {
        COMMERCIAL: {c.value for c in LossCause if c.risk_type.value == COMMERCIAL},
        POLITICAL: {c.value for c in LossCause if c.risk_type.value == POLITICAL},
    }

"""Coinsurance rules: participations validated [domain CO-1] to [domain CO-4], and the split
of any amount by share to the minor unit [domain CO-6] (Hypothesis properties).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.coinsurance import (
    CoinsuranceInvalid,
    ParticipantRole,
    Participation,
    effective_on,
    split_minor,
    split_money,
    validate,
)
from tradecover.kit.money import Money

LEAD, F1, F2 = 1, 7, 9
JAN = date(2026, 1, 1)
LEAD_ROLE, FOLLOWER = ParticipantRole.LEAD, ParticipantRole.FOLLOWER


def part(
    org: int,
    share: str,
    role: ParticipantRole = FOLLOWER,
    start: date = JAN,
    end: date | None = None,
) -> Participation:
    return Participation(org, role, Decimal(share), start, end)


THREE = [part(LEAD, "33.34", LEAD_ROLE), part(F1, "33.33"), part(F2, "33.33")]


def check(parts: list[Participation]) -> None:
    validate(parts, issuing_insurer_id=LEAD, eligible_org_ids=[LEAD, F1, F2])


def code_of(parts: list[Participation]) -> str:
    with pytest.raises(CoinsuranceInvalid) as err:
        check(parts)
    return err.value.code


def test_a_valid_set_and_the_empty_set_pass() -> None:
    check(THREE)
    check([])
    # a change of shares mid-year: the follower's share moves, every date still sums to 100
    check(
        [
            part(LEAD, "60", LEAD_ROLE),
            part(F1, "40", end=date(2026, 6, 30)),
            part(F1, "20", start=date(2026, 7, 1)),
            part(F2, "20", start=date(2026, 7, 1)),
        ]
    )


@pytest.mark.parametrize(
    ("parts", "code"),
    [
        ([part(LEAD, "50", LEAD_ROLE), part(F1, "49.99")], "shares_do_not_sum_to_100"),
        (
            [part(LEAD, "60", LEAD_ROLE), part(F1, "40", end=date(2026, 6, 30))],
            "shares_do_not_sum_to_100",
        ),
        ([part(LEAD, "50", LEAD_ROLE), part(F1, "50.001")], "share_out_of_range"),
        ([part(LEAD, "100", LEAD_ROLE), part(F1, "0")], "share_out_of_range"),
        ([part(LEAD, "50"), part(F1, "50")], "exactly_one_lead"),
        ([part(F1, "50", LEAD_ROLE), part(LEAD, "50")], "lead_not_issuing_insurer"),
        ([part(LEAD, "50", LEAD_ROLE), part(99, "50")], "participant_not_insurer"),
        (
            [
                part(LEAD, "50", LEAD_ROLE),
                part(F1, "25", end=date(2026, 6, 30)),
                part(F1, "25", start=date(2026, 6, 30)),
            ],
            "participation_overlaps",
        ),
        (
            [part(LEAD, "100", LEAD_ROLE, end=date(2025, 1, 1))],
            "participation_period_reversed",
        ),
    ],
)
def test_bad_sets_are_refused_with_their_rule_code(parts: list[Participation], code: str) -> None:
    assert code_of(parts) == code


def test_effective_on_puts_the_lead_first() -> None:
    assert [p.org_id for p in effective_on(reversed(THREE), JAN)] == [LEAD, F1, F2]
    assert effective_on(THREE, date(2025, 12, 31)) == []


def test_an_odd_cent_goes_to_the_largest_remainder_and_ties_to_the_lead() -> None:
    # 100.01 at 33.34/33.33/33.33: exact 33.343334, 33.333333, 33.333333 cents...
    assert [p.amount_minor for p in split_minor(10001, THREE)] == [3335, 3333, 3333]
    # 1 cent among three equal-remainder shares: the lead takes it
    equal = [part(LEAD, "40", LEAD_ROLE), part(F1, "30"), part(F2, "30")]
    assert [p.amount_minor for p in split_minor(1, equal)] == [1, 0, 0]
    assert [p.amount_minor for p in split_minor(2, equal)] == [1, 1, 0]
    # a credit is the negated split of its absolute value
    assert [p.amount_minor for p in split_minor(-10001, THREE)] == [-3335, -3333, -3333]


def test_split_money_uses_the_currency_minor_unit() -> None:
    # JPY has no minor unit: 1001 yen, not 1001.00
    parts = split_money(Money(Decimal("1001"), "JPY"), THREE)
    assert parts == [
        (LEAD, Money(Decimal("334"), "JPY")),
        (F1, Money(Decimal("334"), "JPY")),
        (F2, Money(Decimal("333"), "JPY")),
    ]


@st.composite
def share_sets(draw: st.DrawFn) -> list[Participation]:
    """2 to 6 participants whose shares (0.01 % steps, each >= 0.01) sum to 100 %."""
    n = draw(st.integers(2, 6))
    cuts = sorted(draw(st.sets(st.integers(1, 9999), min_size=n - 1, max_size=n - 1)))
    bounds = [0, *cuts, 10000]
    orgs = draw(st.lists(st.integers(2, 10**6), min_size=n, max_size=n, unique=True))
    orgs[0] = 1
    return [
        Participation(
            org,
            LEAD_ROLE if i == 0 else FOLLOWER,
            Decimal(bounds[i + 1] - bounds[i]) / 100,
            JAN,
        )
        for i, org in enumerate(orgs)
    ]


@given(share_sets(), st.integers(-(10**12), 10**12))
def test_parts_sum_to_the_whole_within_one_minor_unit_each(
    shares: list[Participation], amount: int
) -> None:
    validate(shares, issuing_insurer_id=1, eligible_org_ids=[p.org_id for p in shares])
    parts = split_minor(amount, shares)
    assert sum(p.amount_minor for p in parts) == amount
    by_org = {p.org_id: p.share for p in shares}
    for p in parts:
        exact = Decimal(amount) * by_org[p.org_id] / 100
        assert abs(Decimal(p.amount_minor) - exact) < 1
        assert p.amount_minor == 0 or (p.amount_minor > 0) == (amount > 0)


@given(share_sets(), st.integers(-(10**9), 10**9))
def test_the_split_is_deterministic_whatever_the_order_given(
    shares: list[Participation], amount: int
) -> None:
    assert split_minor(amount, shares) == split_minor(amount, list(reversed(shares)))
    assert split_minor(amount, shares)[0].org_id == 1

"""Source [004] (Wu, Wu & Chen 2021, Sinosure): overseas investment debt insurance premium.

[004] gives its model symbolically (section 4.3, Table 2, Figure 2's four repayment
periods); the figures below instantiate it with a four-period loan, hand-computed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradecover.kit.errors import ValidationFailed
from tradecover.pricing.investment_debt import (
    IndemnitySettlement,
    InvestmentDebtQuoteRequest,
    PremiumStatus,
    RepaymentPeriod,
    compare_full_and_partial_cover,
    cover_in_force,
    parse_quote_request,
    partial_cover_max_insured_amount,
    premium_due_date,
    premium_status,
    premiums_due_before_indemnity,
    quote_investment_debt,
    quote_investment_debt_json,
    repayment_premium_identity,
)

# Figure 2 of [004]: four repayment periods; equal instalments a_n = 2.5m, interest at
# 6 % on the balance at the start of each period, p = 0.85 % per period.
FIGURE_2_LOAN: dict[str, Any] = {
    "currency": "USD",
    "rate": "0.0085",
    "repayment_periods": [
        {"principal": "2500000.00", "interest": "600000.00"},
        {"principal": "2500000.00", "interest": "450000.00"},
        {"principal": "2500000.00", "interest": "300000.00"},
        {"principal": "2500000.00", "interest": "150000.00"},
    ],
}


def _quote(**changes: Any) -> dict[str, Any]:
    return quote_investment_debt_json({**FIGURE_2_LOAN, **changes})


def test_scheme_1_full_cover_section_4_3() -> None:
    # Period t insures sum_{n>=t} a_n + I_t (section 4.3, scheme 1).
    assert _quote() == {
        "currency": "USD",
        "periods": [
            {
                "index": 1,
                "phase": "repayment",
                "insured_amount": "10600000.00",
                "premium": "90100.00",
            },
            {
                "index": 2,
                "phase": "repayment",
                "insured_amount": "7950000.00",
                "premium": "67575.00",
            },
            {
                "index": 3,
                "phase": "repayment",
                "insured_amount": "5300000.00",
                "premium": "45050.00",
            },
            {
                "index": 4,
                "phase": "repayment",
                "insured_amount": "2650000.00",
                "premium": "22525.00",
            },
        ],
        "total_premium": "225250.00",
    }


def test_identity_section_4_3_on_figure_2_loan() -> None:
    # sum_n (n a_n + I_n) p = (25,000,000 + 1,500,000) x 0.0085 = 225,250.
    request = parse_quote_request(FIGURE_2_LOAN)
    identity = repayment_premium_identity(request.repayment_periods, rate=request.rate)
    assert identity == Decimal("225250.0000")
    assert quote_investment_debt(request).total_premium == Decimal("225250.00")


def test_scheme_2_partial_cover_of_first_two_periods() -> None:
    # Section 4.3, scheme 2 with T3 = 2: period t insures sum_{n=t..T3} a_n + I_t.
    assert _quote(covered_repayment_periods=2)["periods"] == [
        {"index": 1, "phase": "repayment", "insured_amount": "5600000.00", "premium": "47600.00"},
        {"index": 2, "phase": "repayment", "insured_amount": "2950000.00", "premium": "25075.00"},
    ]
    request = parse_quote_request({**FIGURE_2_LOAN, "covered_repayment_periods": 2})
    # (1 x 2.5m + 2 x 2.5m + 600k + 450k) x 0.0085 = 72,675
    assert repayment_premium_identity(
        request.repayment_periods, rate=request.rate, covered_periods=2
    ) == Decimal("72675.0000")
    assert quote_investment_debt(request).total_premium == Decimal("72675.00")
    # Scheme 2's maximum insured amount: sum_{n<=T3} (a_n + I_n).
    assert partial_cover_max_insured_amount(
        request.repayment_periods, covered_periods=2
    ) == Decimal("6050000.00")


def test_table_2_full_versus_partial_cover() -> None:
    rows = compare_full_and_partial_cover(parse_quote_request(FIGURE_2_LOAN))
    assert [(r.covered_periods, r.extra_liability, r.extra_premium) for r in rows] == [
        # T3 = T2-1: T2 a_T2 p + I_T2 p = 4 x 2.5m x 0.0085 + 150k x 0.0085
        (3, Decimal("2650000.00"), Decimal("86275.0000")),
        # T3 = T2-2: + (T2-1) a_{T2-1} p + I_{T2-1} p
        (2, Decimal("5450000.00"), Decimal("152575.0000")),
        # T3 = 1: ... + 2 a_2 p + I_2 p
        (1, Decimal("8400000.00"), Decimal("198900.0000")),
    ]
    for row in rows:
        assert row.full_premium == Decimal("225250.00")
        assert row.full_premium - row.partial_premium == row.extra_premium
    assert Decimal(rows[0].to_json()["extra_premium"]) == Decimal("86275")


def test_drawdown_phase_section_3_2() -> None:
    # Drawn so far at the start + drawn in the period + interest of the period.
    quote = _quote(
        drawdown_periods=[
            {"drawn": "4000000.00", "interest": "120000.00"},
            {"drawn": "6000000.00", "interest": "450000.00"},
        ]
    )
    assert quote["periods"][:2] == [
        {"index": 1, "phase": "drawdown", "insured_amount": "4120000.00", "premium": "35020.00"},
        {"index": 2, "phase": "drawdown", "insured_amount": "10450000.00", "premium": "88825.00"},
    ]
    assert [p["phase"] for p in quote["periods"]] == ["drawdown"] * 2 + ["repayment"] * 4
    assert quote["total_premium"] == "349095.00"


def test_principal_only_when_interest_not_insured() -> None:
    quote = _quote(
        insure_interest=False,
        drawdown_periods=[
            {"drawn": "4000000.00", "interest": "120000.00"},
            {"drawn": "6000000.00", "interest": "450000.00"},
        ],
    )
    assert [p["insured_amount"] for p in quote["periods"]] == [
        "4000000.00",
        "10000000.00",
        "10000000.00",
        "7500000.00",
        "5000000.00",
        "2500000.00",
    ]


def test_insured_amount_never_above_maximum() -> None:
    quote = _quote(max_insured_amount="8000000.00")
    assert [p["insured_amount"] for p in quote["periods"]] == [
        "8000000.00",
        "7950000.00",
        "5300000.00",
        "2650000.00",
    ]
    assert quote["periods"][0]["premium"] == "68000.00"


def test_premium_rounds_half_up_per_period_then_sums() -> None:
    quote = quote_investment_debt_json(
        {
            "currency": "USD",
            "rate": "0.005",
            "repayment_periods": [
                {"principal": "101.00", "interest": "0"},
                {"principal": "100.00", "interest": "1.00"},
            ],
        }
    )
    # 201 x 0.005 = 1.005 -> 1.01; 101 x 0.005 = 0.505 -> 0.51; total of rounded = 1.52
    assert [p["premium"] for p in quote["periods"]] == ["1.01", "0.51"]
    assert quote["total_premium"] == "1.52"


def test_zero_decimal_currency_rounds_to_units() -> None:
    quote = quote_investment_debt_json(
        {
            "currency": "JPY",
            "rate": "0.0085",
            "repayment_periods": [{"principal": "1000050", "interest": "0"}],
        }
    )
    assert quote["periods"][0]["premium"] == "8500"  # 8500.425 -> 8500


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"currency": "XYZ"}, "currency"),
        ({"rate": "0"}, "rate"),
        ({"rate": "-0.01"}, "rate"),
        ({"rate": "0.9"}, "rate"),
        ({"rate": 0.0085}, "rate"),
        ({"rate": "abc"}, "rate"),
        ({"covered_repayment_periods": 5}, "covered_repayment_periods"),
        ({"covered_repayment_periods": 0}, "covered_repayment_periods"),
        ({"insure_interest": "yes"}, "insure_interest"),
        ({"max_insured_amount": "0"}, "max_insured_amount"),
        ({"repayment_periods": []}, "repayment_periods"),
        ({"repayment_periods": [{"principal": "0", "interest": "5.00"}]}, "repayment_periods"),
        (
            {
                "repayment_periods": [
                    {"principal": "1.00"},
                    {"principal": "1.00"},
                    {"principal": "-1.00"},
                ]
            },
            "repayment_periods[2].principal",
        ),
        ({"repayment_periods": [{"principal": 100.5}]}, "repayment_periods[0].principal"),
        ({"repayment_periods": [{"principal": "100.005"}]}, "repayment_periods[0].principal"),
        ({"repayment_periods": [{"interest": "1.00"}]}, "repayment_periods[0].principal"),
        ({"drawdown_periods": [{"drawn": "9000000.00"}]}, "drawdown_periods"),
        ({"drawdown_periods": [{"drawn": "x"}]}, "drawdown_periods[0].drawn"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_input_names_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        parse_quote_request({**FIGURE_2_LOAN, **change})
    assert error.value.field == field
    assert error.value.status == 422


def test_drawn_must_equal_repaid_says_both_sums() -> None:
    with pytest.raises(ValidationFailed) as error:
        parse_quote_request({**FIGURE_2_LOAN, "drawdown_periods": [{"drawn": "9000000.00"}]})
    assert error.value.message == (
        "principal drawn (9000000.00) does not equal principal repaid (10000000.00)"
    )
    assert error.value.code == "schedule_does_not_add_up"


def test_missing_currency_and_rate() -> None:
    for key in ("currency", "rate"):
        data = {k: v for k, v in FIGURE_2_LOAN.items() if k != key}
        with pytest.raises(ValidationFailed) as error:
            parse_quote_request(data)
        assert error.value.field == key


cents = st.integers(min_value=0, max_value=10**11).map(lambda c: Decimal(c).scaleb(-2))
rates = st.integers(min_value=1, max_value=250_000).map(lambda r: Decimal(r).scaleb(-6))


@settings(max_examples=150, deadline=None)
@given(
    schedule=st.lists(st.tuples(cents, cents), min_size=1, max_size=25),
    rate=rates,
    data=st.data(),
)
def test_identity_holds_for_any_schedule(
    schedule: list[tuple[Decimal, Decimal]], rate: Decimal, data: st.DataObject
) -> None:
    periods = [RepaymentPeriod(principal=a + Decimal("0.01"), interest=i) for a, i in schedule]
    covered = data.draw(st.integers(min_value=1, max_value=len(periods)))
    request = InvestmentDebtQuoteRequest(
        currency="USD",
        rate=rate,
        repayment_periods=tuple(periods),
        covered_repayment_periods=covered,
    )
    quote = quote_investment_debt(request)
    unrounded = sum((p.insured_amount * rate for p in quote.periods), Decimal(0))
    identity = repayment_premium_identity(periods, rate=rate, covered_periods=covered)
    assert unrounded == identity
    # the total of rounded period premiums is within half a cent per period
    assert abs(quote.total_premium - identity) <= Decimal("0.005") * len(quote.periods)


# --- payment rules (section 3.3, section 2.2) -------------------------------------


def test_premium_due_within_30_days_of_notice() -> None:
    assert premium_due_date(notice_date=date(2025, 1, 15)) == date(2025, 2, 14)


def test_premium_status_and_cover() -> None:
    notice = date(2025, 1, 15)
    assert (
        premium_status(notice_date=notice, paid_on=date(2025, 2, 14), today=date(2025, 3, 1))
        is PremiumStatus.PAID
    )
    assert (
        premium_status(notice_date=notice, paid_on=None, today=date(2025, 2, 14))
        is PremiumStatus.DUE
    )
    assert (
        premium_status(notice_date=notice, paid_on=None, today=date(2025, 2, 15))
        is PremiumStatus.OVERDUE
    )
    assert (
        premium_status(notice_date=notice, paid_on=date(2025, 2, 15), today=date(2025, 2, 20))
        is PremiumStatus.PAID_LATE
    )
    assert cover_in_force(notice_date=notice, paid_on=None, today=date(2025, 2, 14))
    assert not cover_in_force(notice_date=notice, paid_on=None, today=date(2025, 2, 15))
    assert not cover_in_force(
        notice_date=notice, paid_on=date(2025, 2, 16), today=date(2025, 2, 20)
    )
    assert cover_in_force(
        notice_date=notice,
        paid_on=date(2025, 2, 16),
        today=date(2025, 2, 20),
        late_payment_accepted=True,
    )


def test_lump_sum_indemnity_needs_all_later_premiums_first() -> None:
    quote = quote_investment_debt(parse_quote_request(FIGURE_2_LOAN))
    due = premiums_due_before_indemnity(
        quote, loss_period=2, settlement=IndemnitySettlement.LUMP_SUM, paid_periods=[1, 2, 3]
    )
    # the loss does not end the policy: period 4's premium is still owed, before payment
    assert [(p.index, p.premium) for p in due] == [(4, Decimal("22525.00"))]
    assert (
        premiums_due_before_indemnity(
            quote, loss_period=2, settlement=IndemnitySettlement.ORIGINAL_SCHEDULE
        )
        == ()
    )
    with pytest.raises(ValidationFailed) as error:
        premiums_due_before_indemnity(quote, loss_period=5, settlement=IndemnitySettlement.LUMP_SUM)
    assert error.value.field == "loss_period"


def test_partial_cover_caps_drawdown_periods_at_scheme_2_maximum() -> None:
    # [004] scheme 2: without a maximum of its own, partial cover of T3 = 1 caps every
    # period at a_1 + I_1 = 5.6m; the drawdown periods (6.18m, 10.42m) included.
    quote = quote_investment_debt_json(
        {
            "currency": "USD",
            "rate": "0.0085",
            "covered_repayment_periods": 1,
            "drawdown_periods": [
                {"drawn": "6000000", "interest": "180000"},
                {"drawn": "4000000", "interest": "420000"},
            ],
            "repayment_periods": [
                {"principal": "5000000", "interest": "600000"},
                {"principal": "5000000", "interest": "300000"},
            ],
        }
    )
    assert [(p["insured_amount"], p["premium"]) for p in quote["periods"]] == [
        ("5600000", "47600.00"),
        ("5600000", "47600.00"),
        ("5600000", "47600.00"),
    ]
    assert quote["total_premium"] == "142800.00"


@settings(max_examples=60, deadline=None)
@given(
    principals=st.lists(st.integers(min_value=1, max_value=10**7), min_size=2, max_size=8),
    data=st.data(),
)
def test_no_period_exceeds_the_partial_cover_maximum(principals: list[int], data: Any) -> None:
    covered = data.draw(st.integers(min_value=1, max_value=len(principals) - 1))
    interest = [data.draw(st.integers(min_value=0, max_value=10**6)) for _ in principals]
    request = parse_quote_request(
        {
            "currency": "USD",
            "rate": "0.01",
            "covered_repayment_periods": covered,
            "drawdown_periods": [{"drawn": str(sum(principals)), "interest": "0"}],
            "repayment_periods": [
                {"principal": str(a), "interest": str(i)}
                for a, i in zip(principals, interest, strict=True)
            ],
        }
    )
    cap = partial_cover_max_insured_amount(request.repayment_periods, covered_periods=covered)
    quote = quote_investment_debt(request)
    assert all(p.insured_amount <= cap for p in quote.periods)
    # repayment periods never reach the cap's bite: the identity of section 4.3 holds
    repayment_total = sum(
        (p.premium for p in quote.periods if p.phase.value == "repayment"), Decimal(0)
    )
    identity = repayment_premium_identity(
        request.repayment_periods, rate=request.rate, covered_periods=covered
    )
    assert abs(repayment_total - identity) <= Decimal("0.005") * covered

"""Missed-repayment claims under investment debt insurance ([004]): the pure rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tradecover.claims.checks import CheckName, CheckOutcome
from tradecover.claims.investment_debt.rules import (
    MissedRepayment,
    PremiumPeriod,
    claim_loss,
    indemnity_of,
    investment_debt_claim_checks,
    net_indemnity,
    premium_set_off,
)
from tradecover.kit.errors import Conflict, ValidationFailed
from tradecover.pricing.investment_debt import IndemnitySettlement, RepaymentPeriod

D = Decimal
# Figure 2 of [004]: four instalments of 2.5m, interest 6 % on the opening balance.
LOAN = (
    RepaymentPeriod(D("2500000"), D("600000")),
    RepaymentPeriod(D("2500000"), D("450000")),
    RepaymentPeriod(D("2500000"), D("300000")),
    RepaymentPeriod(D("2500000"), D("150000")),
)
ORIGINAL, LUMP = IndemnitySettlement.ORIGINAL_SCHEDULE, IndemnitySettlement.LUMP_SUM


def _loss(
    n: int,
    principal: str,
    interest: str,
    *,
    covered: int = 4,
    settlement: IndemnitySettlement = ORIGINAL,
    insure_interest: bool = True,
) -> Decimal:
    return claim_loss(
        MissedRepayment(repayment_period=n, principal=D(principal), interest=D(interest)),
        repayments=LOAN,
        covered_periods=covered,
        insure_interest=insure_interest,
        settlement=settlement,
    )


def test_loss_is_the_missed_a_n_plus_i_n() -> None:
    # [004] 4.3: the insurer is liable for a_n + I_n of a covered period.
    assert _loss(2, "2500000", "450000") == D("2950000")
    assert _loss(2, "2500000", "450000", insure_interest=False) == D("2500000")
    assert _loss(2, "1000000", "0") == D("1000000")


def test_lump_sum_adds_later_covered_principal_only() -> None:
    # accelerated debt: a_2 + I_2 + a_3 + a_4 under full cover, + a_3 only under T3 = 3
    assert _loss(2, "2500000", "450000", settlement=LUMP) == D("7950000")
    assert _loss(2, "2500000", "450000", settlement=LUMP, covered=3) == D("5450000")


@pytest.mark.parametrize(
    ("n", "principal", "interest", "covered", "code", "field"),
    [
        (5, "1", "0", 4, "no_such_repayment_period", "repayment_period"),
        (3, "1", "0", 2, "period_not_covered", "repayment_period"),
        (1, "2500000.01", "0", 4, "exceeds_scheduled_repayment", "missed_principal"),
        (1, "0", "600001", 4, "exceeds_scheduled_repayment", "missed_interest"),
        (1, "0", "0", 4, "no_loss", "missed_principal"),
    ],
)
def test_bad_claims_name_the_field(
    n: int, principal: str, interest: str, covered: int, code: str, field: str
) -> None:
    with pytest.raises(ValidationFailed) as error:
        _loss(n, principal, interest, covered=covered)
    assert (error.value.code, error.value.field) == (code, field)


def test_indemnity_rounds_half_up_and_stays_within_liability() -> None:
    assert indemnity_of(
        D("2950000"), indemnity_pct=D("95"), currency="USD", liability_left=D("1e9")
    ) == D("2802500.00")
    assert indemnity_of(
        D("100.01"), indemnity_pct=D("50"), currency="USD", liability_left=D("1e9")
    ) == D("50.01")  # 50.005 -> 50.01
    assert indemnity_of(
        D("2950000"), indemnity_pct=D("100"), currency="USD", liability_left=D("1000000")
    ) == D("1000000")


PERIODS = (
    PremiumPeriod(
        position=1, premium=D("90100"), notice_date=date(2026, 1, 1), paid_on=date(2026, 1, 20)
    ),
    PremiumPeriod(position=2, premium=D("67575"), notice_date=date(2027, 1, 1)),
    PremiumPeriod(position=3, premium=D("45050"), notice_date=date(2028, 1, 1)),
    PremiumPeriod(position=4, premium=D("22525")),
)


def test_set_off_original_schedule_is_premium_fallen_due() -> None:
    # loss in period 2: its own unpaid premium and period 3's notified premium; period 4
    # is not yet due on the original schedule
    due = premium_set_off(PERIODS, loss_position=2, settlement=ORIGINAL)
    assert [p.position for p in due] == [2, 3]
    assert net_indemnity(D("2950000.00"), due) == D("2837375.00")


def test_set_off_lump_sum_takes_every_later_premium() -> None:
    # [004] 2.2: indemnified at once, every later period's premium is paid first
    due = premium_set_off(PERIODS, loss_position=2, settlement=LUMP)
    assert [p.position for p in due] == [2, 3, 4]
    assert net_indemnity(D("7950000"), due) == D("7814850")


def test_premium_above_the_indemnity_is_refused() -> None:
    with pytest.raises(Conflict) as error:
        net_indemnity(D("100000"), premium_set_off(PERIODS, loss_position=2, settlement=LUMP))
    assert error.value.code == "premium_exceeds_indemnity"


def test_cover_of_the_loss_period_depends_on_its_premium() -> None:
    lapsed = PremiumPeriod(position=2, premium=D("1"), notice_date=date(2027, 1, 1))
    checks = investment_debt_claim_checks(
        loss_period=lapsed, repayment_due_date=date(2027, 12, 31), set_off=(), currency="USD"
    )
    assert [(c.name, c.outcome) for c in checks] == [
        (CheckName.PREMIUM_PAID, CheckOutcome.FAILED),
        (CheckName.INVESTMENT_DEBT_PREMIUMS, CheckOutcome.PASSED),
    ]
    within = investment_debt_claim_checks(
        loss_period=lapsed, repayment_due_date=date(2027, 1, 31), set_off=(), currency="USD"
    )
    assert within[0].outcome is CheckOutcome.PASSED  # 30 days after the notice: still covered
    paid = PERIODS[0]
    assert (
        investment_debt_claim_checks(
            loss_period=paid, repayment_due_date=date(2026, 12, 31), set_off=(), currency="USD"
        )[0].outcome
        is CheckOutcome.PASSED
    )

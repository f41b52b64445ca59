"""Late premium and the right to claim ([002] 8.2.3): the rule at the level of the rule."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tradecover.claims.late_premium import (
    BilledPremium,
    PremiumRule,
    Waiver,
    cause_date,
    premium_ruling,
)

DUE = date(2027, 3, 31)
days = st.integers(min_value=-90, max_value=180).map(lambda n: DUE + timedelta(days=n))


def test_the_source_case_paying_late_after_the_loss_does_not_restore_the_claim() -> None:
    # [002]: 如未在規定期限內繳納保險費，將影響到被保險人申報的相關出口項下的索賠權益.
    # The March notice fell due on 2027-03-31 and was paid on 2027-04-20; the buyer's
    # invoice fell due unpaid on 2027-04-10, before the premium was paid.
    notice = BilledPremium(notice_id=7, due_date=DUE, paid_on=date(2027, 4, 20))
    cause = cause_date(invoice_due=date(2027, 4, 10), notice_filed_on=date(2027, 5, 2))
    ruling = premium_ruling([notice], cause=cause, today=date(2027, 5, 20))
    assert (ruling.keeps_cover, ruling.rule, ruling.notice_id) == (
        False,
        PremiumRule.PREMIUM_LATE,
        7,
    )
    assert dict(ruling.compared) == {
        "due_date": "2027-03-31",
        "deadline": "2027-03-31",
        "paid_on": "2027-04-20",
        "cause_date": "2027-04-10",
        "today": "2027-05-20",
    }
    assert ruling.explanation == (
        "premium notice 7, due 2027-03-31, not paid by its deadline 2027-03-31 (paid on "
        "2027-04-20); the loss's cause arose on 2027-04-10, before the premium was paid: "
        "no cover"
    )
    # a loss whose cause arises after the late payment is covered again
    later = premium_ruling([notice], cause=date(2027, 4, 20), today=date(2027, 6, 1))
    assert (later.keeps_cover, later.rule) == (True, PremiumRule.PAID_BEFORE_CAUSE)
    # ... and the insurer's four-eyes waiver keeps the first loss covered
    waived = premium_ruling(
        [
            BilledPremium(
                7,
                DUE,
                date(2027, 4, 20),
                waiver=Waiver(3, "user:1", "user:2", date(2027, 5, 1), "bank transfer delayed"),
            )
        ],
        cause=cause,
        today=date(2027, 5, 20),
    )
    assert (waived.keeps_cover, waived.rule, waived.compared["waived_on"]) == (
        True,
        PremiumRule.WAIVED,
        "2027-05-01",
    )


def test_on_time_not_yet_due_unpaid_and_grace() -> None:
    cause = date(2027, 3, 1)
    assert (
        premium_ruling([BilledPremium(1, DUE, DUE)], cause=cause, today=date(2027, 9, 1)).rule
        is PremiumRule.PAID_ON_TIME
    )
    assert (
        premium_ruling([BilledPremium(1, DUE, None)], cause=cause, today=DUE).rule
        is PremiumRule.NOT_YET_DUE
    )
    unpaid = premium_ruling(
        [BilledPremium(1, DUE, None)], cause=cause, today=DUE + timedelta(days=1)
    )
    assert (unpaid.keeps_cover, unpaid.rule) == (False, PremiumRule.PREMIUM_LATE)
    assert "still unpaid" in unpaid.explanation
    graced = BilledPremium(1, DUE, DUE + timedelta(days=5), grace_days=5)
    assert premium_ruling([graced], cause=cause, today=DUE).rule is PremiumRule.PAID_ON_TIME
    assert premium_ruling([], cause=cause, today=DUE).rule is PremiumRule.NOT_BILLED


def test_the_cause_arises_at_the_earlier_of_invoice_due_and_notice() -> None:
    assert cause_date(invoice_due=date(2027, 4, 10), notice_filed_on=date(2027, 4, 2)) == (
        date(2027, 4, 2)
    )
    assert cause_date(invoice_due=date(2027, 4, 10), notice_filed_on=date(2027, 5, 2)) == (
        date(2027, 4, 10)
    )


def test_one_late_notice_among_several_takes_cover_away() -> None:
    good = BilledPremium(1, DUE, DUE)
    bad = BilledPremium(2, DUE + timedelta(days=30), None)
    ruling = premium_ruling([good, bad], cause=DUE, today=DUE + timedelta(days=60))
    assert (ruling.keeps_cover, ruling.notice_id) == (False, 2)


@given(paid_on=days, cause=days, today=days)
def test_late_premium_covers_exactly_the_causes_arising_after_payment(
    paid_on: date, cause: date, today: date
) -> None:
    ruling = premium_ruling([BilledPremium(1, DUE, paid_on)], cause=cause, today=today)
    assert ruling.keeps_cover == (paid_on <= DUE or cause >= paid_on)

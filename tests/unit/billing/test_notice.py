"""Monthly notices, reconciliation, payment allocation, ageing, at-risk and suspension."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.billing import (
    AgeingBucket,
    BillableDeclaration,
    BillingTerms,
    OpenItem,
    PremiumNotice,
    age_arrears,
    ageing_bucket,
    allocate_payment,
    build_notice,
    month_end,
    month_start,
    reconcile_notice,
    reconciliation_problems,
    shipments_at_risk,
    suspension_check,
)
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import CurrencyMismatch, Money
from tradecover.subsidies import ExporterFacts, Programme, SubsidyUsage

USD = "USD"
OCTOBER = date(2026, 10, 1)
ISSUED = date(2026, 11, 2)


def usd(amount: str) -> Money:
    return Money.of(amount, USD)


def declaration(
    declaration_id: int, premium: str, declared_on: date, hs_code: str = "950510"
) -> BillableDeclaration:
    return BillableDeclaration(
        declaration_id=declaration_id,
        invoice_number=f"INV-{declaration_id}",
        buyer_id=21,
        shipment_date=date(2026, 10, 1),
        declared_on=declared_on,
        hs_code=hs_code,
        destination_country="US",
        insured_amount=usd("80000"),
        premium=usd(premium),
    )


DECLARATIONS = [
    declaration(3, "600.00", date(2026, 10, 20)),
    declaration(1, "333.33", date(2026, 10, 2)),
    declaration(2, "0.01", date(2026, 10, 20), hs_code="6109"),
]
YIWU = Programme(
    code="YIWU",
    name="Yiwu premium support",
    sponsor="Yiwu",
    currency=USD,
    share=Decimal("0.8"),
    hs_chapters=("95",),
    cap_per_exporter_year=usd("700.00"),
)
EXPORTER = ExporterFacts(exporter_id=7, region="CN-ZJ", previous_year_exports=usd("3000000"))


def october_notice() -> tuple[PremiumNotice, SubsidyUsage]:
    return build_notice(
        policy_id=11,
        month=OCTOBER,
        issue_date=ISSUED,
        currency=USD,
        declarations=DECLARATIONS,
        exporter=EXPORTER,
        programmes=[YIWU],
    )


def test_notice_lines_totals_split_and_due_date() -> None:
    notice, usage = october_notice()
    assert notice.declaration_ids() == (1, 2, 3)  # by declaration date, then id
    assert notice.due_date == date(2026, 12, 2)
    assert notice.total == usd("933.34")
    # 333.33 x 0.8 = 266.66 to Yiwu; 6109 is not Yiwu's chapter; 600 x 0.8 = 480 but the
    # exporter-year cap of 700 leaves 433.34.
    assert [(line.exporter_owes, dict(line.programme_owes)) for line in notice.lines] == [
        (usd("66.67"), {"YIWU": usd("266.66")}),
        (usd("0.01"), {}),
        (usd("166.66"), {"YIWU": usd("433.34")}),
    ]
    assert notice.exporter_total == usd("233.34")
    assert dict(notice.programme_totals) == {"YIWU": usd("700.00")}
    assert usage.total == {"YIWU": usd("700.00")}
    assert [d.rule_applied.value for d in notice.lines[1].eligibility] == ["product_not_eligible"]
    reconcile_notice(notice, {1: usd("333.33"), 2: usd("0.01"), 3: usd("600.00")})
    assert reconciliation_problems(notice) == []


def test_notice_without_subsidies_and_payment_days() -> None:
    notice, usage = build_notice(
        policy_id=11,
        month=OCTOBER,
        issue_date=ISSUED,
        currency=USD,
        declarations=DECLARATIONS,
        terms=BillingTerms(payment_days=15),
    )
    assert (notice.total, notice.exporter_total, dict(notice.programme_totals)) == (
        usd("933.34"),
        usd("933.34"),
        {},
    )
    assert notice.due_date == date(2026, 11, 17)
    assert usage == SubsidyUsage()
    empty, _ = build_notice(
        policy_id=11, month=OCTOBER, issue_date=ISSUED, currency=USD, declarations=[]
    )
    assert (empty.lines, empty.total) == ((), usd("0"))


def test_reconciliation_names_every_problem() -> None:
    notice, _ = october_notice()
    tampered = replace(
        notice,
        total=usd("933.35"),
        lines=(replace(notice.lines[0], exporter_owes=usd("66.68")), *notice.lines[1:]),
    )
    assert reconciliation_problems(
        tampered, {1: usd("333.33"), 2: usd("0.02"), 4: usd("1.00")}
    ) == [
        "total 933.35 USD is not the sum of its lines 933.34 USD",
        "exporter and programmes owe 933.34 USD, not the total 933.35 USD",
        "declaration 1: parts 333.34 USD are not its premium 333.33 USD",
        "declaration 4 is not on the notice",
        "declaration 2 billed 0.01 USD, its premium is 0.02 USD",
        "declaration 3 does not belong on the notice",
    ]
    with pytest.raises(ValidationFailed) as caught:
        reconcile_notice(tampered)
    assert caught.value.code == "notice_does_not_reconcile"
    assert len(caught.value.details["problems"]) == 3


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        (
            {"declarations": [declaration(1, "1.00", date(2026, 11, 1))]},
            "declaration_outside_month",
        ),
        (
            {"declarations": [declaration(1, "1.00", date(2026, 9, 30))]},
            "declaration_outside_month",
        ),
        (
            {"declarations": [declaration(1, "1.00", OCTOBER), declaration(1, "2.00", OCTOBER)]},
            "duplicate_declaration",
        ),
        ({"declarations": [declaration(1, "-1.00", OCTOBER)]}, "invalid_premium"),
        ({"declarations": [declaration(1, "1.005", OCTOBER)]}, "invalid_premium"),
        ({"issue_date": date(2026, 10, 31)}, "notice_before_month_end"),
        ({"month": date(2026, 10, 2)}, "invalid_month"),
        ({"programmes": [YIWU], "exporter": None}, "missing_exporter"),
    ],
)
def test_bad_notice_inputs(kwargs: dict[str, object], code: str) -> None:
    args: dict[str, object] = {
        "policy_id": 11,
        "month": OCTOBER,
        "issue_date": ISSUED,
        "currency": USD,
        "declarations": DECLARATIONS,
    }
    args.update(kwargs)
    with pytest.raises(ValidationFailed) as caught:
        build_notice(**args)  # type: ignore[arg-type]
    assert caught.value.code == code


def test_notice_in_another_currency_is_refused() -> None:
    with pytest.raises(CurrencyMismatch):
        build_notice(
            policy_id=11,
            month=OCTOBER,
            issue_date=ISSUED,
            currency="EUR",
            declarations=DECLARATIONS,
        )


def test_months() -> None:
    assert month_start("2026-10") == OCTOBER
    assert month_end(date(2028, 2, 1)) == date(2028, 2, 29)
    for bad in ("2026-13", "2026-1", "October", "2026-10-01"):
        with pytest.raises(ValidationFailed) as caught:
            month_start(bad)
        assert (caught.value.code, caught.value.field) == ("invalid_month", "month")


ITEMS = [
    OpenItem(
        notice_id=5,
        due_date=date(2026, 12, 2),
        outstanding=usd("233.34"),
        declaration_ids=(1, 2, 3),
    ),
    OpenItem(
        notice_id=4, due_date=date(2026, 11, 2), outstanding=usd("100.00"), declaration_ids=(9,)
    ),
    OpenItem(
        notice_id=6, due_date=date(2027, 1, 2), outstanding=usd("50.00"), declaration_ids=(12,)
    ),
    OpenItem(
        notice_id=3, due_date=date(2026, 10, 2), outstanding=usd("0.00"), declaration_ids=(7,)
    ),
]


def test_payment_pays_the_oldest_first_and_keeps_the_rest() -> None:
    partial = allocate_payment(amount=usd("150.00"), items=ITEMS)
    assert partial.applied == ((4, usd("100.00")), (5, usd("50.00")))
    assert partial.unapplied == usd("0.00")
    over = allocate_payment(amount=usd("400.00"), items=ITEMS)
    assert over.applied == ((4, usd("100.00")), (5, usd("233.34")), (6, usd("50.00")))
    assert over.unapplied == usd("16.66")
    same_day = [
        OpenItem(2, date(2026, 11, 2), usd("10")),
        OpenItem(1, date(2026, 11, 2), usd("10")),
    ]
    assert allocate_payment(amount=usd("15"), items=same_day).applied == (
        (1, usd("10")),
        (2, usd("5")),
    )


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (usd("0"), "payment_not_positive"),
        (usd("-5"), "payment_not_positive"),
        (usd("1.001"), "too_many_decimals"),
    ],
)
def test_bad_payments(amount: Money, code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        allocate_payment(amount=amount, items=ITEMS)
    assert (caught.value.code, caught.value.field) == (code, "amount")
    with pytest.raises(CurrencyMismatch):
        allocate_payment(amount=Money.of("1", "EUR"), items=ITEMS)


@given(amount=st.integers(1, 10**6), outstanding=st.lists(st.integers(0, 10**5), max_size=8))
def test_allocation_conserves_money_and_never_overpays_a_notice(
    amount: int,
    outstanding: list[int],
) -> None:
    items = [
        OpenItem(i, date(2026, 1, 1 + i), Money(Decimal(o).scaleb(-2), USD))
        for i, o in enumerate(outstanding)
    ]
    paid = Money(Decimal(amount).scaleb(-2), USD)
    result = allocate_payment(amount=paid, items=items)
    assert sum((a for _, a in result.applied), result.unapplied) == paid
    owed = {i.notice_id: i.outstanding for i in items}
    assert all(Money.zero(USD) < a <= owed[n] for n, a in result.applied)
    # only the last notice paid may be paid in part, and nothing is unapplied while owed
    assert all(a == owed[n] for n, a in result.applied[:-1])
    if not result.unapplied.is_zero():
        assert sum(owed.values(), Money.zero(USD)) < paid


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-1, AgeingBucket.NOT_DUE),
        (0, AgeingBucket.DAYS_0_30),
        (30, AgeingBucket.DAYS_0_30),
        (31, AgeingBucket.DAYS_31_60),
        (60, AgeingBucket.DAYS_31_60),
        (61, AgeingBucket.DAYS_61_90),
        (90, AgeingBucket.DAYS_61_90),
        (91, AgeingBucket.OVER_90),
    ],
)
def test_ageing_bucket_boundaries(days: int, bucket: AgeingBucket) -> None:
    assert ageing_bucket(days) is bucket


def test_age_arrears() -> None:
    ageing = age_arrears(ITEMS, today=date(2027, 1, 2), currency=USD)
    assert ageing == {
        AgeingBucket.NOT_DUE: usd("0"),
        AgeingBucket.DAYS_0_30: usd("50.00"),  # notice 6 is due today
        AgeingBucket.DAYS_31_60: usd("233.34"),  # 31 days past due
        AgeingBucket.DAYS_61_90: usd("100.00"),  # 61 days
        AgeingBucket.OVER_90: usd("0"),  # notice 3 is paid
    }


def test_shipments_at_risk_of_losing_cover() -> None:
    assert shipments_at_risk(ITEMS, today=date(2026, 11, 2)) == frozenset()
    assert shipments_at_risk(ITEMS, today=date(2026, 11, 3)) == frozenset({9})
    assert shipments_at_risk(ITEMS, today=date(2026, 12, 3)) == frozenset({9, 1, 2, 3})
    grace = BillingTerms(at_risk_after_days=10)
    assert shipments_at_risk(ITEMS, today=date(2026, 11, 12), terms=grace) == frozenset()
    assert shipments_at_risk(ITEMS, today=date(2026, 11, 13), terms=grace) == frozenset({9})


def test_suspension_after_n_days() -> None:
    on_day_60 = suspension_check(ITEMS, today=date(2027, 1, 1))
    assert (on_day_60.suspend, on_day_60.oldest_due_date, on_day_60.days_past_due) == (
        False,
        date(2026, 11, 2),
        60,
    )
    on_day_61 = suspension_check(ITEMS, today=date(2027, 1, 2))
    assert (on_day_61.suspend, on_day_61.days_past_due) == (True, 61)
    assert on_day_61.explanation == (
        "premium notice 4 is 61 days past due (more than 60): suspend the policy"
    )
    stricter = suspension_check(
        ITEMS, today=date(2026, 12, 3), terms=BillingTerms(suspend_after_days=30)
    )
    assert (stricter.suspend, stricter.days_past_due) == (True, 31)
    nothing = suspension_check(
        [replace(i, outstanding=usd("0")) for i in ITEMS], today=date(2030, 1, 1)
    )
    assert (nothing.suspend, nothing.oldest_due_date, nothing.days_past_due) == (False, None, 0)
    early = suspension_check(ITEMS, today=date(2026, 10, 1))
    assert (early.suspend, early.days_past_due) == (False, 0)
    with pytest.raises(ValidationFailed) as caught:
        BillingTerms(suspend_after_days=400)
    assert (caught.value.code, caught.value.field) == (
        "billing_term_out_of_range",
        "suspend_after_days",
    )


def test_credits_settle_the_oldest_notices_of_their_own_policy_and_currency() -> None:
    from tradecover.billing.notice import OpenCredit, OwedItem, allocate_credits

    items = [
        OwedItem(3, 1, "USD", date(2026, 12, 1), 5000),
        OwedItem(2, 1, "USD", date(2026, 11, 1), 3000),
        OwedItem(4, 2, "USD", date(2026, 10, 1), 9000),
        OwedItem(5, 1, "EUR", date(2026, 10, 1), 9000),
    ]
    credits = [OpenCredit(9, 1, "USD", 6000), OpenCredit(10, 1, "USD", 4000)]
    assert allocate_credits(credits, items) == [(9, 2, 3000), (9, 3, 3000), (10, 3, 2000)]
    # nothing to settle: the credit stays whole
    assert allocate_credits([OpenCredit(11, 3, "USD", 100)], items) == []

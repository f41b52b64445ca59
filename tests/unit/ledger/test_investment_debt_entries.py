"""The journal entries of investment debt insurance ([004]): balanced, keyed, exact."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tradecover.kit.money import Money
from tradecover.ledger.investment_debt import (
    indemnity_approved,
    indemnity_paid,
    period_billed,
    period_paid,
)
from tradecover.ledger.journal import Account, Side, trial_balance

DAY = date(2030, 1, 31)


def _usd(amount: str) -> Money:
    return Money.of(Decimal(amount), "USD")


def test_billing_and_payment_of_a_period() -> None:
    billed = period_billed(
        period_id=7,
        posted_on=DAY,
        period_ref="ID-2027-000001 period 4",
        exporter_id=3,
        premium=_usd("45050.00"),
    )
    paid = period_paid(period_id=7, posted_on=DAY, exporter_id=3, premium=_usd("45050.00"))
    assert billed is not None and paid is not None
    assert (billed.key, paid.key) == (
        "investment_debt:period:7:billed",
        "investment_debt:period:7:paid",
    )
    books = trial_balance([billed, paid])
    assert books.balance(Account.PREMIUM_INCOME, "USD") == Decimal("-45050.00")
    assert books.balance(Account.CASH, "USD") == Decimal("45050.00")
    assert books.balance(Account.PREMIUM_RECEIVABLE, "USD", "exporter:3") == 0


def test_zero_amounts_post_nothing() -> None:
    zero = _usd("0")
    assert (
        period_billed(period_id=1, posted_on=DAY, period_ref="p", exporter_id=1, premium=zero)
        is None
    )
    assert period_paid(period_id=1, posted_on=DAY, exporter_id=1, premium=zero) is None
    assert indemnity_approved(claim_id=1, posted_on=DAY, indemnity=zero) is None
    assert (
        indemnity_paid(claim_id=1, posted_on=DAY, exporter_id=1, indemnity=zero, set_off=zero)
        is None
    )


def test_worked_case_set_off_of_45050_against_5600000() -> None:
    entry = indemnity_paid(
        claim_id=9, posted_on=DAY, exporter_id=3, indemnity=_usd("5600000"), set_off=_usd("45050")
    )
    assert entry is not None and entry.key == "investment_debt_claim:9:paid"
    assert sorted(
        (line.account.value, line.side.value, line.amount.minor_units(), line.party)
        for line in entry.lines
    ) == [
        ("cash", "credit", 555495000, None),
        ("claims_payable", "debit", 560000000, None),
        ("premium_receivable", "credit", 4505000, "exporter:3"),
    ]


@given(
    indemnity=st.integers(min_value=1, max_value=10**12),
    share=st.fractions(min_value=0, max_value=1),
)
def test_claim_entries_balance_and_clear_claims_payable(indemnity: int, share: object) -> None:
    set_off_minor = int(indemnity * share)  # type: ignore[operator]
    ind = Money.from_minor(indemnity, "USD")
    set_off = Money.from_minor(set_off_minor, "USD")
    approved = indemnity_approved(claim_id=1, posted_on=DAY, indemnity=ind)
    paid = indemnity_paid(claim_id=1, posted_on=DAY, exporter_id=2, indemnity=ind, set_off=set_off)
    assert approved is not None and paid is not None
    books = trial_balance([approved, paid])
    assert books.is_balanced()
    assert books.balance(Account.CLAIMS_PAYABLE, "USD") == 0
    assert books.balance(Account.CLAIMS_EXPENSE, "USD") == ind.amount
    assert -books.balance(Account.CASH, "USD") == (ind - set_off).amount
    assert -books.balance(Account.PREMIUM_RECEIVABLE, "USD", "exporter:2") == set_off.amount
    assert all(
        line.side is Side.CREDIT
        for line in paid.lines
        if line.account is not Account.CLAIMS_PAYABLE
    )

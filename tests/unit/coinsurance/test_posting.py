"""The allocation entry moves the whole out of the pool to each insurer's party [domain CO-8]."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tradecover.coinsurance import allocation_entry
from tradecover.kit.money import Money
from tradecover.ledger import Account, JournalLine, Side, trial_balance

DAY = date(2026, 10, 31)


def usd(text: str) -> Money:
    return Money(Decimal(text), "USD")


def test_premium_moves_from_the_pool_to_each_insurer() -> None:
    entry = allocation_entry(
        key="coinsurance:notice:5",
        posted_on=DAY,
        description="split",
        account=Account.PREMIUM_INCOME,
        currency="USD",
        parts={1: 3335, 7: 3333, 9: 3333},
    )
    assert entry is not None
    assert entry.lines == (
        JournalLine(Account.PREMIUM_INCOME, Side.DEBIT, usd("100.01")),
        JournalLine(Account.PREMIUM_INCOME, Side.CREDIT, usd("33.35"), "insurer:1"),
        JournalLine(Account.PREMIUM_INCOME, Side.CREDIT, usd("33.33"), "insurer:7"),
        JournalLine(Account.PREMIUM_INCOME, Side.CREDIT, usd("33.33"), "insurer:9"),
    )
    books = trial_balance([entry])
    assert books.balance(Account.PREMIUM_INCOME, "USD") == 0
    assert books.balance(Account.PREMIUM_INCOME, "USD", "insurer:7") == Decimal("-33.33")


def test_claims_expense_and_credits_flip_sides_and_nothing_is_none() -> None:
    entry = allocation_entry(
        key="coinsurance:claim:3",
        posted_on=DAY,
        description="split",
        account=Account.CLAIMS_EXPENSE,
        currency="USD",
        parts={1: 500, 7: -0, 9: 500},
    )
    assert entry is not None
    assert [(line.side, line.party, line.amount.minor_units()) for line in entry.lines] == [
        (Side.CREDIT, None, 1000),
        (Side.DEBIT, "insurer:1", 500),
        (Side.DEBIT, "insurer:9", 500),
    ]
    credit = allocation_entry(
        key="coinsurance:notice:6",
        posted_on=DAY,
        description="credit",
        account=Account.PREMIUM_INCOME,
        currency="USD",
        parts={1: -2, 7: -1},
    )
    assert credit is not None
    assert [(line.side, line.party) for line in credit.lines] == [
        (Side.CREDIT, None),
        (Side.DEBIT, "insurer:1"),
        (Side.DEBIT, "insurer:7"),
    ]
    none = allocation_entry(
        key="coinsurance:notice:7",
        posted_on=DAY,
        description="zero",
        account=Account.PREMIUM_INCOME,
        currency="USD",
        parts={1: 0, 7: 0},
    )
    assert none is None

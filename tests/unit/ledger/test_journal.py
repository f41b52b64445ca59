"""The double-entry journal: balanced entries, reversals, the trial balance and the builders."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money
from tradecover.ledger import (
    Account,
    AccountKind,
    JournalEntry,
    JournalLine,
    Side,
    UnbalancedEntry,
    claim_approved,
    claim_paid,
    exporter_party,
    payment_received,
    premium_billed,
    programme_party,
    recovery_received,
    reverse,
    trial_balance,
)

DAY = date(2026, 11, 2)
D, C = Side.DEBIT, Side.CREDIT


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def test_premium_billed_with_a_subsidy_split() -> None:
    entry = premium_billed(
        key="notice:5",
        posted_on=DAY,
        notice_ref="PN-2026-10-11",
        exporter_id=7,
        exporter_owes=usd("233.34"),
        programme_owes={"YIWU": usd("700.00")},
    )
    assert entry.lines == (
        JournalLine(Account.PREMIUM_RECEIVABLE, D, usd("233.34"), "exporter:7"),
        JournalLine(Account.SUBSIDY_RECEIVABLE, D, usd("700.00"), "programme:YIWU"),
        JournalLine(Account.PREMIUM_INCOME, C, usd("933.34")),
    )
    assert entry.description == "premium billed on PN-2026-10-11"
    fully_subsidised = premium_billed(
        key="notice:6",
        posted_on=DAY,
        notice_ref="PN-6",
        exporter_id=8,
        exporter_owes=usd("0"),
        programme_owes={"SZ": usd("600.00")},
    )
    assert [line.account for line in fully_subsidised.lines] == [
        Account.SUBSIDY_RECEIVABLE,
        Account.PREMIUM_INCOME,
    ]


def test_payments_settle_the_payer_receivable_and_keep_overpayments_apart() -> None:
    exporter = payment_received(
        key="pay:1",
        posted_on=DAY,
        payer=exporter_party(7),
        applied=usd("233.34"),
        unapplied=usd("16.66"),
    )
    assert exporter.lines == (
        JournalLine(Account.CASH, D, usd("250.00")),
        JournalLine(Account.PREMIUM_RECEIVABLE, C, usd("233.34"), "exporter:7"),
        JournalLine(Account.UNAPPLIED_CASH, C, usd("16.66"), "exporter:7"),
    )
    programme = payment_received(
        key="pay:2",
        posted_on=DAY,
        payer=programme_party("YIWU"),
        applied=usd("700.00"),
        unapplied=usd("0"),
    )
    assert programme.lines == (
        JournalLine(Account.CASH, D, usd("700.00")),
        JournalLine(Account.SUBSIDY_RECEIVABLE, C, usd("700.00"), "programme:YIWU"),
    )


def test_trial_balance_after_billing_and_payment() -> None:
    entries = [
        premium_billed(
            key="notice:5",
            posted_on=DAY,
            notice_ref="PN-5",
            exporter_id=7,
            exporter_owes=usd("233.34"),
            programme_owes={"YIWU": usd("700.00")},
        ),
        payment_received(
            key="pay:1",
            posted_on=DAY,
            payer=exporter_party(7),
            applied=usd("200.00"),
            unapplied=usd("0"),
        ),
    ]
    tb = trial_balance(entries)
    assert tb.balance(Account.PREMIUM_RECEIVABLE, "USD") == usd("33.34").amount
    assert tb.balance(Account.PREMIUM_RECEIVABLE, "USD", "exporter:7") == usd("33.34").amount
    assert tb.balance(Account.SUBSIDY_RECEIVABLE, "USD", "programme:YIWU") == usd("700").amount
    assert tb.balance(Account.PREMIUM_INCOME, "USD") == -usd("933.34").amount
    assert tb.balance(Account.CASH, "USD") == usd("200.00").amount
    assert tb.balance(Account.CLAIMS_PAYABLE, "USD") == 0
    assert tb.total("USD") == 0
    assert tb.currencies() == ("USD",)
    assert tb.is_balanced()


def test_claim_placeholders() -> None:
    approved = claim_approved(
        key="claim:1:approved", posted_on=DAY, claim_ref="CL-1", indemnity=usd("72000.00")
    )
    paid = claim_paid(key="claim:1:paid", posted_on=DAY, claim_ref="CL-1", amount=usd("72000.00"))
    recovered = recovery_received(
        key="rec:1",
        posted_on=DAY,
        claim_ref="CL-1",
        insurer_share=usd("9000.00"),
        insured_share=usd("1000.00"),
    )
    tb = trial_balance([approved, paid, recovered])
    assert tb.balance(Account.CLAIMS_EXPENSE, "USD") == usd("72000").amount
    assert tb.balance(Account.CLAIMS_PAYABLE, "USD") == -usd("1000").amount
    assert tb.balance(Account.RECOVERIES, "USD") == -usd("9000").amount
    assert tb.balance(Account.CASH, "USD") == -usd("62000").amount
    assert tb.is_balanced()


def test_reversal_cancels_an_entry_and_names_it() -> None:
    entry = premium_billed(
        key="notice:5",
        posted_on=DAY,
        notice_ref="PN-5",
        exporter_id=7,
        exporter_owes=usd("233.34"),
        programme_owes={"YIWU": usd("700.00")},
    )
    undo = reverse(
        entry,
        key="notice:5:reversal",
        posted_on=date(2026, 11, 3),
        reason="declaration 3 cancelled",
    )
    assert undo.reverses == "notice:5"
    assert undo.description == "reversal of notice:5: declaration 3 cancelled"
    assert [(line.account, line.side, line.amount) for line in undo.lines] == [
        (Account.PREMIUM_RECEIVABLE, C, usd("233.34")),
        (Account.SUBSIDY_RECEIVABLE, C, usd("700.00")),
        (Account.PREMIUM_INCOME, D, usd("933.34")),
    ]
    tb = trial_balance([entry, undo])
    assert all(v == 0 for v in tb.balances.values())


def test_unbalanced_entries_are_refused() -> None:
    with pytest.raises(UnbalancedEntry) as caught:
        JournalEntry(
            key="bad",
            posted_on=DAY,
            description="",
            lines=(
                JournalLine(Account.CASH, D, usd("100.00")),
                JournalLine(Account.PREMIUM_RECEIVABLE, C, usd("99.99")),
            ),
        )
    assert (caught.value.code, caught.value.field) == ("unbalanced_entry", "lines")
    assert caught.value.details == {"currency": "USD", "difference": "0.01"}
    # balanced in total but not per currency
    with pytest.raises(UnbalancedEntry):
        JournalEntry(
            key="fx",
            posted_on=DAY,
            description="",
            lines=(
                JournalLine(Account.CASH, D, usd("100.00")),
                JournalLine(Account.PREMIUM_RECEIVABLE, C, Money.of("100.00", "EUR")),
            ),
        )


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (lambda: JournalLine(Account.CASH, D, usd("0")), "line_not_positive"),
        (lambda: JournalLine(Account.CASH, D, usd("-1")), "line_not_positive"),
        (lambda: JournalLine(Account.CASH, D, usd("1.001")), "too_many_decimals"),
        (
            lambda: JournalEntry(
                key="one",
                posted_on=DAY,
                description="",
                lines=(JournalLine(Account.CASH, D, usd("1")),),
            ),
            "empty_entry",
        ),
        (lambda: JournalEntry(key=" ", posted_on=DAY, description="", lines=()), "missing_key"),
        (
            lambda: premium_billed(
                key="n",
                posted_on=DAY,
                notice_ref="PN",
                exporter_id=7,
                exporter_owes=usd("0"),
                programme_owes={},
            ),
            "empty_entry",
        ),
    ],
)
def test_bad_lines_and_entries(build: object, code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        build()  # type: ignore[operator]
    assert caught.value.code == code


def test_account_kinds() -> None:
    assert {a: a.kind for a in Account} == {
        Account.PREMIUM_RECEIVABLE: AccountKind.ASSET,
        Account.SUBSIDY_RECEIVABLE: AccountKind.ASSET,
        Account.PREMIUM_INCOME: AccountKind.INCOME,
        Account.CASH: AccountKind.ASSET,
        Account.UNAPPLIED_CASH: AccountKind.LIABILITY,
        Account.CLAIMS_EXPENSE: AccountKind.EXPENSE,
        Account.CLAIMS_PAYABLE: AccountKind.LIABILITY,
        Account.RECOVERIES: AccountKind.INCOME,
    }
    assert D.other is C
    assert C.other is D


currencies = st.sampled_from(["USD", "KRW", "KWD"])
minor = st.integers(0, 10**9)
operations = st.one_of(
    st.tuples(
        st.just("bill"),
        currencies,
        st.integers(1, 3),
        minor,
        st.dictionaries(st.sampled_from(["YIWU", "SZ"]), minor, max_size=2),
    ),
    st.tuples(
        st.just("pay"), currencies, st.sampled_from(["exporter:1", "programme:YIWU"]), minor, minor
    ),
    st.tuples(st.just("approve"), currencies, minor),
    st.tuples(st.just("settle"), currencies, minor),
    st.tuples(st.just("recover"), currencies, minor, minor),
)


@given(ops=st.lists(operations, max_size=25), reverse_every=st.integers(2, 5))
def test_trial_balance_is_zero_after_any_sequence_of_builders(
    ops: list[tuple[object, ...]],
    reverse_every: int,
) -> None:
    entries: list[JournalEntry] = []
    billed: dict[tuple[str, str], int] = {}
    for n, op in enumerate(ops):
        kind, currency = op[0], str(op[1])

        def money(units: object, currency: str = currency) -> Money:
            return Money.from_minor(int(str(units)), currency)

        try:
            if kind == "bill":
                _, _, exporter, owes, programmes = op
                assert isinstance(programmes, dict)
                entry = premium_billed(
                    key=f"e{n}",
                    posted_on=DAY,
                    notice_ref=f"PN-{n}",
                    exporter_id=int(str(exporter)),
                    exporter_owes=money(owes),
                    programme_owes={k: money(v) for k, v in programmes.items()},
                )
            elif kind == "pay":
                _, _, payer, applied, unapplied = op
                entry = payment_received(
                    key=f"e{n}",
                    posted_on=DAY,
                    payer=str(payer),
                    applied=money(applied),
                    unapplied=money(unapplied),
                )
            elif kind == "approve":
                entry = claim_approved(
                    key=f"e{n}", posted_on=DAY, claim_ref=f"CL-{n}", indemnity=money(op[2])
                )
            elif kind == "settle":
                entry = claim_paid(
                    key=f"e{n}", posted_on=DAY, claim_ref=f"CL-{n}", amount=money(op[2])
                )
            else:
                entry = recovery_received(
                    key=f"e{n}",
                    posted_on=DAY,
                    claim_ref=f"CL-{n}",
                    insurer_share=money(op[2]),
                    insured_share=money(op[3]),
                )
        except ValidationFailed as refused:
            if refused.code != "empty_entry":  # all amounts zero: nothing to post
                raise
            continue
        entries.append(entry)
        if kind == "bill":
            billed[(currency, "income")] = billed.get((currency, "income"), 0) + sum(
                line.amount.minor_units() for line in entry.lines if line.side is D
            )
        if n % reverse_every == 0:
            entries.append(reverse(entry, key=f"x{n}", posted_on=DAY, reason="correction"))
            if kind == "bill":
                billed[(currency, "income")] -= sum(
                    line.amount.minor_units() for line in entry.lines if line.side is D
                )
    tb = trial_balance(entries)
    assert tb.is_balanced()
    for currency in tb.currencies():
        assert tb.total(currency) == 0
    for (currency, _), units in billed.items():
        assert (
            -tb.balance(Account.PREMIUM_INCOME, currency)
            == Money.from_minor(units, currency).amount
        )

"""Collection confirmation: the schedule, applying answers, the freed limit, chasing."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.collections.confirmation import (
    Chase,
    ChasePolicy,
    CollectionOutcome,
    ConfirmationFrequency,
    ConfirmationRequest,
    OpenInvoice,
    apply_confirmation,
    chase_schedule,
    chasing_due,
    confirmation_run_dates,
    freed_limit_total,
    invoices_to_confirm,
)
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money

TODAY = date(2026, 5, 1)


def usd(amount: int | str) -> Money:
    return Money.of(amount, "USD")


def inv(
    invoice_id: int = 1,
    amount: int | str = 10_000,
    *,
    due: date = date(2026, 4, 30),
    collected: int | str | None = None,
    covered: int | str | None = None,
    shipped: date = date(2026, 2, 1),
) -> OpenInvoice:
    return OpenInvoice(
        invoice_id=invoice_id,
        buyer_id=7,
        amount=usd(amount),
        shipment_date=shipped,
        due_date=due,
        collected=None if collected is None else usd(collected),
        covered=None if covered is None else usd(covered),
    )


def test_monthly_and_weekly_run_dates() -> None:
    assert confirmation_run_dates(
        start=date(2026, 1, 31), end=date(2026, 4, 30), frequency=ConfirmationFrequency.MONTHLY
    ) == (date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30))
    assert confirmation_run_dates(
        start=date(2026, 1, 1), end=date(2026, 1, 20), frequency=ConfirmationFrequency.WEEKLY
    ) == (date(2026, 1, 1), date(2026, 1, 8), date(2026, 1, 15))
    with pytest.raises(ValidationFailed) as exc:
        confirmation_run_dates(
            start=date(2026, 2, 1), end=date(2026, 1, 1), frequency=ConfirmationFrequency.WEEKLY
        )
    assert exc.value.code == "end_before_start"


def test_which_invoices_to_ask_about() -> None:
    invoices = [
        inv(1, due=date(2026, 4, 30)),
        inv(2, due=date(2026, 5, 10)),  # due within the look-ahead
        inv(3, due=date(2026, 5, 20)),  # not yet
        inv(4, due=date(2026, 3, 31), collected=10_000),  # paid: nothing to ask
        inv(5, due=date(2026, 3, 15), collected=4_000),  # part paid, still open
    ]
    assert [i.invoice_id for i in invoices_to_confirm(invoices, run_date=TODAY, lead_days=10)] == [
        5,
        1,
        2,
    ]
    assert [i.invoice_id for i in invoices_to_confirm(invoices, run_date=TODAY)] == [5, 1]


@pytest.mark.parametrize(
    ("invoice", "outcome", "amount", "collected_now", "freed", "outstanding", "final"),
    [
        (
            inv(),
            CollectionOutcome.PAID_IN_FULL,
            None,
            "10000",
            "10000",
            "0",
            CollectionOutcome.PAID_IN_FULL,
        ),
        (
            inv(),
            CollectionOutcome.PAID_IN_PART,
            "2500.50",
            "2500.50",
            "2500.50",
            "7499.50",
            CollectionOutcome.PAID_IN_PART,
        ),
        (
            inv(collected=4_000),
            CollectionOutcome.PAID_IN_FULL,
            "6000",
            "6000",
            "6000",
            "0",
            CollectionOutcome.PAID_IN_FULL,
        ),
        # a part payment of everything left is a payment in full
        (
            inv(collected=4_000),
            CollectionOutcome.PAID_IN_PART,
            "6000",
            "6000",
            "6000",
            "0",
            CollectionOutcome.PAID_IN_FULL,
        ),
        (inv(), CollectionOutcome.UNPAID, None, "0", "0", "10000", CollectionOutcome.UNPAID),
        # covered 6,000 of 10,000: the first 4,000 paid off the uninsured excess
        (
            inv(covered=6_000),
            CollectionOutcome.PAID_IN_PART,
            "5000",
            "5000",
            "1000",
            "5000",
            CollectionOutcome.PAID_IN_PART,
        ),
        (
            inv(covered=6_000),
            CollectionOutcome.PAID_IN_FULL,
            None,
            "10000",
            "6000",
            "0",
            CollectionOutcome.PAID_IN_FULL,
        ),
    ],
)
def test_applying_a_confirmation(
    invoice: OpenInvoice,
    outcome: CollectionOutcome,
    amount: str | None,
    collected_now: str,
    freed: str,
    outstanding: str,
    final: CollectionOutcome,
) -> None:
    result = apply_confirmation(
        invoice,
        outcome=outcome,
        amount=None if amount is None else usd(amount),
        paid_on=date(2026, 4, 28),
        today=TODAY,
    )
    assert result.collected_now == usd(collected_now)
    assert result.freed_limit == usd(freed)
    assert result.invoice.outstanding == usd(outstanding)
    assert result.outcome is final


@pytest.mark.parametrize(
    ("invoice", "outcome", "amount", "paid_on", "code"),
    [
        (
            inv(),
            CollectionOutcome.PAID_IN_PART,
            "10000.01",
            date(2026, 4, 28),
            "collection_exceeds_invoice",
        ),
        (
            inv(collected=4_000),
            CollectionOutcome.PAID_IN_FULL,
            "10000",
            date(2026, 4, 28),
            "collection_exceeds_invoice",
        ),
        (
            inv(collected=10_000),
            CollectionOutcome.PAID_IN_PART,
            "1",
            date(2026, 4, 28),
            "collection_exceeds_invoice",
        ),
        (
            inv(),
            CollectionOutcome.PAID_IN_FULL,
            "9999",
            date(2026, 4, 28),
            "amount_below_outstanding",
        ),
        (inv(), CollectionOutcome.PAID_IN_PART, None, date(2026, 4, 28), "amount_not_positive"),
        (inv(), CollectionOutcome.PAID_IN_PART, "0", date(2026, 4, 28), "amount_not_positive"),
        (inv(), CollectionOutcome.PAID_IN_PART, "1", None, "paid_on_required"),
        (inv(), CollectionOutcome.PAID_IN_PART, "1", date(2026, 5, 2), "paid_on_in_future"),
        (inv(), CollectionOutcome.PAID_IN_PART, "1.001", date(2026, 4, 28), "too_many_decimals"),
        (inv(), CollectionOutcome.UNPAID, "5", None, "amount_not_zero"),
    ],
)
def test_bad_confirmations_are_refused(
    invoice: OpenInvoice,
    outcome: CollectionOutcome,
    amount: str | None,
    paid_on: date | None,
    code: str,
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        apply_confirmation(
            invoice,
            outcome=outcome,
            amount=None if amount is None else usd(amount),
            paid_on=paid_on,
            today=TODAY,
        )
    assert exc.value.code == code


def test_a_confirmation_in_another_currency_is_refused() -> None:
    with pytest.raises(ValidationFailed) as exc:
        apply_confirmation(
            inv(),
            outcome=CollectionOutcome.PAID_IN_PART,
            amount=Money.of(1, "EUR"),
            paid_on=TODAY,
            today=TODAY,
        )
    assert exc.value.code == "currency_mismatch"


@given(
    amount=st.integers(1, 10**8),
    covered=st.integers(0, 10**8),
    payments=st.lists(st.integers(1, 10**8), max_size=6),
)
def test_payments_free_at_most_what_the_invoice_took(
    amount: int, covered: int, payments: list[int]
) -> None:
    invoice = OpenInvoice(
        invoice_id=1,
        buyer_id=1,
        amount=Money.from_minor(amount, "USD"),
        shipment_date=date(2026, 1, 1),
        due_date=date(2026, 3, 1),
        covered=Money.from_minor(min(covered, amount), "USD"),
    )
    took = invoice.limit_use
    results = []
    for minor in payments:
        pay = Money.from_minor(minor, "USD")
        if pay > invoice.outstanding:
            continue
        result = apply_confirmation(
            invoice, outcome=CollectionOutcome.PAID_IN_PART, amount=pay, paid_on=TODAY, today=TODAY
        )
        assert Money.zero("USD") <= result.freed_limit <= pay
        results.append(result)
        invoice = result.invoice
    assert freed_limit_total(results, "USD") == took - invoice.limit_use


def test_chasing_unconfirmed_invoices() -> None:
    policy = ChasePolicy(reminder_days=(7, 14), escalate_after_days=21)
    assert chase_schedule(date(2026, 4, 1), policy) == (
        date(2026, 4, 8),
        date(2026, 4, 15),
        date(2026, 4, 22),
    )
    requests = [
        ConfirmationRequest(invoice_id=1, requested_on=date(2026, 4, 1)),  # 30 days: escalate
        ConfirmationRequest(invoice_id=2, requested_on=date(2026, 4, 20)),  # 11 days
        ConfirmationRequest(invoice_id=3, requested_on=date(2026, 4, 28)),  # too early
        ConfirmationRequest(
            invoice_id=4, requested_on=date(2026, 4, 1), answered_on=date(2026, 4, 3)
        ),
    ]
    assert chasing_due(requests, today=TODAY, policy=policy) == (
        Chase(invoice_id=1, reminder_number=3, due_on=date(2026, 4, 22), escalate=True),
        Chase(invoice_id=2, reminder_number=1, due_on=date(2026, 4, 27), escalate=False),
    )

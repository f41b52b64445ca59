"""Recoveries shared between insurer and insured, to the cent, and booked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.claims.indemnity import ClaimState
from tradecover.claims.recovery import (
    book_approval,
    book_payment,
    book_recovery,
    check_rights_transferred,
    rights_transferred,
    share_recovery,
)
from tradecover.kit.errors import Conflict, ValidationFailed
from tradecover.kit.money import Money
from tradecover.ledger.journal import Account, trial_balance


def usd(amount: int | str) -> Money:
    return Money.of(amount, "USD")


@pytest.mark.parametrize(
    ("gross", "costs", "indemnity", "loss", "insurer", "insured"),
    [
        # loss 100,000 paid at 90 %: the insurer holds 90 % of the loss
        ("20000", "2000", "90000", "100000", "16200.00", "1800.00"),
        # the limit capped it: 90,000 paid on a 120,000 loss, 75 % / 25 %
        ("12000", "0", "90000", "120000", "9000.00", "3000.00"),
        # a cent that does not split evenly goes to the larger remainder
        ("100.01", "0", "90000", "120000", "75.01", "25.00"),
        # one third each way: 10.00 net splits 3.33 / 6.67
        ("10", "0", "10", "30", "3.33", "6.67"),
        # a recovery eaten by its costs shares nothing
        ("500", "500", "90000", "100000", "0.00", "0.00"),
        # the insurer paid the whole loss: it keeps the whole recovery
        ("700", "100", "5000", "5000", "600.00", "0.00"),
    ],
)
def test_recovery_sharing(
    gross: str, costs: str, indemnity: str, loss: str, insurer: str, insured: str
) -> None:
    shares = share_recovery(
        gross=usd(gross), costs=usd(costs), indemnity=usd(indemnity), loss=usd(loss)
    )
    assert (shares.insurer, shares.insured) == (usd(insurer), usd(insured))
    assert shares.net == usd(gross) - usd(costs)


@pytest.mark.parametrize(
    ("gross", "costs", "before", "code"),
    [
        ("100", "101", "0", "costs_exceed_recovery"),
        ("0", "0", "0", "recovery_not_positive"),
        ("100", "-1", "0", "costs_negative"),
        ("60000", "0", "50000", "recovery_exceeds_loss"),
    ],
)
def test_bad_recoveries_are_refused(gross: str, costs: str, before: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        share_recovery(
            gross=usd(gross),
            costs=usd(costs),
            indemnity=usd(90_000),
            loss=usd(100_000),
            net_recovered_before=usd(before),
        )
    assert exc.value.code == code


def test_rights_pass_on_payment() -> None:
    assert [s for s in ClaimState if rights_transferred(s)] == [ClaimState.PAID, ClaimState.CLOSED]
    with pytest.raises(Conflict) as exc:
        check_rights_transferred(ClaimState.APPROVED)
    assert exc.value.code == "rights_not_transferred"
    check_rights_transferred(ClaimState.PAID)
    # a claim closed unpaid (rejected or withdrawn) never passed any rights
    assert not rights_transferred(ClaimState.CLOSED, paid=False)
    with pytest.raises(Conflict) as exc:
        check_rights_transferred(ClaimState.CLOSED, paid=False)
    assert exc.value.code == "rights_not_transferred"


def test_the_books_of_a_claim_and_its_recovery_balance() -> None:
    shares = share_recovery(
        gross=usd(20_000), costs=usd(2_000), indemnity=usd(90_000), loss=usd(100_000)
    )
    recovery = book_recovery(
        claim_ref="C-1", recovery_ref="R-1", shares=shares, posted_on=date(2026, 10, 1)
    )
    assert recovery is not None
    entries = [
        book_approval(claim_ref="C-1", indemnity=usd(90_000), posted_on=date(2026, 8, 1)),
        book_payment(claim_ref="C-1", amount=usd(90_000), posted_on=date(2026, 8, 5)),
        recovery,
    ]
    assert [e.key for e in entries] == [
        "claim:C-1:approved",
        "claim:C-1:paid",
        "claim:C-1:recovery:R-1",
    ]
    tb = trial_balance(entries)
    assert tb.is_balanced()
    assert tb.balance(Account.CLAIMS_EXPENSE, "USD") == Decimal(90_000)
    assert tb.balance(Account.CASH, "USD") == Decimal(-90_000 + 18_000)
    assert tb.balance(Account.RECOVERIES, "USD") == Decimal(-16_200)
    assert tb.balance(Account.CLAIMS_PAYABLE, "USD") == Decimal(-1_800)  # owed to the insured


money = st.integers(min_value=1, max_value=10**10).map(lambda c: Money.from_minor(c, "USD"))


@given(
    gross=money,
    cost_share=st.integers(min_value=0, max_value=100),
    loss=money,
    paid_share=st.integers(min_value=0, max_value=100),
)
def test_shares_add_up_to_the_net_and_are_proportional(
    gross: Money, cost_share: int, loss: Money, paid_share: int
) -> None:
    costs = Money(gross.amount * cost_share / 100, "USD").rounded()
    indemnity = Money(loss.amount * paid_share / 100, "USD").rounded()
    net = gross - costs
    if net > loss:
        with pytest.raises(ValidationFailed):
            share_recovery(gross=gross, costs=costs, indemnity=indemnity, loss=loss)
        return
    shares = share_recovery(gross=gross, costs=costs, indemnity=indemnity, loss=loss)
    assert shares.insurer + shares.insured == net
    assert shares.insurer.amount >= 0
    assert shares.insured.amount >= 0
    exact = net.amount * indemnity.amount / loss.amount
    assert abs(shares.insurer.amount - exact) < Decimal("0.01")


def test_a_recovery_eaten_by_its_costs_books_nothing() -> None:
    shares = share_recovery(
        gross=usd(500), costs=usd(500), indemnity=usd(90_000), loss=usd(100_000)
    )
    assert (
        book_recovery(
            claim_ref="C-1", recovery_ref="R-2", shares=shares, posted_on=date(2026, 10, 1)
        )
        is None
    )

"""Claim states, the waiting period and four eyes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tradecover.claims.indemnity import (
    CLAIM_TRANSITIONS,
    ClaimDefaults,
    ClaimEvent,
    ClaimState,
    ClaimTerms,
    check_approvals,
    check_notice,
    check_waiting_period,
    claim_terms_for,
    earliest_payment_date,
    next_claim_state,
    requires_second_approval,
)
from tradecover.claims.indemnity import LossCause as C
from tradecover.kit.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from tradecover.kit.money import Money
from tradecover.policies.schedule import ClaimTermsSchedule

S, E = ClaimState, ClaimEvent


def usd(amount: int | str) -> Money:
    return Money.of(amount, "USD")


def test_the_happy_path() -> None:
    state = S.FILED
    for event in (E.START_CHECKS, E.APPROVE, E.PAY, E.CLOSE):
        state = next_claim_state(state, event)
    assert state is S.CLOSED


def test_only_the_listed_moves_are_legal() -> None:
    assert CLAIM_TRANSITIONS == {
        (S.FILED, E.START_CHECKS): S.CHECKING,
        (S.FILED, E.REJECT): S.REJECTED,
        (S.CHECKING, E.APPROVE): S.APPROVED,
        (S.CHECKING, E.REJECT): S.REJECTED,
        (S.APPROVED, E.PAY): S.PAID,
        (S.PAID, E.CLOSE): S.CLOSED,
        # closing as rejected, and withdrawing before a decision
        (S.REJECTED, E.CLOSE): S.CLOSED,
        (S.FILED, E.CLOSE): S.CLOSED,
        (S.CHECKING, E.CLOSE): S.CLOSED,
    }


@pytest.mark.parametrize(
    ("state", "event", "code"),
    [
        (S.REJECTED, E.PAY, "claim_rejected"),
        (S.PAID, E.PAY, "claim_already_paid"),
        (S.CLOSED, E.PAY, "claim_already_paid"),
        (S.FILED, E.PAY, "illegal_transition"),
        (S.CHECKING, E.PAY, "illegal_transition"),
        (S.FILED, E.APPROVE, "illegal_transition"),
        (S.APPROVED, E.REJECT, "illegal_transition"),
        (S.REJECTED, E.APPROVE, "illegal_transition"),
        (S.PAID, E.REJECT, "illegal_transition"),
        (S.APPROVED, E.CLOSE, "illegal_transition"),  # booked as payable: pay it first
        (S.CLOSED, E.CLOSE, "illegal_transition"),
    ],
)
def test_illegal_moves_name_their_reason(state: ClaimState, event: ClaimEvent, code: str) -> None:
    with pytest.raises(Conflict) as exc:
        next_claim_state(state, event)
    assert exc.value.code == code
    assert exc.value.status == 409
    assert isinstance(exc.value, IllegalTransition) is (code == "illegal_transition")


def test_claim_without_notice() -> None:
    with pytest.raises(ValidationFailed) as exc:
        check_notice(None)
    assert (exc.value.code, exc.value.field) == ("claim_without_notice", "notice_id")
    assert check_notice(date(2026, 5, 1)) == date(2026, 5, 1)


DUE, DECIDED = date(2026, 3, 31), date(2026, 5, 1)


@pytest.mark.parametrize(
    ("cause", "terms", "earliest"),
    [
        (C.PROTRACTED_DEFAULT, ClaimTerms(waiting_period_days=120), date(2026, 7, 29)),
        (C.PROTRACTED_DEFAULT, ClaimTerms(waiting_period_days=30), DECIDED),  # already over
        (C.INSOLVENCY, ClaimTerms(waiting_period_days=120), DECIDED),  # none on insolvency
        (
            C.INSOLVENCY,
            ClaimTerms(waiting_period_days=120, waiting_on_insolvency=True),
            date(2026, 7, 29),
        ),
        (C.REFUSAL_OF_GOODS, ClaimTerms(waiting_period_days=60), date(2026, 5, 30)),
        (C.WAR, ClaimTerms(waiting_period_days=60), date(2026, 5, 30)),
        (C.WAR, ClaimTerms(waiting_period_days=60, waiting_on_political=False), DECIDED),
    ],
)
def test_waiting_period(cause: C, terms: ClaimTerms, earliest: date) -> None:
    assert (
        earliest_payment_date(cause=cause, due_date=DUE, decided_on=DECIDED, terms=terms)
        == earliest
    )


def test_payment_before_the_waiting_period_ends_is_refused() -> None:
    terms = ClaimTerms(waiting_period_days=120)
    with pytest.raises(Conflict) as exc:
        check_waiting_period(
            cause=C.PROTRACTED_DEFAULT,
            due_date=DUE,
            decided_on=DECIDED,
            terms=terms,
            today=date(2026, 7, 28),
        )
    assert exc.value.code == "waiting_period_not_over"
    assert exc.value.details == {"earliest_payment_date": "2026-07-29"}
    check_waiting_period(
        cause=C.PROTRACTED_DEFAULT,
        due_date=DUE,
        decided_on=DECIDED,
        terms=terms,
        today=date(2026, 7, 29),
    )


def test_four_eyes_above_the_threshold() -> None:
    terms = ClaimTerms(second_approval_above=usd(100_000))
    assert requires_second_approval(usd(100_000), terms.second_approval_above) is False
    assert requires_second_approval(usd("100000.01"), terms.second_approval_above) is True
    assert requires_second_approval(usd(10**9), None) is False
    check_approvals(indemnity=usd(100_000), terms=terms, approvers=["ann"])
    check_approvals(indemnity=usd(200_000), terms=terms, approvers=["ann", "bob"])
    with pytest.raises(Conflict) as exc:
        check_approvals(indemnity=usd(200_000), terms=terms, approvers=["ann"])
    assert exc.value.code == "second_approval_required"
    with pytest.raises(PermissionDenied) as denied:
        check_approvals(indemnity=usd(200_000), terms=terms, approvers=["ann", " ANN "])
    assert denied.value.code == "four_eyes_same_person"
    with pytest.raises(ValidationFailed) as none:
        check_approvals(indemnity=usd(1), terms=terms, approvers=[])
    assert none.value.code == "approver_required"


def test_a_policy_s_own_claim_terms_override_the_installation_defaults() -> None:
    defaults = ClaimDefaults(
        claim_filing_days=180,
        waiting_period_days=120,
        waiting_on_insolvency=False,
        second_approval_above=Decimal(100_000),
        late_notice_denies_claim=True,
    )
    # a policy that sets nothing keeps every default (existing policies keep working)
    assert claim_terms_for(ClaimTermsSchedule(), currency="EUR", defaults=defaults) == ClaimTerms(
        waiting_period_days=120,
        waiting_on_insolvency=False,
        second_approval_above=Money.of(100_000, "EUR"),
        claim_filing_days=180,
        late_notice_denies_claim=True,
    )
    own = ClaimTermsSchedule(
        claim_filing_days=90,
        waiting_period_days=0,
        waiting_on_insolvency=True,
        second_approval_above=Decimal("25000.50"),
        late_notice_denies_claim=False,
    )
    assert claim_terms_for(own, currency="USD", defaults=defaults) == ClaimTerms(
        waiting_period_days=0,
        waiting_on_insolvency=True,
        second_approval_above=usd("25000.50"),
        claim_filing_days=90,
        late_notice_denies_claim=False,
    )
    # a threshold of zero is a setting (every claim needs two), not "unset"
    zero = claim_terms_for(
        ClaimTermsSchedule(second_approval_above=Decimal(0)), currency="USD", defaults=defaults
    )
    assert requires_second_approval(usd("0.01"), zero.second_approval_above)


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        (ClaimTermsSchedule(claim_filing_days=-1), "claim_terms.claim_filing_days"),
        (ClaimTermsSchedule(waiting_period_days=731), "claim_terms.waiting_period_days"),
        (
            ClaimTermsSchedule(second_approval_above=Decimal(-1)),
            "claim_terms.second_approval_above",
        ),
    ],
)
def test_out_of_range_claim_terms_are_refused(terms: ClaimTermsSchedule, field: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        terms.validate()
    assert (exc.value.code, exc.value.field) == ("claim_term_out_of_range", field)

from datetime import date
from decimal import Decimal

import pytest

from tradecover.kit.errors import IllegalTransition, ValidationFailed
from tradecover.policies.lifecycle import (
    TERMINAL,
    TRANSITIONS,
    PolicyEvent,
    PolicyState,
    TerminationKind,
    TerminationOutcome,
    next_state,
    terminate,
)

S, E = PolicyState, PolicyEvent

# The whole legal table, written out independently of the implementation.
LEGAL = {
    (S.DRAFT, E.QUOTE): S.QUOTED,
    (S.DRAFT, E.WITHDRAW): S.CANCELLED,
    (S.QUOTED, E.REVISE): S.DRAFT,
    (S.QUOTED, E.ISSUE): S.ACTIVE,
    (S.QUOTED, E.WITHDRAW): S.CANCELLED,
    (S.ACTIVE, E.SUSPEND): S.SUSPENDED,
    (S.ACTIVE, E.EXPIRE): S.EXPIRED,
    (S.ACTIVE, E.RENEW): S.RENEWED,
    (S.ACTIVE, E.CANCEL): S.CANCELLED,
    (S.ACTIVE, E.RESCIND): S.RESCINDED,
    (S.SUSPENDED, E.REINSTATE): S.ACTIVE,
    (S.SUSPENDED, E.EXPIRE): S.EXPIRED,
    (S.SUSPENDED, E.CANCEL): S.CANCELLED,
    (S.SUSPENDED, E.RESCIND): S.RESCINDED,
    (S.EXPIRED, E.RESCIND): S.RESCINDED,
    (S.CANCELLED, E.RESCIND): S.RESCINDED,
    (S.RENEWED, E.RESCIND): S.RESCINDED,
}


@pytest.mark.parametrize(("state", "event"), [(s, e) for s in S for e in E], ids=lambda v: v.value)
def test_every_state_event_pair_is_legal_or_refused(state: PolicyState, event: PolicyEvent) -> None:
    if (state, event) in LEGAL:
        assert next_state(state, event) is LEGAL[(state, event)]
    else:
        with pytest.raises(IllegalTransition) as refused:
            next_state(state, event)
        assert refused.value.code == "illegal_transition"
        assert refused.value.status == 409
        assert refused.value.details == {"state": state.value, "event": event.value}


def test_table_matches_the_spec_exactly() -> None:
    assert TRANSITIONS == LEGAL
    assert len(TRANSITIONS) == 17


def test_refusal_names_the_possible_moves() -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_state(S.QUOTED, E.SUSPEND)
    assert str(refused.value) == (
        "a quoted policy cannot suspend (possible: issue, revise, withdraw)"
    )
    with pytest.raises(IllegalTransition) as final:
        next_state(S.RESCINDED, E.RESCIND)
    assert str(final.value) == "a rescinded policy cannot rescind (it is final)"


def test_only_rescission_leaves_terminal_states() -> None:
    assert frozenset({S.EXPIRED, S.RENEWED, S.CANCELLED, S.RESCINDED}) == TERMINAL
    for state, event in LEGAL:
        if state in TERMINAL:
            assert event is E.RESCIND


INCEPTION, EXPIRY = date(2027, 1, 1), date(2027, 12, 31)


def _terminate(
    kind: TerminationKind, *, by_insurer: bool, today: date, requested: date | None = None
) -> TerminationOutcome:
    return terminate(
        kind=kind,
        by_insurer=by_insurer,
        today=today,
        requested_date=requested,
        inception=INCEPTION,
        expiry=EXPIRY,
    )


def test_insured_cancellation_keeps_liability_and_refunds_nothing() -> None:
    out = _terminate(TerminationKind.INSURED_CANCELLATION, by_insurer=False, today=date(2027, 6, 1))
    assert out.event is E.CANCEL
    assert out.effective_date == date(2027, 6, 1)
    assert out.liability_retained is True
    assert out.premium_refund == Decimal(0)


def test_cancellation_on_a_later_date() -> None:
    out = _terminate(
        TerminationKind.INSURER_CANCELLATION,
        by_insurer=True,
        today=date(2027, 6, 1),
        requested=date(2027, 7, 1),
    )
    assert (out.event, out.effective_date, out.liability_retained) == (
        E.CANCEL,
        date(2027, 7, 1),
        True,
    )


@pytest.mark.parametrize(
    ("requested", "code"),
    [
        (date(2027, 5, 31), "backdated_cancellation"),
        (date(2028, 1, 1), "cancellation_after_expiry"),
    ],
)
def test_cancellation_dates_out_of_bounds(requested: date, code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _terminate(
            TerminationKind.INSURED_CANCELLATION,
            by_insurer=False,
            today=date(2027, 6, 1),
            requested=requested,
        )
    assert refused.value.code == code
    assert refused.value.field == "effective_date"


def test_each_side_uses_its_own_cancellation_kind() -> None:
    with pytest.raises(ValidationFailed) as insurer:
        _terminate(TerminationKind.INSURED_CANCELLATION, by_insurer=True, today=date(2027, 6, 1))
    assert insurer.value.code == "wrong_termination_kind"
    with pytest.raises(ValidationFailed) as insured:
        _terminate(TerminationKind.INSURER_CANCELLATION, by_insurer=False, today=date(2027, 6, 1))
    assert insured.value.code == "wrong_termination_kind"


def test_fraud_rescission_ends_all_liability_from_inception() -> None:
    out = _terminate(TerminationKind.RESCISSION_FOR_FRAUD, by_insurer=True, today=date(2027, 6, 1))
    assert out.event is E.RESCIND
    assert out.effective_date == INCEPTION
    assert out.liability_retained is False
    assert out.premium_refund == Decimal(0)


def test_only_the_insurer_rescinds() -> None:
    with pytest.raises(ValidationFailed) as refused:
        _terminate(TerminationKind.RESCISSION_FOR_FRAUD, by_insurer=False, today=date(2027, 6, 1))
    assert refused.value.code == "rescission_by_insured"


@pytest.mark.parametrize("by_insurer", [True, False])
def test_non_renewal_by_either_side_with_notice(by_insurer: bool) -> None:
    out = _terminate(TerminationKind.NON_RENEWAL, by_insurer=by_insurer, today=date(2027, 12, 1))
    assert out.event is None
    assert out.effective_date == EXPIRY
    assert out.liability_retained is True
    with pytest.raises(ValidationFailed) as late:
        _terminate(TerminationKind.NON_RENEWAL, by_insurer=by_insurer, today=date(2027, 12, 2))
    assert late.value.code == "notice_too_late"

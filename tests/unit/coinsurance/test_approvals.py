"""Followers' approval of large claims [domain CO-11] [domain CO-12] and the shares of a
single large limit [domain CO-13] (pure rules, with Hypothesis properties).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.coinsurance import (
    ApprovalState,
    FollowerAnswer,
    FollowerApprovalMissing,
    ParticipantRole,
    Participation,
    needs_follower_approval,
    shares_for,
    single_limit,
)
from tradecover.coinsurance.approvals import (
    ensure_all_approved,
    followers_to_ask,
    next_approval_state,
)
from tradecover.kit.errors import Conflict, ValidationFailed

JAN, JUL = date(2026, 1, 1), date(2026, 7, 1)
LEAD, FOLLOWER = ParticipantRole.LEAD, ParticipantRole.FOLLOWER
POLICY = [Participation(1, LEAD, Decimal(50), JAN), Participation(7, FOLLOWER, Decimal(50), JAN)]
LIMIT = [
    Participation(1, LEAD, Decimal(60), JUL),
    Participation(9, FOLLOWER, Decimal(40), JUL),
]


@given(st.integers(0, 10**12), st.integers(0, 10**12))
def test_only_a_claim_strictly_above_the_threshold_asks_the_followers(
    indemnity: int, threshold: int
) -> None:
    assert needs_follower_approval(indemnity, threshold) == (indemnity > threshold)
    assert not needs_follower_approval(indemnity, None)


def test_the_followers_asked_are_those_the_claim_is_split_by() -> None:
    assert followers_to_ask(POLICY) == [7]
    assert followers_to_ask(POLICY[:1]) == []


def test_an_objection_needs_a_reason_and_an_approval_is_final() -> None:
    with pytest.raises(ValidationFailed) as no_reason:
        next_approval_state(ApprovalState.PENDING, FollowerAnswer.OBJECT, "  ")
    assert no_reason.value.code == "reason_required"
    assert (
        next_approval_state(ApprovalState.PENDING, FollowerAnswer.OBJECT, "solvent")
        is ApprovalState.OBJECTED
    )
    assert (
        next_approval_state(ApprovalState.OBJECTED, FollowerAnswer.APPROVE, None)
        is ApprovalState.APPROVED
    )
    with pytest.raises(Conflict) as twice:
        next_approval_state(ApprovalState.OBJECTED, FollowerAnswer.OBJECT, "again")
    assert twice.value.code == "already_objected"
    for answer in FollowerAnswer:
        with pytest.raises(Conflict) as final:
            next_approval_state(ApprovalState.APPROVED, answer, "why")
        assert final.value.code == "approval_already_given"


@given(st.dictionaries(st.integers(1, 50), st.sampled_from(list(ApprovalState)), max_size=6))
def test_a_claim_is_paid_only_when_every_follower_asked_approved(
    states: dict[int, ApprovalState],
) -> None:
    if all(s is ApprovalState.APPROVED for s in states.values()):
        ensure_all_approved(states)
        return
    with pytest.raises(FollowerApprovalMissing) as refused:
        ensure_all_approved(states)
    assert refused.value.code == "follower_approval_missing"
    waiting = refused.value.details["waiting"]
    assert waiting == sorted(o for o, s in states.items() if s is not ApprovalState.APPROVED)


def test_a_claim_under_one_limit_belongs_to_it_and_its_shares_come_first() -> None:
    assert single_limit([5, 5, None]) == 5
    assert single_limit([5, 6]) is None
    assert single_limit([None]) is None
    # before the limit's shares start, the policy's apply; from then, the limit's
    assert [p.org_id for p in shares_for(POLICY, LIMIT, date(2026, 3, 1))] == [1, 7]
    assert [p.org_id for p in shares_for(POLICY, LIMIT, date(2026, 8, 1))] == [1, 9]
    assert shares_for([], [], JUL) == []

"""Sign-in throttling rules: free failures, doubling locks, the cap, forgetting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.access.throttle import (
    ThrottlePolicy,
    ThrottleState,
    after_failure,
    lock_length,
    locked_for,
    newly_locked,
)

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
POLICY = ThrottlePolicy(
    free_failures=5,
    first_lock=timedelta(seconds=30),
    max_lock=timedelta(seconds=900),
    forget_after=timedelta(minutes=15),
)


def test_the_first_failures_are_free_then_locks_double_up_to_the_cap() -> None:
    lengths = [lock_length(n, POLICY) for n in range(1, 12)]
    seconds = [None if x is None else int(x.total_seconds()) for x in lengths]
    assert seconds == [None, None, None, None, 30, 60, 120, 240, 480, 900, 900]
    assert lock_length(10**6, POLICY) == timedelta(seconds=900)


def test_the_fifth_wrong_password_locks_and_the_lock_refuses_until_it_runs_out() -> None:
    state = ThrottleState()
    for minute in range(4):
        state = after_failure(state, T0 + timedelta(minutes=minute), POLICY)
        assert locked_for(state, T0 + timedelta(minutes=minute)) is None
    before = state
    state = after_failure(state, T0 + timedelta(minutes=4), POLICY)
    assert newly_locked(before, state)
    assert state == ThrottleState(
        failures=5,
        last_failure_at=T0 + timedelta(minutes=4),
        locked_until=T0 + timedelta(minutes=4, seconds=30),
    )
    assert locked_for(state, T0 + timedelta(minutes=4, seconds=10)) == timedelta(seconds=20)
    assert locked_for(state, T0 + timedelta(minutes=4, seconds=30)) is None


def test_a_failure_while_locked_is_not_counted() -> None:
    state = ThrottleState(failures=5, last_failure_at=T0, locked_until=T0 + timedelta(seconds=30))
    assert after_failure(state, T0 + timedelta(seconds=5), POLICY) is state


def test_a_failure_after_the_lock_doubles_it() -> None:
    state = ThrottleState(failures=5, last_failure_at=T0, locked_until=T0 + timedelta(seconds=30))
    later = T0 + timedelta(seconds=31)
    after = after_failure(state, later, POLICY)
    assert after == ThrottleState(
        failures=6, last_failure_at=later, locked_until=later + timedelta(seconds=60)
    )
    assert newly_locked(state, after)


def test_quiet_time_forgets_the_failures() -> None:
    state = ThrottleState(failures=4, last_failure_at=T0)
    assert after_failure(state, T0 + timedelta(minutes=15), POLICY) == ThrottleState(
        failures=1, last_failure_at=T0 + timedelta(minutes=15)
    )
    assert after_failure(state, T0 + timedelta(minutes=14), POLICY).failures == 5
    locked = ThrottleState(failures=9, last_failure_at=T0, locked_until=T0 + timedelta(minutes=8))
    # quiet is measured from the end of the lock
    assert after_failure(locked, T0 + timedelta(minutes=20), POLICY).failures == 10
    assert after_failure(locked, T0 + timedelta(minutes=23), POLICY).failures == 1


def test_a_policy_needs_a_free_failure_and_a_sensible_lock() -> None:
    with pytest.raises(ValueError, match="free"):
        ThrottlePolicy(0, timedelta(seconds=1), timedelta(seconds=2), timedelta(seconds=3))
    with pytest.raises(ValueError, match="first lock"):
        ThrottlePolicy(1, timedelta(seconds=5), timedelta(seconds=2), timedelta(seconds=3))


@given(
    st.integers(min_value=1, max_value=200),
    st.integers(min_value=1, max_value=20),
    st.integers(min_value=1, max_value=600),
    st.integers(min_value=1, max_value=100),
)
def test_locks_never_shrink_as_failures_grow_and_never_pass_the_cap(
    failures: int, free: int, first: int, factor: int
) -> None:
    policy = ThrottlePolicy(
        free, timedelta(seconds=first), timedelta(seconds=first * factor), timedelta(minutes=15)
    )
    now_lock, next_lock = lock_length(failures, policy), lock_length(failures + 1, policy)
    assert (now_lock is None) == (failures < free)
    assert next_lock is not None or failures + 1 < free
    if now_lock is not None:
        assert next_lock is not None
        assert policy.first_lock <= now_lock <= next_lock <= policy.max_lock


@given(st.lists(st.integers(min_value=0, max_value=3600), max_size=40))
def test_a_lock_only_ever_moves_later_and_failures_never_pass_while_locked(gaps: list[int]) -> None:
    state, now = ThrottleState(), T0
    for gap in gaps:
        now += timedelta(seconds=gap)
        after = after_failure(state, now, POLICY)
        if locked_for(state, now) is not None:
            assert after == state
        else:
            assert after.last_failure_at == now
            assert 1 <= after.failures <= state.failures + 1
        if state.locked_until is not None and after.locked_until is not None:
            assert after.locked_until >= state.locked_until
        state = after

"""Sign-in throttling: how many failures are free, and how long a lock lasts (pure rules).

A *subject* (an e-mail address, or a client address) accumulates failed sign-ins. The
first ``free_failures`` cost nothing; the failure that reaches the limit locks the
subject for ``first_lock``, and every further failure after a lock has run out doubles
it, up to ``max_lock``. While locked, every sign-in of the subject is refused, the
right password included, and not counted. Failures are forgotten once the subject was
quiet for ``forget_after`` (since its last failure and since its lock ran out); a
successful sign-in forgets an account's failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """The limits of one kind of subject (accounts or client addresses)."""

    free_failures: int
    first_lock: timedelta
    max_lock: timedelta
    forget_after: timedelta

    def __post_init__(self) -> None:
        if self.free_failures < 1:
            raise ValueError("at least one failure must be free")
        if not timedelta(0) < self.first_lock <= self.max_lock:
            raise ValueError("the first lock must be positive and at most the longest")


@dataclass(frozen=True, slots=True)
class ThrottleState:
    """What is known about one subject: its failures in a row, the last one, its lock."""

    failures: int = 0
    last_failure_at: datetime | None = None
    locked_until: datetime | None = None


def lock_length(failures: int, policy: ThrottlePolicy) -> timedelta | None:
    """The lock that ``failures`` in a row earn: none below the limit, then doubling."""
    if failures < policy.free_failures:
        return None
    length = policy.first_lock
    for _ in range(failures - policy.free_failures):  # stops at the cap: never overflows
        if length >= policy.max_lock:
            break
        length *= 2
    return min(length, policy.max_lock)


def locked_for(state: ThrottleState, now: datetime) -> timedelta | None:
    """How long the subject stays locked from ``now``; None when it is not locked."""
    if state.locked_until is None or state.locked_until <= now:
        return None
    return state.locked_until - now


def after_failure(state: ThrottleState, now: datetime, policy: ThrottlePolicy) -> ThrottleState:
    """The state after one more failure at ``now`` (a failure while locked is not counted)."""
    if locked_for(state, now) is not None:
        return state
    failures = state.failures
    quiet_since = max(
        (t for t in (state.last_failure_at, state.locked_until) if t is not None), default=None
    )
    if quiet_since is not None and now - quiet_since >= policy.forget_after:
        failures = 0
    failures += 1
    length = lock_length(failures, policy)
    return ThrottleState(
        failures=failures,
        last_failure_at=now,
        locked_until=now + length if length is not None else None,
    )


def newly_locked(before: ThrottleState, after: ThrottleState) -> bool:
    """True when a failure set a new lock (each such lock is audited)."""
    return after.locked_until is not None and after.locked_until != before.locked_until

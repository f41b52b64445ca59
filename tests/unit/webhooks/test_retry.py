"""The retry schedule: exponential with jitter, capped, for at least 24 hours."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from tradecover.webhooks import RETRY_WINDOW, backoff, next_attempt

START = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def test_the_waits_grow_and_stop_growing_at_four_hours() -> None:
    rng = random.Random(1)
    waits = [backoff(n, rng=rng) for n in range(1, 15)]
    assert waits[0] <= timedelta(seconds=6) and waits[1] > waits[0]
    assert all(w <= timedelta(hours=4.8) for w in waits)
    assert waits[-1] >= timedelta(hours=3.2)


def test_jitter_spreads_the_same_retry() -> None:
    rng = random.Random(2)
    assert len({backoff(4, rng=rng) for _ in range(20)}) > 1


def test_a_failing_delivery_is_retried_for_24_hours_then_given_up() -> None:
    rng = random.Random(3)
    now, failures = START, 0
    while True:
        failures += 1
        retry = next_attempt(failures=failures, first_attempt_at=START, now=now, rng=rng)
        if retry is None:
            break
        now = retry
    assert now - START >= RETRY_WINDOW
    assert now - START < RETRY_WINDOW + timedelta(hours=5)
    assert 10 <= failures <= 20


def test_backoff_counts_from_the_first_failure() -> None:
    with pytest.raises(ValueError):
        backoff(0)

"""The retry schedule of a webhook delivery: exponential backoff with jitter, 24 hours.

Attempt n (n = 1 after the first failure) waits ``min(5 s * 3^(n-1), 4 h)``, spread by
±20 % of jitter so that the retries of many deliveries do not arrive together.  A delivery
keeps being retried until 24 hours have passed since its first attempt; the next failure
after that marks it failed.  The schedule is roughly 5 s, 15 s, 45 s, 2 min, 7 min, 20 min,
1 h, 3 h, then every 4 h.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

FIRST_DELAY = timedelta(seconds=5)
GROWTH = 3
LONGEST_DELAY = timedelta(hours=4)
JITTER = 0.2
RETRY_WINDOW = timedelta(hours=24)


def backoff(failures: int, *, rng: random.Random | None = None) -> timedelta:
    """The wait after the ``failures``-th failed attempt (jittered)."""
    if failures < 1:
        raise ValueError("backoff counts failures from 1")
    base = FIRST_DELAY.total_seconds() * GROWTH ** min(failures - 1, 20)
    base = min(base, LONGEST_DELAY.total_seconds())
    spread = (rng or random).uniform(1 - JITTER, 1 + JITTER)
    return timedelta(seconds=base * spread)


def next_attempt(
    *, failures: int, first_attempt_at: datetime, now: datetime, rng: random.Random | None = None
) -> datetime | None:
    """When to try again after ``failures`` failed attempts, or None: give up (failed)."""
    if now - first_attempt_at >= RETRY_WINDOW:
        return None
    return now + backoff(failures, rng=rng)

"""Scheduled work on credit limits: revoke limits unused for the configured time.

One run is one transaction (the edge's): every idle limit gets a cancellation version, a
notice to its exporter and an audit entry, or none does.  Rerunning the same day finds
nothing left to revoke, so the job is idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from tradecover.access import Principal
from tradecover.config import Settings
from tradecover.limits import service

ProgressHook = Callable[[int, int], None]
"""Called with (done, total) after each limit."""


def revoke_idle_limits(
    session: Session,
    *,
    principal: Principal,
    settings: Settings,
    today: date,
    idle_days: int | None = None,
    on_progress: ProgressHook | None = None,
) -> list[int]:
    """Revoke every limit unused for ``idle_days`` (default ``TRADECOVER_LIMIT_IDLE_DAYS``)."""
    return service.revoke_idle(
        session,
        principal=principal,
        today=today,
        idle_days=idle_days or settings.limit_idle_days,
        progress=on_progress,
    )

"""What coinsurance asks other contexts before it sets a policy's participations, without
importing them.

A policy whose money another context already splits between insurers (double insurance,
[domain MK-12]) must not be coinsured too: both would move the same pooled amount.  The
market registers a guard here when it is imported;
:func:`tradecover.coinsurance.service.set_participations` calls every registered guard
before anything is written.  A guard refuses by raising a
domain error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

ParticipationGuard = Callable[["Session", int], None]
"""Called with the policy id; raises when the policy must not be coinsured."""

_guards: list[ParticipationGuard] = []


def guard_participations(guard: ParticipationGuard) -> None:
    """Register ``guard`` (once): it is called before every change of participations."""
    if guard not in _guards:
        _guards.append(guard)


def check_participations(session: Session, policy_id: int) -> None:
    """Call every registered guard for ``policy_id`` (a refusal propagates)."""
    for guard in tuple(_guards):
        guard(session, policy_id)


__all__ = ["ParticipationGuard", "check_participations", "guard_participations"]

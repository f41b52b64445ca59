"""What the policies context asks others before it underwrites or issues, without importing them.

Underwriting an application and issuing its policy are decisions of an insurer; on a
platform with a market ([domain MK-11]) the market context must agree that the risk may be
taken by the insurer that takes it.  The market context registers a guard here when it is
imported (:func:`guard_underwriting`); :func:`tradecover.policies.issuance.underwrite` and
:func:`tradecover.policies.issuance.issue` call every registered guard in their own
transaction, before anything is written.  A guard refuses by raising a domain error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

STAGE_UNDERWRITE: Final = "underwrite"
"""The application is decided: a draft policy is written on it."""
STAGE_ISSUE: Final = "issue"
"""The quoted policy is issued."""


@dataclass(frozen=True, slots=True)
class UnderwritingStep:
    """A step of underwriting about to happen: the stage, the application decided (None for
    a policy without one, e.g. a renewal), the policy (None before it is drafted), the
    exporter and who acts.
    """

    stage: str
    application_id: int | None
    policy_id: int | None
    exporter_org_id: int
    actor: str


UnderwritingGuard = Callable[["Session", UnderwritingStep], None]
"""Raises a domain error when the step must not happen; may record what it relied on."""

_guards: list[UnderwritingGuard] = []


def guard_underwriting(guard: UnderwritingGuard) -> None:
    """Register ``guard`` (once): it is called before every underwriting step."""
    if guard not in _guards:
        _guards.append(guard)


def check_underwriting(session: Session, step: UnderwritingStep) -> None:
    """Call every registered guard with ``step`` (a refusal propagates)."""
    for guard in tuple(_guards):
        guard(session, step)


__all__ = [
    "STAGE_ISSUE",
    "STAGE_UNDERWRITE",
    "UnderwritingGuard",
    "UnderwritingStep",
    "check_underwriting",
    "guard_underwriting",
]

"""What the policies context asks others before it underwrites or issues, without importing them.

Underwriting an application and issuing its policy are decisions of an insurer; on a
platform with a market ([domain MK-11]) the market context must agree that the risk may be
taken by the insurer that takes it.  The market context registers a guard here when it is
imported (:func:`guard_underwriting`); :func:`tradecover.policies.issuance.underwrite` and
:func:`tradecover.policies.issuance.issue` call every registered guard in their own
transaction, before anything is written.  A guard refuses by raising a domain error.

Submitting an application is announced the same way: the market registers a listener
(:func:`on_application_submitted`) that classifies the application's risk at once when it
has an insurer of last resort ([domain MK-16]);
:func:`tradecover.policies.applications.submit_application` calls every listener in its own
transaction, after the application is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tradecover.kit.money import Money

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


@dataclass(frozen=True, slots=True)
class SubmittedApplication:
    """A policy application just submitted: what a listener needs to know of its risk
    (the product, the exporter's annual export turnover: its profile's exports of the
    previous year, else the application's expected turnover; the destinations and the
    longest credit period), the exporter and who submitted it.
    """

    application_id: int
    exporter_org_id: int
    product: str
    export_turnover: Money
    destination_countries: tuple[str, ...]
    max_credit_days: int
    actor: str


ApplicationListener = Callable[["Session", SubmittedApplication], None]
"""Called once an application is written, in the same transaction; a domain error it
raises refuses the submission (nothing is written)."""

_listeners: list[ApplicationListener] = []


def on_application_submitted(listener: ApplicationListener) -> None:
    """Register ``listener`` (once): it is called after every application submitted."""
    if listener not in _listeners:
        _listeners.append(listener)


def application_submitted(session: Session, submitted: SubmittedApplication) -> None:
    """Call every registered listener with ``submitted``."""
    for listener in tuple(_listeners):
        listener(session, submitted)


__all__ = [
    "STAGE_ISSUE",
    "STAGE_UNDERWRITE",
    "ApplicationListener",
    "SubmittedApplication",
    "UnderwritingGuard",
    "UnderwritingStep",
    "application_submitted",
    "check_underwriting",
    "guard_underwriting",
    "on_application_submitted",
]

"""The policy state machine (pure): which moves are legal, and what termination leaves behind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from tradecover.kit.errors import IllegalTransition, ValidationFailed


class PolicyState(StrEnum):
    """States of a short-term comprehensive policy ([domain P-3])."""

    DRAFT = "draft"  # underwriting the schedule
    QUOTED = "quoted"  # terms offered to the exporter
    ACTIVE = "active"  # issued, cover attaching
    SUSPENDED = "suspended"  # e.g. long premium arrears: no new declarations accepted
    EXPIRED = "expired"  # term ended without renewal
    RENEWED = "renewed"  # term ended and a renewal policy took over
    CANCELLED = "cancelled"  # ended early (either side) or withdrawn before issue
    RESCINDED = "rescinded"  # voided for fraud: all liability ends


class PolicyEvent(StrEnum):
    """Things that move a policy between states."""

    QUOTE = "quote"
    REVISE = "revise"
    ISSUE = "issue"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    EXPIRE = "expire"
    RENEW = "renew"
    CANCEL = "cancel"
    RESCIND = "rescind"
    WITHDRAW = "withdraw"


S, E = PolicyState, PolicyEvent
TRANSITIONS: dict[tuple[PolicyState, PolicyEvent], PolicyState] = {
    (S.DRAFT, E.QUOTE): S.QUOTED,
    (S.DRAFT, E.WITHDRAW): S.CANCELLED,
    (S.QUOTED, E.REVISE): S.DRAFT,
    (S.QUOTED, E.ISSUE): S.ACTIVE,
    (S.QUOTED, E.WITHDRAW): S.CANCELLED,
    (S.ACTIVE, E.SUSPEND): S.SUSPENDED,
    (S.SUSPENDED, E.REINSTATE): S.ACTIVE,
    (S.ACTIVE, E.EXPIRE): S.EXPIRED,
    (S.SUSPENDED, E.EXPIRE): S.EXPIRED,
    (S.ACTIVE, E.RENEW): S.RENEWED,
    (S.ACTIVE, E.CANCEL): S.CANCELLED,
    (S.SUSPENDED, E.CANCEL): S.CANCELLED,
    (S.ACTIVE, E.RESCIND): S.RESCINDED,
    (S.SUSPENDED, E.RESCIND): S.RESCINDED,
    (S.EXPIRED, E.RESCIND): S.RESCINDED,
    (S.CANCELLED, E.RESCIND): S.RESCINDED,
    (S.RENEWED, E.RESCIND): S.RESCINDED,
}

TERMINAL = frozenset({S.EXPIRED, S.RENEWED, S.CANCELLED, S.RESCINDED})


def next_state(state: PolicyState, event: PolicyEvent) -> PolicyState:
    """The state after ``event``, or :class:`IllegalTransition` naming both."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        legal = sorted(e.value for (s, e) in TRANSITIONS if s is state)
        raise IllegalTransition(
            f"a {state.value} policy cannot {event.value}"
            + (f" (possible: {', '.join(legal)})" if legal else " (it is final)"),
            code="illegal_transition",
            details={"state": state.value, "event": event.value},
        ) from None


class TerminationKind(StrEnum):
    """Why a policy ended early or did not renew ([domain P-10])."""

    INSURED_CANCELLATION = "insured_cancellation"  # insured cancels during the term
    INSURER_CANCELLATION = "insurer_cancellation"  # arrears or serious breach
    NON_RENEWAL = "non_renewal"  # either side, at expiry, with notice
    RESCISSION_FOR_FRAUD = "rescission_for_fraud"  # insurer voids the policy


@dataclass(frozen=True, slots=True)
class TerminationOutcome:
    """What a termination leaves behind."""

    kind: TerminationKind
    effective_date: date
    event: PolicyEvent | None  # None for a non-renewal: the policy runs to expiry
    liability_retained: bool  # shipments made before the effective date stay covered
    premium_refund: Decimal  # premium paid that is returned (always 0 under [domain P-10])
    explanation: str


NON_RENEWAL_NOTICE_DAYS = 30
RENEWAL_WINDOW_DAYS = 30
"""Days before expiry from which a renewal may be offered."""


def terminate(
    *,
    kind: TerminationKind,
    by_insurer: bool,
    today: date,
    requested_date: date | None,
    inception: date,
    expiry: date,
) -> TerminationOutcome:
    """Apply [domain P-10] to a termination request and return its consequences.

    * The insured may cancel during the term; liability already taken on stays, no refund.
    * The insurer may cancel for serious arrears or breach: same consequences.
    * Either side may end the policy at expiry by notice (at least 30 days before expiry).
    * Rescission for fraud ends *all* liability under the policy; no refund either.
    """
    if kind is TerminationKind.RESCISSION_FOR_FRAUD:
        if not by_insurer:
            raise ValidationFailed(
                "only the insurer can rescind a policy for fraud",
                code="rescission_by_insured",
                field="kind",
            )
        return TerminationOutcome(
            kind,
            inception,
            PolicyEvent.RESCIND,
            False,
            Decimal(0),
            "rescinded for fraud: all liability under the policy ends and premium is not refunded",
        )
    if kind is TerminationKind.NON_RENEWAL:
        if (expiry - today).days < NON_RENEWAL_NOTICE_DAYS:
            raise ValidationFailed(
                f"non-renewal needs {NON_RENEWAL_NOTICE_DAYS} days' notice before expiry "
                f"({expiry.isoformat()})",
                code="notice_too_late",
                field="kind",
            )
        return TerminationOutcome(
            kind,
            expiry,
            None,
            True,
            Decimal(0),
            "the policy will not renew and ends at expiry; "
            "liability for shipments made until then stays",
        )
    if kind is TerminationKind.INSURED_CANCELLATION and by_insurer:
        raise ValidationFailed(
            "the insurer cancels with insurer_cancellation",
            code="wrong_termination_kind",
            field="kind",
        )
    if kind is TerminationKind.INSURER_CANCELLATION and not by_insurer:
        raise ValidationFailed(
            "the insured cancels with insured_cancellation",
            code="wrong_termination_kind",
            field="kind",
        )
    effective = requested_date or today
    if effective < today:
        raise ValidationFailed(
            "a cancellation cannot take effect in the past",
            code="backdated_cancellation",
            field="effective_date",
        )
    if effective > expiry:
        raise ValidationFailed(
            "the cancellation date is after expiry",
            code="cancellation_after_expiry",
            field="effective_date",
        )
    return TerminationOutcome(
        kind,
        effective,
        PolicyEvent.CANCEL,
        True,
        Decimal(0),
        "cancelled during the term: liability for shipments made before "
        f"{effective.isoformat()} stays in place; premium paid is not "
        "refunded",
    )


class PolicyAction(StrEnum):
    """What a person may do to a policy from its page ([domain P-14])."""

    QUOTE = "quote"
    WITHDRAW = "withdraw"
    ISSUE = "issue"
    ENDORSE = "endorse"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    OFFER_RENEWAL = "offer_renewal"
    CANCEL = "cancel"
    NON_RENEWAL = "non_renewal"
    RESCIND = "rescind"


_ENDORSABLE = frozenset({S.DRAFT, S.QUOTED, S.ACTIVE, S.SUSPENDED})


def open_actions(
    state: PolicyState,
    *,
    permissions: frozenset[str],
    insurer: bool,
    renewal_window_open: bool,
    auto_renew: bool,
    notice_in_time: bool,
) -> tuple[PolicyAction, ...]:
    """The actions open to a reader with ``permissions`` on a policy in ``state``
    ([domain P-14]): the moves of the state machine the reader's role may make, so that a
    page offers no button that would be refused for the role or the state.

    ``renewal_window_open``: today is inside the month before expiry; ``notice_in_time``:
    expiry is at least :data:`NON_RENEWAL_NOTICE_DAYS` away.
    """
    underwrite = insurer and "policy:underwrite" in permissions
    stop_insurer = insurer and "policy:terminate_insurer" in permissions
    stop_insured = not insurer and "policy:terminate_insured" in permissions
    accept = (underwrite) or (not insurer and "policy:accept" in permissions)
    legal = {event for (s, event) in TRANSITIONS if s is state}
    found: list[PolicyAction] = []
    if underwrite and E.QUOTE in legal:
        found.append(PolicyAction.QUOTE)
    if underwrite and E.WITHDRAW in legal:
        found.append(PolicyAction.WITHDRAW)
    if accept and E.ISSUE in legal:
        found.append(PolicyAction.ISSUE)
    if underwrite and state in _ENDORSABLE:
        found.append(PolicyAction.ENDORSE)
    if stop_insurer and E.SUSPEND in legal:
        found.append(PolicyAction.SUSPEND)
    if stop_insurer and E.REINSTATE in legal:
        found.append(PolicyAction.REINSTATE)
    if underwrite and state is S.ACTIVE and renewal_window_open and auto_renew:
        found.append(PolicyAction.OFFER_RENEWAL)
    if (stop_insurer or stop_insured) and E.CANCEL in legal:
        found.append(PolicyAction.CANCEL)
    if (stop_insurer or stop_insured) and E.CANCEL in legal and auto_renew and notice_in_time:
        found.append(PolicyAction.NON_RENEWAL)
    if stop_insurer and E.RESCIND in legal:
        found.append(PolicyAction.RESCIND)
    return tuple(found)

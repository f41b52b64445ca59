"""Expiry and termination of a policy, including scheduled cancellations."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover import audit
from tradecover.access import Permission, Principal
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import (
    Conflict,
    IllegalTransition,
)
from tradecover.policies import lifecycle
from tradecover.policies._common import (
    OFFER_ACCEPTED,
    OFFER_LAPSED,
    OFFER_OPEN,
    Progress,
    _check_date,
    _flush,
    _move,
    _policy,
    _require_insurer,
    _required_text,
    snapshot,
)
from tradecover.policies.lifecycle import PolicyEvent, PolicyState, TerminationKind
from tradecover.policies.model import (
    Policy,
)
from tradecover.policies.renewal import (
    _offers,
)

# --- expiry and termination ---------------------------------------------------------------


def due_to_expire(session: Session, *, today: date) -> list[int]:
    """Ids of policies whose term ended before ``today`` or whose scheduled cancellation
    takes effect by ``today``.
    """
    running = (PolicyState.ACTIVE.value, PolicyState.SUSPENDED.value)
    ended = select(Policy.id).where(Policy.state.in_(running), Policy.expiry < today)
    scheduled = [
        p.id
        for p in session.execute(
            select(Policy).where(Policy.state.in_(running), Policy.termination.is_not(None))
        ).scalars()
        if _scheduled_cancellation(p, today) is not None
    ]
    return sorted(set(session.execute(ended).scalars()) | set(scheduled))


def _scheduled_cancellation(policy: Policy, today: date) -> dict[str, Any] | None:
    term = policy.termination
    if (
        isinstance(term, dict)
        and term.get("status") == "scheduled"
        and date.fromisoformat(term["effective_date"]) <= today
    ):
        return term
    return None


def _expire_one(session: Session, *, principal: Principal, policy_id: int, today: date) -> bool:
    policy = _policy(session, principal, policy_id, lock=True)
    if policy.state not in (PolicyState.ACTIVE.value, PolicyState.SUSPENDED.value):
        return False
    scheduled = _scheduled_cancellation(policy, today)
    if scheduled is not None and date.fromisoformat(scheduled["effective_date"]) <= policy.expiry:
        before = snapshot(policy)
        policy.termination = {**scheduled, "status": "effective"}
        _move(
            session,
            principal=principal,
            policy=policy,
            event=PolicyEvent.CANCEL,
            action="policy.cancelled",
            reason=scheduled.get("reason"),
            before=before,
        )
        _lapse_open_offers(session, policy.id)
        return True
    if policy.expiry >= today:
        return False
    accepted = _offers(session, policy.id, OFFER_ACCEPTED)
    _lapse_open_offers(session, policy.id)
    if accepted and policy.state == PolicyState.ACTIVE.value:
        _move(
            session,
            principal=principal,
            policy=policy,
            event=PolicyEvent.RENEW,
            action="policy.renewed",
            reason="term ended; renewal in force",
            extra={"renewal_policy_id": accepted[-1].renewal_policy_id},
        )
    else:
        _move(
            session,
            principal=principal,
            policy=policy,
            event=PolicyEvent.EXPIRE,
            action="policy.expired",
            reason="term ended",
        )
    return True


def _lapse_open_offers(session: Session, policy_id: int) -> None:
    for offer in _offers(session, policy_id, OFFER_OPEN):
        offer.status = OFFER_LAPSED
        offer.decided_at = utc_now()


def expire_due(
    session: Session, *, principal: Principal, today: date, progress: Progress | None = None
) -> int:
    """Job: end every policy whose term is over (RENEWED when a renewal was accepted, else
    EXPIRED) and apply cancellations scheduled for today or earlier.  Idempotent.
    """
    _require_insurer(principal, Permission.POLICY_JOBS)
    _check_date(today, field="today")
    ids = due_to_expire(session, today=today)
    done = 0
    for i, policy_id in enumerate(ids, 1):
        if _expire_one(session, principal=principal, policy_id=policy_id, today=today):
            done += 1
        if progress:
            progress(i, len(ids))
    return done


def terminate(
    session: Session,
    *,
    principal: Principal,
    policy_id: int,
    kind: TerminationKind,
    reason: str,
    effective_date: date | None,
    today: date,
) -> Policy:
    """End a policy under [domain P-10]; insured or insurer is decided
    by the caller.

    * insured/insurer cancellation: CANCELLED on the effective date (today, or scheduled for
      a later date within the term); liability already taken on stays, no refund;
    * non-renewal: the policy stays in force and ends at expiry (``auto_renew`` off);
    * rescission for fraud (insurer only): RESCINDED at once, all liability ends, no refund.
    """
    by_insurer = principal.is_insurer
    principal.require(
        Permission.POLICY_TERMINATE_INSURER if by_insurer else Permission.POLICY_TERMINATE_INSURED
    )
    policy = _policy(session, principal, policy_id, lock=True)
    why = _required_text(reason, field="reason", max_len=1000)
    kind = TerminationKind(kind)
    _check_date(today, field="today")
    if effective_date is not None:
        _check_date(effective_date, field="effective_date")
    state = PolicyState(policy.state)
    outcome = lifecycle.terminate(
        kind=kind,
        by_insurer=by_insurer,
        today=today,
        requested_date=effective_date,
        inception=policy.inception,
        expiry=policy.expiry,
    )
    if outcome.event is not None:
        lifecycle.next_state(state, outcome.event)
    elif state not in (PolicyState.ACTIVE, PolicyState.SUSPENDED):
        raise IllegalTransition(
            f"a {state.value} policy cannot be given notice of non-renewal",
            code="illegal_transition",
            details={"state": state.value, "event": "non_renewal"},
        )
    pending = policy.termination if isinstance(policy.termination, dict) else None
    status = pending.get("status") if pending else None
    if (
        pending
        and kind is not TerminationKind.RESCISSION_FOR_FRAUD
        and (
            status == "scheduled" or (status == "notified" and kind is TerminationKind.NON_RENEWAL)
        )
    ):
        raise Conflict(f"a {pending['kind']} is already on record", code="termination_pending")
    if kind is not TerminationKind.RESCISSION_FOR_FRAUD and _offers(
        session, policy.id, OFFER_ACCEPTED
    ):
        raise Conflict(
            "the renewal was already accepted; end the renewal policy instead",
            code="renewal_accepted",
        )
    record = {
        "kind": kind.value,
        "by": "insurer" if by_insurer else "insured",
        "effective_date": outcome.effective_date.isoformat(),
        "liability_retained": outcome.liability_retained,
        "premium_refund": str(outcome.premium_refund),
        "explanation": outcome.explanation,
        "reason": why,
        "requested_on": today.isoformat(),
        "requested_by": principal.actor,
    }
    if outcome.event is None:  # non-renewal
        before = snapshot(policy)
        policy.auto_renew = False
        policy.termination = {**record, "status": "notified"}
        policy.state_reason = why
        policy.updated_at = utc_now()
        _lapse_open_offers(session, policy.id)
        _flush(session)
        audit.record(
            session,
            org_id=policy.exporter_org_id,
            actor=principal.actor,
            action="policy.non_renewal",
            entity_type="policy",
            entity_id=policy.id,
            reason=why,
            before=before,
            after=snapshot(policy),
        )
        return policy
    if outcome.event is PolicyEvent.CANCEL and outcome.effective_date > today:
        before = snapshot(policy)
        policy.termination = {**record, "status": "scheduled"}
        policy.auto_renew = False
        policy.state_reason = why
        policy.updated_at = utc_now()
        _lapse_open_offers(session, policy.id)
        _flush(session)
        audit.record(
            session,
            org_id=policy.exporter_org_id,
            actor=principal.actor,
            action="policy.terminated",
            entity_type="policy",
            entity_id=policy.id,
            reason=why,
            before=before,
            after=snapshot(policy),
        )
        return policy
    before = snapshot(policy)
    policy.termination = {**record, "status": "effective"}
    policy.auto_renew = False
    _lapse_open_offers(session, policy.id)
    action = "policy.rescinded" if outcome.event is PolicyEvent.RESCIND else "policy.cancelled"
    return _move(
        session,
        principal=principal,
        policy=policy,
        event=outcome.event,
        action=action,
        reason=why,
        before=before,
    )

"""Underwriting, quote, issue, endorsements, suspension and reinstatement of a policy.

Underwriting and issuing first ask the guards registered with :mod:`tradecover.policies.ports`
(the market's routing, [domain MK-11]); a refusal writes nothing.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover import audit
from tradecover.access import Permission, Principal
from tradecover.kit.dates import one_year_term, utc_now
from tradecover.kit.errors import (
    Conflict,
    IllegalTransition,
    ValidationFailed,
)
from tradecover.policies import lifecycle
from tradecover.policies._common import (
    APPLICATION_SUBMITTED,
    APPLICATION_UNDERWRITTEN,
    _application,
    _application_snapshot,
    _apply_schedule,
    _check_date,
    _check_schedule,
    _flush,
    _move,
    _policy,
    _policy_number,
    _require_insurer,
    _required_text,
    schedule_of,
    snapshot,
)
from tradecover.policies.domestic import domestic_schedule, home_country, is_domestic
from tradecover.policies.lifecycle import PolicyEvent, PolicyState
from tradecover.policies.model import (
    Endorsement,
    Policy,
)
from tradecover.policies.ports import (
    STAGE_ISSUE,
    STAGE_UNDERWRITE,
    UnderwritingStep,
    check_underwriting,
)
from tradecover.policies.schedule import (
    PolicySchedule,
)

# --- underwriting, quote, issue ------------------------------------------------------------


def underwrite(
    session: Session,
    *,
    principal: Principal,
    application_id: int,
    schedule: PolicySchedule,
    inception: date,
) -> Policy:
    """Turn an open application into a DRAFT policy with ``schedule`` for one year (a
    domestic application's schedule checked by the product's rules, [domain DT-1]).
    """
    _require_insurer(principal, Permission.POLICY_UNDERWRITE)
    app = _application(session, principal, application_id, lock=True)
    _check_schedule(schedule)
    _check_date(inception, field="inception")
    if app.status != APPLICATION_SUBMITTED:
        raise Conflict(f"application {app.id} is already {app.status}", code="application_not_open")
    if schedule.currency != app.currency:
        raise ValidationFailed(
            f"the schedule must be in the application currency {app.currency}",
            code="currency_mismatch",
            field="currency",
        )
    if is_domestic(app.product):
        schedule = domestic_schedule(schedule, app.destination_countries[0])
    check_underwriting(  # the market's word on who may take the risk [domain MK-11]
        session,
        UnderwritingStep(STAGE_UNDERWRITE, app.id, None, app.exporter_org_id, principal.actor),
    )
    now = utc_now()
    policy = Policy(
        exporter_org_id=app.exporter_org_id,
        application_id=app.id,
        product=app.product,
        state=PolicyState.DRAFT.value,
        inception=inception,
        expiry=one_year_term(inception),
        auto_renew=True,
        created_at=now,
        updated_at=now,
    )
    _apply_schedule(policy, schedule)
    session.add(policy)
    app_before = _application_snapshot(app)
    app.status = APPLICATION_UNDERWRITTEN
    session.flush()
    audit.record(
        session,
        org_id=app.exporter_org_id,
        actor=principal.actor,
        action="application.underwritten",
        entity_type="policy_application",
        entity_id=app.id,
        before=app_before,
        after={**_application_snapshot(app), "policy_id": policy.id},
    )
    audit.record(
        session,
        org_id=policy.exporter_org_id,
        actor=principal.actor,
        action="policy.drafted",
        entity_type="policy",
        entity_id=policy.id,
        after=snapshot(policy),
    )
    return policy


def revise_schedule(
    session: Session, *, principal: Principal, policy_id: int, schedule: PolicySchedule, reason: str
) -> Policy:
    """Change the terms of a draft (a quoted policy goes back to draft first)."""
    _require_insurer(principal, Permission.POLICY_UNDERWRITE)
    policy = _policy(session, principal, policy_id, lock=True)
    why = _required_text(reason, field="reason", max_len=1000)
    _check_schedule(schedule)
    if is_domestic(policy.product):
        home = home_country(schedule_of(policy).scope)
        assert home is not None, "a domestic policy's scope holds the insured's country"
        schedule = domestic_schedule(schedule, home)
    state = PolicyState(policy.state)
    if state is PolicyState.QUOTED:
        lifecycle.next_state(state, PolicyEvent.REVISE)
    elif state is not PolicyState.DRAFT:
        raise IllegalTransition(
            f"a {state.value} policy's schedule cannot be revised (endorse it instead)",
            code="illegal_transition",
            details={"state": state.value, "event": "revise"},
        )
    before = snapshot(policy)
    policy.state = PolicyState.DRAFT.value
    _apply_schedule(policy, schedule)
    policy.state_reason = why
    policy.updated_at = utc_now()
    _flush(session)
    audit.record(
        session,
        org_id=policy.exporter_org_id,
        actor=principal.actor,
        action="policy.revised",
        entity_type="policy",
        entity_id=policy.id,
        reason=why,
        before=before,
        after=snapshot(policy),
    )
    return policy


def quote(session: Session, *, principal: Principal, policy_id: int) -> Policy:
    """Offer the draft's terms to the exporter."""
    _require_insurer(principal, Permission.POLICY_UNDERWRITE)
    policy = _policy(session, principal, policy_id, lock=True)
    _check_schedule(schedule_of(policy))
    return _move(
        session,
        principal=principal,
        policy=policy,
        event=PolicyEvent.QUOTE,
        action="policy.quoted",
        reason=None,
    )


def withdraw(session: Session, *, principal: Principal, policy_id: int, reason: str) -> Policy:
    """The insurer withdraws a draft or a quotation that was not accepted (CANCELLED)."""
    _require_insurer(principal, Permission.POLICY_UNDERWRITE)
    policy = _policy(session, principal, policy_id, lock=True)
    why = _required_text(reason, field="reason", max_len=1000)
    return _move(
        session,
        principal=principal,
        policy=policy,
        event=PolicyEvent.WITHDRAW,
        action="policy.withdrawn",
        reason=why,
    )


def issue(session: Session, *, principal: Principal, policy_id: int, today: date) -> Policy:
    """Issue a quoted policy: the exporter accepts the quote, or an underwriter issues it on
    the exporter's written acceptance.  Assigns the policy number (unique by construction:
    it contains the policy id).
    """
    if principal.is_insurer:
        principal.require(Permission.POLICY_UNDERWRITE)
    else:
        principal.require(Permission.POLICY_ACCEPT)
    _check_date(today, field="today")
    policy = _policy(session, principal, policy_id, lock=True)
    lifecycle.next_state(PolicyState(policy.state), PolicyEvent.ISSUE)
    if today > policy.expiry:
        raise Conflict(
            f"the quoted term ended on {policy.expiry.isoformat()}; revise the "
            "schedule and quote again",
            code="term_already_ended",
        )
    check_underwriting(  # the market's word on who may take the risk [domain MK-11]
        session,
        UnderwritingStep(
            STAGE_ISSUE, policy.application_id, policy.id, policy.exporter_org_id, principal.actor
        ),
    )
    before = snapshot(policy)
    policy.number = _policy_number(policy)
    policy.issued_at = utc_now()
    return _move(
        session,
        principal=principal,
        policy=policy,
        event=PolicyEvent.ISSUE,
        action="policy.issued",
        reason=None,
        before=before,
    )


# --- endorsements, suspension --------------------------------------------------------------


ENDORSABLE = frozenset(
    {PolicyState.DRAFT, PolicyState.QUOTED, PolicyState.ACTIVE, PolicyState.SUSPENDED}
)


def add_endorsement(
    session: Session, *, principal: Principal, policy_id: int, text: str, effective_date: date
) -> Endorsement:
    """Add a numbered special provision to a policy that is still in force or being written."""
    _require_insurer(principal, Permission.POLICY_UNDERWRITE)
    policy = _policy(session, principal, policy_id, lock=True)
    body = _required_text(text, field="text", max_len=10_000)
    if PolicyState(policy.state) not in ENDORSABLE:
        raise IllegalTransition(
            f"a {policy.state} policy cannot be endorsed",
            code="illegal_transition",
            details={"state": policy.state, "event": "endorse"},
        )
    if not policy.inception <= effective_date <= policy.expiry:
        raise ValidationFailed(
            f"effective_date must fall within the term {policy.inception.isoformat()} to "
            f"{policy.expiry.isoformat()}",
            code="endorsement_outside_term",
            field="effective_date",
        )
    last = session.execute(
        select(func.max(Endorsement.number)).where(Endorsement.policy_id == policy.id)
    ).scalar_one()
    endorsement = Endorsement(
        policy_id=policy.id,
        number=(last or 0) + 1,
        text=body,
        effective_date=effective_date,
        created_at=utc_now(),
        created_by=principal.actor,
    )
    session.add(endorsement)
    policy.updated_at = utc_now()  # bumps the version: concurrent endorsers serialise
    _flush(session)
    audit.record(
        session,
        org_id=policy.exporter_org_id,
        actor=principal.actor,
        action="policy.endorsed",
        entity_type="policy",
        entity_id=policy.id,
        before={"state": policy.state},
        after={
            "state": policy.state,
            "endorsement_id": endorsement.id,
            "number": endorsement.number,
            "text": body,
            "effective_date": effective_date.isoformat(),
        },
    )
    return endorsement


def list_endorsements(
    session: Session, *, principal: Principal, policy_id: int
) -> list[Endorsement]:
    """A policy's endorsements in number order."""
    principal.require(Permission.POLICY_READ)
    policy = _policy(session, principal, policy_id)
    return list(
        session.execute(
            select(Endorsement)
            .where(Endorsement.policy_id == policy.id)
            .order_by(Endorsement.number)
        ).scalars()
    )


def suspend(
    session: Session,
    *,
    principal: Principal,
    policy_id: int,
    reason: str,
    today: date | None = None,
) -> Policy:
    """Stop accepting declarations on an active policy (e.g. long premium arrears).

    The suspension is recorded from ``today`` (``policies.suspensions``): shipments made
    while suspended carry no cover, even when declared after reinstatement.
    """
    _require_insurer(principal, Permission.POLICY_TERMINATE_INSURER)
    policy = _policy(session, principal, policy_id, lock=True)
    why = _required_text(reason, field="reason", max_len=1000)
    on = _check_date(today or utc_now().date(), field="today")
    lifecycle.next_state(PolicyState(policy.state), PolicyEvent.SUSPEND)
    before = snapshot(policy)
    policy.suspensions = [
        *(policy.suspensions or []),
        {"start": on.isoformat(), "end": None, "reason": why},
    ]
    return _move(
        session,
        principal=principal,
        policy=policy,
        event=PolicyEvent.SUSPEND,
        action="policy.suspended",
        reason=why,
        before=before,
    )


def reinstate(
    session: Session,
    *,
    principal: Principal,
    policy_id: int,
    reason: str,
    today: date | None = None,
) -> Policy:
    """Put a suspended policy back in force: cover attaches again to shipments made from
    ``today`` on (the open suspension ends that day).
    """
    _require_insurer(principal, Permission.POLICY_TERMINATE_INSURER)
    policy = _policy(session, principal, policy_id, lock=True)
    why = _required_text(reason, field="reason", max_len=1000)
    on = _check_date(today or utc_now().date(), field="today")
    lifecycle.next_state(PolicyState(policy.state), PolicyEvent.REINSTATE)
    pauses = [dict(p) for p in policy.suspensions or []]
    if pauses and pauses[-1].get("end") is None:
        if on < date.fromisoformat(str(pauses[-1]["start"])):
            raise ValidationFailed(
                f"a reinstatement cannot precede its suspension ({pauses[-1]['start']})",
                code="reinstated_before_suspended",
                field="today",
            )
        pauses[-1]["end"] = on.isoformat()
    before = snapshot(policy)
    policy.suspensions = pauses
    return _move(
        session,
        principal=principal,
        policy=policy,
        event=PolicyEvent.REINSTATE,
        action="policy.reinstated",
        reason=why,
        before=before,
    )

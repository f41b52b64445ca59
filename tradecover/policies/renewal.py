"""Renewal of a policy: offers, acceptance, decline and the renewal job."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover import audit
from tradecover.access import Permission, Principal
from tradecover.kit.dates import one_year_term, utc_now
from tradecover.kit.errors import (
    Conflict,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from tradecover.policies._common import (
    OFFER_ACCEPTED,
    OFFER_DECLINED,
    OFFER_OPEN,
    RENEWAL_WINDOW_DAYS,
    Progress,
    Reprice,
    _apply_schedule,
    _check_date,
    _flush,
    _offer,
    _policy,
    _policy_number,
    _require_insurer,
    _required_text,
    record_policy_event,
    schedule_from_dict,
    schedule_of,
    schedule_to_dict,
    snapshot,
)
from tradecover.policies.lifecycle import PolicyState
from tradecover.policies.model import (
    Policy,
    RenewalOffer,
)
from tradecover.policies.repository import exporter_of_policy, lock_renewal_offer
from tradecover.policies.review import ReviewMetricsSource
from tradecover.pricing import (
    RenewalDecision,
    accept_renewal_rate,
    override_renewal_rate,
    rate_pct,
    stored_proposal,
)

# --- renewal ------------------------------------------------------------------------------


def _offers(session: Session, policy_id: int, *statuses: str) -> list[RenewalOffer]:
    return list(
        session.execute(
            select(RenewalOffer)
            .where(RenewalOffer.policy_id == policy_id, RenewalOffer.status.in_(statuses))
            .order_by(RenewalOffer.id)
        ).scalars()
    )


def renewal_window_opens(policy: Policy) -> date:
    """First day a renewal may be offered: a month (30 days) before expiry."""
    return policy.expiry - timedelta(days=RENEWAL_WINDOW_DAYS)


def offer_renewal(
    session: Session,
    *,
    principal: Principal,
    policy_id: int,
    today: date,
    metrics_source: ReviewMetricsSource,
    reprice: Reprice | None = None,
) -> RenewalOffer:
    """Review the term ([domain P-8]) and offer the next year's terms.

    Only for an ACTIVE policy that renews, within 30 days before expiry, with no other
    offer open or accepted.  ``reprice`` (the later pricing issue's renewal model) turns
    the metrics into a new base rate and its explanation; without it the terms stay.
    """
    _require_insurer(principal, Permission.POLICY_UNDERWRITE)
    _check_date(today, field="today")
    policy = _policy(session, principal, policy_id, lock=True)
    if policy.state != PolicyState.ACTIVE.value:
        raise IllegalTransition(
            f"a {policy.state} policy cannot be offered a renewal",
            code="illegal_transition",
            details={"state": policy.state, "event": "offer_renewal"},
        )
    if not policy.auto_renew:
        raise Conflict(
            "notice of non-renewal was given; the policy ends at expiry",
            code="non_renewal_notified",
        )
    if not renewal_window_opens(policy) <= today <= policy.expiry:
        raise Conflict(
            f"a renewal is offered from {renewal_window_opens(policy).isoformat()} until "
            f"expiry {policy.expiry.isoformat()}",
            code="outside_renewal_window",
        )
    if _offers(session, policy.id, OFFER_OPEN):
        raise Conflict("a renewal offer is already open", code="renewal_offer_open")
    if _offers(session, policy.id, OFFER_ACCEPTED):
        raise Conflict("the renewal was already accepted", code="already_renewed")
    metrics = metrics_source.metrics(
        policy_id=policy.id, start=policy.inception, end=min(today, policy.expiry)
    )
    terms = schedule_to_dict(schedule_of(policy))
    explanation: dict[str, Any] = {
        "method": "unchanged",
        "note": "same schedule and rate as the expiring term",
    }
    if reprice is not None:
        rate, explanation = reprice(metrics, policy)
        terms["base_rate_pct"] = str(rate)
        schedule_from_dict(terms).validate()
    inception = policy.expiry + timedelta(days=1)
    terms["inception"] = inception.isoformat()
    terms["expiry"] = one_year_term(inception).isoformat()
    offer = RenewalOffer(
        policy_id=policy.id,
        status=OFFER_OPEN,
        review_metrics=metrics.as_dict(),
        proposed_terms=terms,
        explanation=explanation,
        offered_at=utc_now(),
        offered_by=principal.actor,
    )
    session.add(offer)
    policy.updated_at = utc_now()
    _flush(session)
    audit.record(
        session,
        org_id=policy.exporter_org_id,
        actor=principal.actor,
        action="renewal.offered",
        entity_type="policy",
        entity_id=policy.id,
        before={"state": policy.state},
        after={
            "state": policy.state,
            "offer_id": offer.id,
            "review_metrics": offer.review_metrics,
            "proposed_terms": terms,
        },
    )
    return offer


def accept_renewal(session: Session, *, principal: Principal, offer_id: int, today: date) -> Policy:
    """Accept an open offer: the renewal policy is issued at once (ACTIVE from the day after
    expiry, for one year); the expiring policy runs to expiry and then becomes RENEWED.
    """
    if principal.is_insurer:
        principal.require(Permission.POLICY_UNDERWRITE)
    else:
        principal.require(Permission.POLICY_ACCEPT)
    _check_date(today, field="today")
    offer, old = _offer(session, principal, offer_id)
    if offer.status != OFFER_OPEN:
        raise Conflict(f"renewal offer {offer.id} is {offer.status}", code="offer_not_open")
    if old.state != PolicyState.ACTIVE.value:
        raise IllegalTransition(
            f"a {old.state} policy cannot renew",
            code="illegal_transition",
            details={"state": old.state, "event": "renew"},
        )
    if today > old.expiry:
        raise Conflict("the offer lapsed when the policy expired", code="offer_lapsed")
    terms = dict(offer.proposed_terms)
    schedule = schedule_from_dict(terms)
    inception = date.fromisoformat(terms["inception"])
    now = utc_now()
    new = Policy(
        exporter_org_id=old.exporter_org_id,
        application_id=old.application_id,
        renewal_of_id=old.id,
        product=old.product,
        state=PolicyState.ACTIVE.value,
        inception=inception,
        expiry=date.fromisoformat(terms["expiry"]),
        auto_renew=True,
        issued_at=now,
        created_at=now,
        updated_at=now,
    )
    _apply_schedule(new, schedule)
    session.add(new)
    session.flush()
    new.number = _policy_number(new)
    offer.status = OFFER_ACCEPTED
    offer.decided_at = now
    offer.renewal_policy_id = new.id
    old.updated_at = now
    _flush(session)
    audit.record(
        session,
        org_id=old.exporter_org_id,
        actor=principal.actor,
        action="renewal.accepted",
        entity_type="policy",
        entity_id=old.id,
        before={"state": old.state},
        after={"state": old.state, "offer_id": offer.id, "renewal_policy_id": new.id},
    )
    audit.record(
        session,
        org_id=new.exporter_org_id,
        actor=principal.actor,
        action="policy.issued",
        entity_type="policy",
        entity_id=new.id,
        reason=f"renewal of {old.number or old.id}",
        after=snapshot(new),
    )
    record_policy_event(session, new, "policy.issued", f"renewal of {old.number or old.id}")
    return new


def decline_renewal(
    session: Session, *, principal: Principal, offer_id: int, reason: str
) -> RenewalOffer:
    """Decline an open offer (either side): the policy will expire and not renew."""
    if principal.is_insurer:
        principal.require(Permission.POLICY_UNDERWRITE)
    else:
        principal.require(Permission.POLICY_ACCEPT)
    offer, policy = _offer(session, principal, offer_id)
    why = _required_text(reason, field="reason", max_len=1000)
    if offer.status != OFFER_OPEN:
        raise Conflict(f"renewal offer {offer.id} is {offer.status}", code="offer_not_open")
    before = {"state": policy.state, "auto_renew": policy.auto_renew}
    offer.status = OFFER_DECLINED
    offer.decided_at = utc_now()
    policy.auto_renew = False
    policy.updated_at = utc_now()
    _flush(session)
    audit.record(
        session,
        org_id=policy.exporter_org_id,
        actor=principal.actor,
        action="renewal.declined",
        entity_type="policy",
        entity_id=policy.id,
        reason=why,
        before=before,
        after={"state": policy.state, "auto_renew": False, "offer_id": offer.id},
    )
    return offer


def list_renewal_offers(
    session: Session, *, principal: Principal, policy_id: int
) -> list[RenewalOffer]:
    """A policy's renewal offers, oldest first."""
    principal.require(Permission.POLICY_READ)
    policy = _policy(session, principal, policy_id)
    return list(
        session.execute(
            select(RenewalOffer)
            .where(RenewalOffer.policy_id == policy.id)
            .order_by(RenewalOffer.id)
        ).scalars()
    )


def get_renewal_offer(session: Session, *, principal: Principal, offer_id: int) -> RenewalOffer:
    """One renewal offer the caller may see."""
    principal.require(Permission.POLICY_READ)
    offer = session.get(RenewalOffer, offer_id)
    if offer is None:
        raise NotFound(f"no renewal offer {offer_id}", code="renewal_offer_not_found")
    try:
        _policy(session, principal, offer.policy_id)
    except NotFound:
        raise NotFound(f"no renewal offer {offer_id}", code="renewal_offer_not_found") from None
    return offer


def due_for_renewal(session: Session, *, today: date) -> list[int]:
    """Ids of ACTIVE renewing policies inside the renewal window without an open or
    accepted offer.
    """
    taken = select(RenewalOffer.policy_id).where(
        RenewalOffer.status.in_((OFFER_OPEN, OFFER_ACCEPTED))
    )
    return list(
        session.execute(
            select(Policy.id)
            .where(
                Policy.state == PolicyState.ACTIVE.value,
                Policy.auto_renew.is_(True),
                Policy.expiry >= today,
                Policy.expiry <= today + timedelta(days=RENEWAL_WINDOW_DAYS),
                Policy.id.not_in(taken),
            )
            .order_by(Policy.id)
        ).scalars()
    )


def offer_due_renewals(
    session: Session,
    *,
    principal: Principal,
    today: date,
    metrics_source: ReviewMetricsSource,
    reprice: Reprice | None = None,
    progress: Progress | None = None,
) -> int:
    """Job: offer renewal to every policy that is due; idempotent (a rerun offers nothing)."""
    _require_insurer(principal, Permission.POLICY_JOBS)
    _check_date(today, field="today")
    ids = due_for_renewal(session, today=today)
    done = 0
    for i, policy_id in enumerate(ids, 1):
        offer_renewal(
            session,
            principal=principal,
            policy_id=policy_id,
            today=today,
            metrics_source=metrics_source,
            reprice=reprice,
        )
        done += 1
        if progress:
            progress(i, len(ids))
    return done


def decide_renewal_rate(
    session: Session,
    *,
    principal: Principal,
    offer_id: int,
    accept: bool,
    rate: Decimal | None = None,
    reason: str | None = None,
) -> RenewalOffer:
    """The underwriter accepts the proposed renewal rate or overrides it with a reason.

    Updates the open offer's proposed terms and records the decision in its explanation
    (pricing's rules: :func:`tradecover.pricing.accept_renewal_rate`,
    :func:`tradecover.pricing.override_renewal_rate`); one decision per offer.
    """
    principal.require(Permission.POLICY_UNDERWRITE)
    if not principal.is_insurer:
        raise PermissionDenied("only the insurer decides a renewal rate", code="forbidden")
    offer = get_renewal_offer(session, principal=principal, offer_id=offer_id)
    # one decision per offer, also when two underwriters decide at once
    lock_renewal_offer(session, offer.id)
    if offer.status != OFFER_OPEN:
        raise Conflict(f"renewal offer {offer.id} is {offer.status}", code="offer_not_open")
    explanation = dict(offer.explanation) if isinstance(offer.explanation, dict) else {}
    if explanation.get("decision"):
        raise Conflict(
            "the renewal rate of this offer was already decided", code="renewal_rate_decided"
        )
    proposal = stored_proposal(offer.explanation, offer.proposed_terms)
    if accept:
        if rate is not None or reason is not None:
            raise ValidationFailed("accepting takes neither a rate nor a reason", field="accept")
        decision: RenewalDecision = accept_renewal_rate(proposal, underwriter=principal.actor)
    else:
        if rate is None:
            raise ValidationFailed("an override needs a rate", code="rate_required", field="rate")
        decision = override_renewal_rate(
            proposal, rate=rate, reason=reason or "", underwriter=principal.actor
        )
    terms = dict(offer.proposed_terms)
    before = {"base_rate_pct": terms["base_rate_pct"]}
    terms["base_rate_pct"] = str(rate_pct(decision.rate))
    schedule_from_dict(terms).validate()
    decided = {
        "rate": str(decision.rate),
        "overridden": decision.overridden,
        "decided_by": decision.decided_by,
        "reason": decision.reason,
        "decided_at": utc_now().isoformat(),
    }
    offer.proposed_terms = terms
    offer.explanation = {**explanation, "decision": decided}
    session.flush()
    exporter_org_id = exporter_of_policy(session, offer.policy_id)
    audit.record(
        session,
        org_id=exporter_org_id,
        actor=principal.actor,
        action="renewal.rate_overridden" if decision.overridden else "renewal.rate_accepted",
        entity_type="policy",
        entity_id=offer.policy_id,
        reason=decision.reason,
        before={"offer_id": offer.id, **before},
        after={"offer_id": offer.id, "base_rate_pct": terms["base_rate_pct"]},
    )
    return offer

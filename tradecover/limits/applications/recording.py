"""Recording a limit application: its audited snapshot, stored shapes, guarded transitions
and the final decision (the limit version put in force, the audit entry, the event).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from tradecover import audit, buyers
from tradecover.access import Principal
from tradecover.events import record_event
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict
from tradecover.kit.money import Money
from tradecover.limits.changes.service import _change, _Loaded
from tradecover.limits.model import (
    LimitApplication,
)
from tradecover.limits.request import (
    DecisionOutcome,
    ExpectedShipments,
    LimitConditions,
    LimitDecision,
    RequestType,
)
from tradecover.limits.rules import DECIDED


def shipments_record(s: ExpectedShipments | None) -> dict[str, Any] | None:
    """The expected shipments as stored on the application (``None``: none given)."""
    if s is None:
        return None
    return {
        "contract_size": str(s.contract_size.amount),
        "currency": s.contract_size.currency,
        "shipments_per_year": s.shipments_per_year,
        "largest_shipment": str(s.largest_shipment.amount),
        "transit_days": s.transit_days,
    }


def shipments_of(data: dict[str, Any] | None) -> ExpectedShipments | None:
    """The expected shipments read back from the application's stored shape."""
    if not data:
        return None
    return ExpectedShipments(
        contract_size=Money.of(data["contract_size"], data["currency"]),
        shipments_per_year=int(data["shipments_per_year"]),
        largest_shipment=Money.of(data["largest_shipment"], data["currency"]),
        transit_days=int(data["transit_days"]),
    )


def proposal_record(d: LimitDecision) -> dict[str, Any]:
    """The rules' proposal as stored on the application."""
    return {
        "outcome": d.outcome.value,
        "route": d.route.value,
        "ceiling": str(d.ceiling.amount),
        "recommended": str(d.recommended.amount),
        "reasons": [r.value for r in d.reasons],
        "grade": d.grade,
        "model_version": d.model_version,
    }


def app_snapshot(app: LimitApplication) -> dict[str, Any]:
    """The audited fields of an application."""
    return {
        "request_type": app.request_type,
        "policy_id": app.policy_id,
        "buyer_id": app.buyer_id,
        "amount": str(Money.from_minor(app.amount_minor, app.currency)),
        "status": app.status,
        "outcome": app.outcome,
        "approved": (
            str(Money.from_minor(app.approved_minor, app.currency))
            if app.approved_minor is not None
            else None
        ),
        "reasons": app.reasons,
        "model_version": app.model_version,
        "maker": app.maker_actor,
        "checker": app.checker_actor,
    }


def transition(
    session: Session, app: LimitApplication, *, expected: str, values: dict[str, Any]
) -> None:
    """Move ``app`` from status ``expected`` to ``values``, or refuse: decided meanwhile."""
    session.flush()  # Core on the session's connection: no ORM state follows this row
    result = session.connection().execute(
        update(LimitApplication)
        .where(LimitApplication.id == app.id, LimitApplication.status == expected)
        .values(**values)
    )
    if result.rowcount != 1:
        raise Conflict(
            f"application {app.id} was decided meanwhile", code="application_already_decided"
        )
    for key, value in values.items():  # the row already holds them: no second UPDATE
        set_committed_value(app, key, value)


def conditions_record(c: LimitConditions | None) -> dict[str, Any] | None:
    """A limit's conditions as stored on the application (``None``: none set)."""
    if c is None or c.is_empty():
        return None
    return {
        "indemnity_pct": str(c.indemnity_pct) if c.indemnity_pct is not None else None,
        "expires_on": c.expires_on.isoformat() if c.expires_on else None,
        "text": c.text,
    }


def conditions_of(data: dict[str, Any] | None) -> LimitConditions | None:
    """A limit's conditions read back from the application's stored shape."""
    if not data:
        return None
    return LimitConditions(
        indemnity_pct=Decimal(data["indemnity_pct"]) if data.get("indemnity_pct") else None,
        expires_on=date.fromisoformat(data["expires_on"]) if data.get("expires_on") else None,
        text=data.get("text"),
    )


def audit_decision(
    session: Session,
    *,
    principal: Principal,
    app: LimitApplication,
    action: str,
    reason: str | None,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    """One audit entry for a decision, on the buyer's sharded chain of the decider's
    organisation: decisions on different buyers never wait on one chain head.
    """
    audit.append_many(
        session,
        [
            (
                audit.chain_for(app.buyer_id),
                audit.Pending(
                    org_id=principal.org_id,
                    actor=principal.actor,
                    action=action,
                    entity_type="limit_application",
                    entity_id=str(app.id),
                    reason=reason,
                    before=before,
                    after=after,
                ),
            )
        ],
    )


def conclude(
    session: Session,
    *,
    principal: Principal,
    app: LimitApplication,
    buyer: buyers.Buyer,
    decision: LimitDecision,
    today: date,
    expected_status: str,
    maker: str | None,
    checker: str | None = None,
    loaded: _Loaded | None = None,
) -> None:
    """Record the final decision: the limit version it puts in force (if it approves),
    the application's new state, and ONE audit entry telling both.
    """
    approves = decision.outcome in (
        DecisionOutcome.APPROVED,
        DecisionOutcome.PARTLY_APPROVED,
        DecisionOutcome.CONDITIONAL,
    )
    before = app_snapshot(app)
    limit_id = app.limit_id
    reason = ", ".join(r.value for r in decision.reasons)
    put_in_force: dict[str, Any] = {}
    if approves:
        kind = RequestType(app.request_type)
        limit, version = _change(
            session,
            principal=principal,
            org_id=app.org_id,
            policy_id=app.policy_id,
            buyer=buyer,
            kind=kind,
            amount=decision.approved,
            today=today,
            payment_terms=app.payment_terms,
            credit_period_days=app.credit_period_days,
            conditions=decision.conditions,
            application_id=app.id,
            reason=reason,
            loaded=loaded,
            audited=False,
        )
        limit_id = limit.id
        put_in_force = {
            "limit_id": limit.id,
            "limit_version": version.number,
            "limit_amount": str(Money.from_minor(version.amount_minor, version.currency)),
            "effective_from": version.effective_from.isoformat(),
        }
    values: dict[str, Any] = {
        "limit_id": limit_id,
        "status": DECIDED,
        "outcome": decision.outcome.value,
        "approved_minor": decision.approved.minor_units(),
        "reasons": [r.value for r in decision.reasons],
        "conditions": conditions_record(decision.conditions),
        "decided_at": utc_now(),
    }
    if maker is not None:
        values["maker_actor"] = maker
    if checker is not None:
        values["checker_actor"] = checker
    transition(session, app, expected=expected_status, values=values)
    audit_decision(
        session,
        principal=principal,
        app=app,
        action="limit.decided",
        reason=reason,
        before=before,
        after=app_snapshot(app) | put_in_force,
    )
    record_event(
        session,
        "limit.decided",
        f"limit_application:{app.id}",
        {
            "application_id": app.id,
            "policy_id": app.policy_id,
            "buyer_id": app.buyer_id,
            "outcome": decision.outcome.value,
            "approved_amount": str(decision.approved.rounded().amount),
            "currency": decision.approved.currency,
            "limit_id": limit_id,
        },
        app.org_id,
    )

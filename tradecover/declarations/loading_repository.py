"""Loading policies and declarations with ownership, and a policy's cover facts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover import consents
from tradecover.access import Principal
from tradecover.declarations.cover import (
    PolicyFacts,
)
from tradecover.declarations.model import Declaration
from tradecover.kit.errors import NotFound
from tradecover.policies import (
    Policy,
    PolicyState,
    cancelled_from,
    policy_in_view,
    schedule_of,
    standing_of,
)


def _policy(
    session: Session, principal: Principal, policy_id: int, *, org_id: int | None = None
) -> Policy:
    try:
        policy: Policy | None = policy_in_view(session, principal=principal, policy_id=policy_id)
    except NotFound:
        policy = None
    if policy is None or (org_id is not None and policy.exporter_org_id != org_id):
        raise NotFound(f"no policy {policy_id}", code="policy_not_found", field="policy_id")
    return policy


def _declaration(
    session: Session, principal: Principal, declaration_id: int, *, lock: bool = False
) -> Declaration:
    query = select(Declaration).where(Declaration.id == declaration_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    row = session.execute(query).scalar_one_or_none()
    if row is None or not (
        principal.can_see_org(row.exporter_org_id)
        or (
            not lock
            and consents.may_see(session, principal, row.exporter_org_id, row.shipment_date)
        )
    ):
        raise NotFound(f"no declaration {declaration_id}", code="declaration_not_found")
    return row


def policy_facts(policy: Policy) -> PolicyFacts:
    """The cover decision's view of a policy row (its liability standing included)."""
    schedule = schedule_of(policy)
    standing = standing_of(policy)
    return PolicyFacts(
        state=PolicyState(policy.state),
        inception=policy.inception,
        expiry=policy.expiry,
        scope=schedule.scope,
        frequency=schedule.declaration_frequency,
        cancelled_from=cancelled_from(standing),
        suspensions=standing.suspensions,
    )

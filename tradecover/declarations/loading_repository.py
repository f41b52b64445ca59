"""Loading policies and declarations with ownership, a policy's cover facts, audited views."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.access.principal import Principal
from tradecover.audit import service as audit
from tradecover.declarations.attachment.record import DeclarationRecord
from tradecover.declarations.cover import (
    PolicyFacts,
)
from tradecover.declarations.model import (
    Declaration,
    declaration_values,
)
from tradecover.kit.errors import DomainError, NotFound
from tradecover.policies.liability import cancelled_from
from tradecover.policies.lifecycle import PolicyState
from tradecover.policies.model import Policy
from tradecover.policies.service import schedule_of
from tradecover.policies.standing import standing_of


def _policy(session: Session, principal: Principal, policy_id: int, *,
            org_id: int | None = None) -> Policy:
    policy = session.get(Policy, policy_id)
    if policy is None or not principal.can_see_org(policy.exporter_org_id) or (
            org_id is not None and policy.exporter_org_id != org_id):
        raise NotFound(f"no policy {policy_id}", code="policy_not_found", field="policy_id")
    return policy


def _declaration(session: Session, principal: Principal, declaration_id: int, *,
                 lock: bool = False) -> Declaration:
    query = select(Declaration).where(Declaration.id == declaration_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    row = session.execute(query).scalar_one_or_none()
    if row is None or not principal.can_see_org(row.exporter_org_id):
        raise NotFound(f"no declaration {declaration_id}", code="declaration_not_found")
    return row


def policy_facts(policy: Policy) -> PolicyFacts:
    """The cover decision's view of a policy row (its liability standing included)."""
    schedule = schedule_of(policy)
    standing = standing_of(policy)
    return PolicyFacts(state=PolicyState(policy.state), inception=policy.inception,
                       expiry=policy.expiry, scope=schedule.scope,
                       frequency=schedule.declaration_frequency,
                       cancelled_from=cancelled_from(standing),
                       suspensions=standing.suspensions)


def _problem_list(problems: Sequence[DomainError]) -> list[dict[str, Any]]:
    return [{"code": p.code, "field": p.field, "message": p.message} for p in problems]


def snapshot(row: Declaration | DeclarationRecord) -> dict[str, Any]:
    """The audited view of a declaration."""
    v = declaration_values(row)
    return {
        "id": v["id"], "status": v["status"], "policy_id": v["policy_id"],
        "buyer_id": v["buyer_id"], "invoice_number": v["invoice_number"],
        "shipment_date": v["shipment_date"].isoformat(), "currency": v["currency"],
        "invoice_minor": v["invoice_minor"], "prepayment_minor": v["prepayment_minor"],
        "covered_minor": v["covered_minor"], "uninsured_minor": v["uninsured_minor"],
        "cover_status": v["cover_status"], "reason_code": v["reason_code"],
        "rate": str(v["rate"]), "premium_minor": v["premium_minor"], "late": v["late"],
        "limit_id": v["limit_id"], "limit_version_id": v["limit_version_id"],
        "supersedes_id": v["supersedes_id"], "channel": v["channel"],
    }


def audit_chain_of(row: Declaration | DeclarationRecord) -> int:
    """The audit chain of a declaration's entries: sharded by its buyer (known before any
    fact is read, so the chain head can be locked with them), so that declarations on
    different buyers append to different chains.
    """
    return audit.chain_for(row.buyer_id)

"""HTTP routes of the audit log: an organisation's entries and the chain verification."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select

from tradecover.access.roles import Permission
from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.api.pagination import Page, PageDep
from tradecover.audit import service
from tradecover.audit.model import AuditEntry
from tradecover.kit.errors import PermissionDenied

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


class AuditEntryOut(BaseModel):
    """One audit entry."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    org_id: int
    seq: int
    occurred_at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    reason: str | None
    before: Any
    after: Any
    hash: str


class VerifyOut(BaseModel):
    """Result of verifying every chain."""

    ok: bool
    breaks: list[str]


@router.get("/entries", response_model=Page[AuditEntryOut], summary="Audit entries")
def list_entries(
    session: SessionDep, principal: PrincipalDep, page: PageDep,
    entity_type: str | None = None, entity_id: str | None = None,
) -> Page[AuditEntryOut]:
    """The caller's organisation's chain (insurer staff: every chain), newest first."""
    principal.require(Permission.AUDIT_READ)
    query = select(AuditEntry)
    if not principal.is_insurer:
        query = query.where(AuditEntry.org_id == principal.org_id)
    if entity_type:
        query = query.where(AuditEntry.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(AuditEntry.id.desc()).limit(page.limit)
                           .offset(page.offset)).scalars()
    return Page(items=[AuditEntryOut.model_validate(r) for r in rows], total=total,
                limit=page.limit, offset=page.offset)


@router.get("/verify", response_model=VerifyOut, summary="Verify every hash chain")
def verify(session: SessionDep, principal: PrincipalDep) -> VerifyOut:
    """Recompute every chain and name the first tampered entry of each (insurer only)."""
    if not principal.is_insurer:
        raise PermissionDenied("only the insurer verifies the audit log")
    principal.require(Permission.AUDIT_READ)
    breaks = service.verify_all(session)
    return VerifyOut(ok=not breaks, breaks=[b.describe() for b in breaks])

"""Cancelling declarations and reading them: one, its corrections, a filtered list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from tradecover import audit, consents
from tradecover.access import Permission, Principal
from tradecover.declarations import repository
from tradecover.declarations.attachment.service import audit_chain_of, snapshot
from tradecover.declarations.cover import (
    CoverStatus,
)
from tradecover.declarations.loading_repository import _declaration
from tradecover.declarations.model import (
    STATUS_ACTIVE,
    STATUS_CANCELLED,
    Declaration,
)
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, NotFound, ValidationFailed


def _end(
    session: Session, *, principal: Principal, row: Declaration, status: str, reason: str
) -> None:
    if row.status != STATUS_ACTIVE:
        raise Conflict(f"declaration {row.id} is {row.status}", code="declaration_not_active")
    if row.limit_id is not None:
        repository.release(
            session, limit_id=row.limit_id, amount_minor=row.covered_minor - row.collected_minor
        )
    row.status = status
    row.ended_at = utc_now()
    row.ended_by = principal.actor
    row.end_reason = reason
    session.flush()


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text or len(text) > 1000:
        raise ValidationFailed(
            "a reason of 1 to 1000 characters is required", code="invalid_reason", field="reason"
        )
    return text


def cancel(
    session: Session, *, principal: Principal, declaration_id: int, reason: str
) -> Declaration:
    """Cancel a declaration (kept, marked ``cancelled``); its reservation is released."""
    principal.require(Permission.DECLARATION_WRITE)
    why = _reason(reason)
    row = _declaration(session, principal, declaration_id, lock=True)
    if row.collected_minor:
        raise Conflict(
            "collections were recorded on this declaration", code="declaration_has_collections"
        )
    before = snapshot(row)
    _end(session, principal=principal, row=row, status=STATUS_CANCELLED, reason=why)
    audit.record(
        session,
        org_id=row.exporter_org_id,
        actor=principal.actor,
        action="declaration.cancelled",
        entity_type="declaration",
        entity_id=row.id,
        reason=why,
        before=before,
        after=snapshot(row),
        chain=audit_chain_of(row),
    )
    return row


def get_declaration(session: Session, *, principal: Principal, declaration_id: int) -> Declaration:
    """One declaration the caller may see (another exporter's: 404)."""
    principal.require(Permission.DECLARATION_READ)
    return _declaration(session, principal, declaration_id)


def history(session: Session, *, principal: Principal, declaration_id: int) -> list[Declaration]:
    """Every version of a declaration, oldest first (corrections chain by ``supersedes``)."""
    row = get_declaration(session, principal=principal, declaration_id=declaration_id)
    chain = [row]
    while chain[0].supersedes_id is not None:
        previous = session.get(Declaration, chain[0].supersedes_id)
        if previous is None:  # pragma: no cover
            break
        chain.insert(0, previous)
    while True:
        following = session.execute(
            select(Declaration).where(Declaration.supersedes_id == chain[-1].id)
        ).scalar_one_or_none()
        if following is None:
            break
        chain.append(following)
    return chain


def list_declarations(
    session: Session,
    *,
    principal: Principal,
    policy_id: int | None = None,
    buyer_id: int | None = None,
    shipped_from: date | None = None,
    shipped_to: date | None = None,
    cover_status: CoverStatus | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Declaration], int]:
    """Declarations the caller may see, newest first, with the total matching."""
    principal.require(Permission.DECLARATION_READ)
    query = select(Declaration)
    if not principal.is_insurer:
        # its own, and a bank's consented exporters' in their windows [domain CS-14]
        query = query.where(
            consents.visible(
                session, principal, Declaration.exporter_org_id, Declaration.shipment_date
            )
        )
    if policy_id is not None:
        query = query.where(Declaration.policy_id == policy_id)
    if buyer_id is not None:
        query = query.where(Declaration.buyer_id == buyer_id)
    if shipped_from is not None:
        query = query.where(Declaration.shipment_date >= shipped_from)
    if shipped_to is not None:
        query = query.where(Declaration.shipment_date <= shipped_to)
    if cover_status is not None:
        query = query.where(Declaration.cover_status == cover_status.value)
    if status is not None:
        query = query.where(Declaration.status == status)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = (
        session.execute(query.order_by(Declaration.id.desc()).limit(limit).offset(offset))
        .scalars()
        .all()
    )
    return list(rows), int(total)


def active_declaration(session: Session, principal: Principal, declaration_id: int) -> Declaration:
    """An active declaration the caller may see, else ``NotFound`` (foreign = missing):
    for the use cases of other contexts (collections, claims) on a declared invoice.
    """
    row = session.get(Declaration, declaration_id)
    if row is None or row.status != STATUS_ACTIVE or not principal.can_see_org(row.exporter_org_id):
        raise NotFound(f"declaration {declaration_id} not found", field="declaration_id")
    return row


_ACTIVE_BY_ID = select(Declaration).where(
    Declaration.id.in_(bindparam("ids", expanding=True)), Declaration.status == STATUS_ACTIVE
)


def active_declarations(
    session: Session, principal: Principal, declaration_ids: Sequence[int]
) -> dict[int, Declaration]:
    """The active declarations among ``declaration_ids`` the caller may see, by id, in one
    query (the others are missing, as :func:`active_declaration` answers for one).
    """
    wanted = sorted(set(declaration_ids))
    if not wanted:
        return {}
    rows = session.execute(_ACTIVE_BY_ID, {"ids": wanted}).scalars()
    return {row.id: row for row in rows if principal.can_see_org(row.exporter_org_id)}


def declarations_by_id(session: Session, declaration_ids: list[int]) -> dict[int, Declaration]:
    """The declarations among ``declaration_ids`` that exist, by id, in one query (no
    scoping: the caller already holds ids of rows it may see).
    """
    wanted = sorted(set(declaration_ids))
    if not wanted:
        return {}
    rows = session.execute(select(Declaration).where(Declaration.id.in_(wanted))).scalars()
    return {row.id: row for row in rows}


def latest_of(session: Session, declaration_id: int) -> Declaration | None:
    """The declaration that now stands for ``declaration_id``: itself while active, else the
    active one of the corrections that superseded it (None when it ended without one).
    """
    row = session.get(Declaration, declaration_id)
    seen = 0
    while row is not None and row.status != STATUS_ACTIVE and seen < 1000:
        row = session.execute(
            select(Declaration).where(Declaration.supersedes_id == row.id)
        ).scalar_one_or_none()
        seen += 1
    return row

"""Waivers of late premium: one insurer user proposes, another approves (four eyes).

Premium not paid by its deadline leaves the shipments it billed without cover for losses
whose cause arose before it was paid (:mod:`tradecover.claims.late_premium`).  The
insurer may waive that consequence for one premium notice: :func:`propose` records the
waiver with its reason, :func:`approve` makes it count, and only when a *different*
person approves (``four_eyes_same_person``, 403, naming ``approved_by``; nothing is
written).  Both are audited on the notice's exporter.  The claim checks read approved
waivers only.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from tradecover import audit
from tradecover.access import Permission, Principal
from tradecover.billing import notice_exporter
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tradecover.kit.four_eyes import require_another_person
from tradecover.premium_waivers.model import WAIVER_APPROVED, WAIVER_PROPOSED, PremiumWaiver

MAX_REASON = 1000


def _require_insurer(principal: Principal) -> None:
    """Insurer staff who manage billing or decide claims may propose and approve."""
    if not principal.is_insurer:
        raise PermissionDenied("only the insurer waives late premium", code="forbidden")
    try:
        principal.require(Permission.BILLING_MANAGE)
    except PermissionDenied:
        principal.require(Permission.CLAIM_DECIDE)


def snapshot(waiver: PremiumWaiver) -> dict[str, object]:
    """What the audit log keeps of a waiver."""
    return {
        "notice_id": waiver.notice_id,
        "status": waiver.status,
        "reason": waiver.reason,
        "proposed_by": waiver.proposed_by,
        "approved_by": waiver.approved_by,
        "approved_on": waiver.approved_on.isoformat() if waiver.approved_on else None,
    }


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed("a waiver needs its reason", code="reason_required", field="reason")
    if len(text) > MAX_REASON or "\x00" in text:
        raise ValidationFailed(
            f"reason must be 1-{MAX_REASON} characters", code="invalid_text", field="reason"
        )
    return text


def propose(
    session: Session, *, principal: Principal, notice_id: int, reason: str
) -> PremiumWaiver:
    """Propose waiving the late premium of a notice (it counts once another approves)."""
    _require_insurer(principal)
    why = _reason(reason)
    exporter_org_id = notice_exporter(session, notice_id)
    if exporter_org_id is None:
        raise NotFound(f"no premium notice {notice_id}", code="notice_not_found", field="notice_id")
    taken = session.execute(
        select(PremiumWaiver.id).where(PremiumWaiver.notice_id == notice_id)
    ).scalar_one_or_none()
    if taken is not None:
        raise Conflict(
            f"premium notice {notice_id} already has waiver {taken}",
            code="waiver_exists",
            field="notice_id",
            details={"waiver_id": taken},
        )
    waiver = PremiumWaiver(
        notice_id=notice_id,
        exporter_org_id=exporter_org_id,
        status=WAIVER_PROPOSED,
        reason=why,
        proposed_by=principal.actor,
        proposed_at=utc_now(),
    )
    session.add(waiver)
    session.flush()
    audit.record(
        session,
        org_id=waiver.exporter_org_id,
        actor=principal.actor,
        action="premium_waiver.proposed",
        entity_type="premium_waiver",
        entity_id=waiver.id,
        reason=why,
        after=snapshot(waiver),
    )
    return waiver


def visible_waivers(principal: Principal) -> Select[PremiumWaiver]:
    """The waivers the caller may see: every one for insurer staff, else its own (tenant
    scoping, once: every list and get starts from this statement).
    """
    query = select(PremiumWaiver)
    if not principal.is_insurer:
        query = query.where(PremiumWaiver.exporter_org_id == principal.org_id)
    return query


def _waiver(
    session: Session, principal: Principal, waiver_id: int, *, lock: bool = False
) -> PremiumWaiver:
    query = visible_waivers(principal).where(PremiumWaiver.id == waiver_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    waiver = session.execute(query).scalar_one_or_none()
    if waiver is None:
        raise NotFound(f"no premium waiver {waiver_id}", code="waiver_not_found")
    return waiver


def approve(
    session: Session, *, principal: Principal, waiver_id: int, today: date
) -> PremiumWaiver:
    """The second person approves a proposed waiver: from now on it counts."""
    _require_insurer(principal)
    waiver = _waiver(session, principal, waiver_id, lock=True)
    if waiver.status != WAIVER_PROPOSED:
        raise Conflict(f"waiver {waiver_id} is already approved", code="waiver_already_approved")
    require_another_person(
        maker=waiver.proposed_by,
        checker=principal.actor,
        message="a waiver needs a second approver: another person than the one who proposed it",
    )
    before = snapshot(waiver)
    waiver.status = WAIVER_APPROVED
    waiver.approved_by = principal.actor
    waiver.approved_on = today
    waiver.approved_at = utc_now()
    session.flush()
    audit.record(
        session,
        org_id=waiver.exporter_org_id,
        actor=principal.actor,
        action="premium_waiver.approved",
        entity_type="premium_waiver",
        entity_id=waiver.id,
        reason=waiver.reason,
        before=before,
        after=snapshot(waiver),
    )
    return waiver


def get(session: Session, *, principal: Principal, waiver_id: int) -> PremiumWaiver:
    """One waiver the caller may see (an exporter sees its own)."""
    principal.require(Permission.BILLING_READ)
    return _waiver(session, principal, waiver_id)


def list_waivers(
    session: Session, *, principal: Principal, notice_id: int | None = None
) -> list[PremiumWaiver]:
    """Waivers the caller may see, oldest first, optionally of one notice."""
    principal.require(Permission.BILLING_READ)
    query = visible_waivers(principal).order_by(PremiumWaiver.id)
    if notice_id is not None:
        query = query.where(PremiumWaiver.notice_id == notice_id)
    return list(session.execute(query).scalars())


def approved_waivers(session: Session, notice_ids: list[int]) -> list[PremiumWaiver]:
    """The approved waivers of these premium notices (for the claims' premium check)."""
    return list(
        session.execute(
            select(PremiumWaiver).where(
                PremiumWaiver.notice_id.in_(notice_ids), PremiumWaiver.status == WAIVER_APPROVED
            )
        ).scalars()
    )

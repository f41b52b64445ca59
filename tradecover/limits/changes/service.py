"""Changing a limit: versions reserved on the caps, the insurer's cuts, cancellations, notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from tradecover import audit, buyers
from tradecover.access import Permission, Principal
from tradecover.events import record_event
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tradecover.kit.money import Money
from tradecover.limits import repository as repo
from tradecover.limits.common.service import (
    CountryView,
    _active_limit,
    _limit,
    _pure_versions,
    country_view,
    versions_of,
)
from tradecover.limits.fx import CAP_CURRENCY, to_usd
from tradecover.limits.model import (
    CreditLimit,
    CreditLimitVersion,
    LimitNotification,
)
from tradecover.limits.request import LimitConditions, RequestType
from tradecover.limits.versions import next_version
from tradecover.reference.payment_terms import PaymentTerms


@dataclass(frozen=True, slots=True)
class _Loaded:
    """What a decision already read: the current limit, the country view, whether the
    country has an exposure row (so :func:`_change` does not read them again).
    """

    current: CreditLimit | None
    view: CountryView
    country_row: bool


# --- changing a limit -------------------------------------------------------------------


def _no_room(what: str) -> Conflict:
    return Conflict(
        f"no room left on the {what} for this amount",
        code="exceeds_room",
        field="amount",
        details={"cap": what},
    )


def _change(
    session: Session,
    *,
    principal: Principal,
    org_id: int,
    policy_id: int,
    buyer: buyers.Buyer,
    kind: RequestType,
    amount: Money,
    today: date,
    reason: str | None,
    payment_terms: str | None = None,
    credit_period_days: int | None = None,
    conditions: LimitConditions | None = None,
    application_id: int | None = None,
    effective_from: date | None = None,
    loaded: _Loaded | None = None,
    audited: bool = True,
) -> tuple[CreditLimit, CreditLimitVersion]:
    """Put a new version of the limit in force, reserving or releasing on the caps.

    ``loaded``: what the caller already read (the current limit, the country view), not
    read again; ``audited=False``: the caller writes the one audit entry itself.
    """
    current = (
        loaded.current
        if loaded is not None
        else _active_limit(session, org_id=org_id, policy_id=policy_id, buyer_id=buyer.id)
    )
    rows = versions_of(session, current.id) if current is not None else []
    version = next_version(
        _pure_versions(rows),
        kind=kind,
        amount=amount,
        effective_from=effective_from or today,
        today=today,
        expires_on=conditions.expires_on if conditions else None,
        indemnity_pct=conditions.indemnity_pct if conditions else None,
        reason=reason,
    )
    new_usd = to_usd(amount).minor_units()
    old_usd = current.committed_usd_minor if current is not None else 0
    delta = new_usd - old_usd
    if delta > 0:  # lock order: country, then buyer aggregate, then the limit row
        view = loaded.view if loaded is not None else country_view(session, buyer.country)
        cap = view.cap_usd.minor_units() if view.cap_usd is not None else None
        if not repo.reserve_country(
            session,
            country=buyer.country,
            delta_minor=delta,
            cap_minor=cap,
            ensure=loaded is None or not loaded.country_row,
        ):
            raise _no_room("country cap")
        if not repo.reserve_buyer(session, buyer_id=buyer.id, delta_minor=delta):
            raise _no_room("buyer aggregate limit")
    elif delta < 0:
        repo.release_country(session, country=buyer.country, amount_minor=-delta)
        repo.release_buyer(session, buyer_id=buyer.id, amount_minor=-delta)
    now = utc_now()
    if current is None:
        if session.execute(
            select(
                exists().where(  # re-read under the aggregate's lock
                    CreditLimit.org_id == org_id,
                    CreditLimit.policy_id == policy_id,
                    CreditLimit.buyer_id == buyer.id,
                    CreditLimit.status == "active",
                )
            )
        ).scalar():
            raise Conflict("a limit on this buyer exists", code="limit_already_exists")
        current = CreditLimit(
            org_id=org_id,
            policy_id=policy_id,
            buyer_id=buyer.id,
            country=buyer.country,
            currency=amount.currency,
            amount_minor=amount.minor_units(),
            committed_usd_minor=new_usd,
            status="active",
            payment_terms=payment_terms or PaymentTerms.OA.value,
            credit_period_days=credit_period_days or 90,
            effective_from=version.effective_from,
            expires_on=version.expires_on,
            indemnity_pct=version.indemnity_pct,
            conditions_text=conditions.text if conditions else None,
            current_version=1,
            created_at=now,
            updated_at=now,
        )
        session.add(current)
        session.flush()
    else:
        result = session.execute(
            update(CreditLimit)
            .where(
                CreditLimit.id == current.id,
                CreditLimit.current_version == current.current_version,
            )
            .values(
                amount_minor=amount.minor_units(),
                committed_usd_minor=new_usd,
                current_version=version.number,
                status="cancelled" if kind is RequestType.CANCELLATION else "active",
                expires_on=version.expires_on,
                indemnity_pct=version.indemnity_pct,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(f"limit {current.id} changed meanwhile", code="limit_changed")
        for key, value in (
            ("amount_minor", amount.minor_units()),  # as written: no re-read
            ("committed_usd_minor", new_usd),
            ("current_version", version.number),
            ("status", "cancelled" if kind is RequestType.CANCELLATION else "active"),
            ("expires_on", version.expires_on),
            ("indemnity_pct", version.indemnity_pct),
            ("updated_at", now),
        ):
            set_committed_value(current, key, value)
    row = CreditLimitVersion(
        limit_id=current.id,
        number=version.number,
        kind=kind.value,
        currency=amount.currency,
        amount_minor=version.amount.minor_units(),
        effective_from=version.effective_from,
        expires_on=version.expires_on,
        indemnity_pct=version.indemnity_pct,
        reason=version.reason,
        application_id=application_id,
        created_at=now,
        created_by=principal.actor,
    )
    session.add(row)
    session.flush()
    _record_change_event(session, current, row, kind)
    if not audited:
        return current, row
    audit.record(
        session,
        org_id=principal.org_id,
        actor=principal.actor,
        action=f"limit.{kind.value}",
        entity_type="credit_limit",
        entity_id=current.id,
        reason=reason,
        before={"amount": str(Money.from_minor(old_usd, CAP_CURRENCY)) + " reserved"},
        after={
            "version": version.number,
            "amount": str(version.amount),
            "effective_from": version.effective_from.isoformat(),
        },
    )
    return current, row


def _record_change_event(
    session: Session, limit: CreditLimit, version: CreditLimitVersion, kind: RequestType
) -> None:
    """``limit.reduced`` or ``limit.cancelled`` for the exporter, whoever asked (the
    insurer's cut, a decided application, a proposal or a bulk action).
    """
    subject = f"credit_limit:{limit.id}"
    if kind is RequestType.REDUCTION:
        record_event(
            session,
            "limit.reduced",
            subject,
            {
                "limit_id": limit.id,
                "policy_id": limit.policy_id,
                "buyer_id": limit.buyer_id,
                "amount": str(Money.from_minor(version.amount_minor, version.currency).amount),
                "currency": version.currency,
                "effective_from": version.effective_from,
            },
            limit.org_id,
        )
    elif kind is RequestType.CANCELLATION:
        record_event(
            session,
            "limit.cancelled",
            subject,
            {
                "limit_id": limit.id,
                "policy_id": limit.policy_id,
                "buyer_id": limit.buyer_id,
                "effective_from": version.effective_from,
                "reason": version.reason,
            },
            limit.org_id,
        )


def change_by_insurer(
    session: Session,
    *,
    principal: Principal,
    limit_id: int,
    kind: RequestType,
    amount: Money | None,
    reason: str,
    today: date,
    effective_from: date | None = None,
    notice_kind: str | None = None,
) -> CreditLimit:
    """The insurer reduces or cancels a limit with a reason; the exporter is notified.

    The new version takes effect on ``effective_from`` (today by default): shipments
    made before keep the cover of the version in force when they were made.
    """
    principal.require(Permission.LIMIT_MANAGE)
    if not principal.is_insurer:
        raise PermissionDenied(
            "only the insurer reduces or cancels a limit this way", code="forbidden"
        )
    if kind not in (RequestType.REDUCTION, RequestType.CANCELLATION):
        raise ValidationFailed(
            "the insurer reduces or cancels; increases are applied for",
            code="invalid_request_type",
            field="kind",
        )
    row = _limit(session, principal, limit_id)
    if row.status != "active":
        raise Conflict(f"limit {limit_id} is {row.status}", code="limit_not_active")
    target = Money.zero(row.currency) if kind is RequestType.CANCELLATION else amount
    if target is None:
        raise ValidationFailed(
            "a reduction needs the new amount", code="amount_required", field="amount"
        )
    if target.currency != row.currency:
        raise ValidationFailed(
            f"the limit is in {row.currency}", code="currency_mismatch", field="currency"
        )
    buyer = buyers.buyer_record(session, row.buyer_id)
    limit, version = _change(
        session,
        principal=principal,
        org_id=row.org_id,
        policy_id=row.policy_id,
        buyer=buyer,
        kind=kind,
        amount=target,
        today=today,
        reason=reason,
        effective_from=effective_from,
    )
    notice = notice_kind or ("cancelled" if kind is RequestType.CANCELLATION else "reduced")
    new_amount = (
        ""
        if kind is RequestType.CANCELLATION
        else f" to {Money.from_minor(version.amount_minor, row.currency)}"
    )
    message = (
        f"Your credit limit {limit.id} on {buyer.legal_name} is {notice}{new_amount}"
        f" from {version.effective_from.isoformat()}: {reason}"
    )
    session.add(
        LimitNotification(
            org_id=row.org_id,
            limit_id=row.id,
            version_id=version.id,
            kind=notice,
            message=message,
            created_at=utc_now(),
        )
    )
    session.flush()
    return limit


def list_notifications(
    session: Session,
    *,
    principal: Principal,
    unacknowledged: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[LimitNotification], int]:
    """Notices of reduced or cancelled limits: an exporter sees its own, the insurer all."""
    principal.require(Permission.LIMIT_READ)
    query = repo.visible_notifications(principal)
    if unacknowledged:
        query = query.where(LimitNotification.acknowledged_at.is_(None))
    total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    rows = session.execute(query.order_by(LimitNotification.id.desc()).limit(limit).offset(offset))
    return list(rows.scalars()), total


def acknowledge(
    session: Session, *, principal: Principal, notification_id: int
) -> LimitNotification:
    """The exporter acknowledges a notice about its own limit."""
    principal.require(Permission.LIMIT_APPLY)
    row = session.get(LimitNotification, notification_id)
    if row is None or row.org_id != principal.org_id:
        raise NotFound(f"no notification {notification_id}", code="notification_not_found")
    if row.acknowledged_at is not None:
        raise Conflict("already acknowledged", code="already_acknowledged")
    row.acknowledged_at = utc_now()
    row.acknowledged_by = principal.actor
    session.flush()
    audit.record(
        session,
        org_id=principal.org_id,
        actor=principal.actor,
        action="limit.notice_acknowledged",
        entity_type="limit_notification",
        entity_id=row.id,
        after={"limit_id": row.limit_id, "kind": row.kind},
    )
    return row

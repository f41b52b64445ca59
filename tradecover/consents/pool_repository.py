"""The pool of buyers' payment experience [domain CS-12]: with its consent, an exporter
contributes its overdue notices and claims per buyer; insurers and banks read the pooled
figures of a buyer, no exporter named, only once enough exporters contribute; the exporter
sees what it contributes and stops (its rows leave the pool).  Never commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, insert, select
from sqlalchemy.orm import Session

from tradecover import audit
from tradecover.consents.fields import BuyerExperience, PooledExperience, pooled
from tradecover.consents.model import Consent, PaymentExperience
from tradecover.consents.rules import ConsentStatus, Purpose, Scope
from tradecover.kit.dates import utc_now

POOL_SCOPE = Scope.PAYMENT_EXPERIENCE
POOL_PURPOSE = Purpose.PORTFOLIO_MONITORING
"""The consent that lets an exporter's experience into the pool: payment experience, for
portfolio monitoring, authorised and unexpired, to any insurer or bank [domain CS-12]."""


def pool_consents(session: Session, exporter_org_id: int, now: datetime) -> list[int]:
    """The exporter's valid consents that let its experience into the pool."""
    rows = session.execute(
        select(Consent).where(
            Consent.grantor_org_id == exporter_org_id,
            Consent.status == ConsentStatus.AUTHORISED.value,
            Consent.expires_at > now,
        )
    ).scalars()
    return [r.id for r in rows if POOL_SCOPE.value in r.scopes and POOL_PURPOSE.value in r.purposes]


def _audit(session: Session, exporter_org_id: int, actor: str, action: str, count: int) -> None:
    audit.record(
        session,
        org_id=exporter_org_id,
        actor=actor,
        action=action,
        entity_type="payment_experience_pool",
        entity_id=exporter_org_id,
        after={"buyers": count},
    )


def contribute(
    session: Session,
    *,
    exporter_org_id: int,
    records: Iterable[BuyerExperience],
    actor: str,
    now: datetime | None = None,
) -> int:
    """Replace the exporter's rows in the pool by ``records`` (set-based), when a valid
    consent lets them in; without one, its rows leave the pool.  Returns the rows written.
    """
    now = now or utc_now()
    if not pool_consents(session, exporter_org_id, now):
        withdraw_from_pool(session, exporter_org_id=exporter_org_id, actor=actor)
        return 0
    session.execute(
        delete(PaymentExperience).where(PaymentExperience.contributor_org_id == exporter_org_id)
    )
    values = [
        {
            "buyer_id": r.buyer_id,
            "contributor_org_id": exporter_org_id,
            "overdue_notices": r.overdue_notices,
            "max_days_late": r.max_days_late,
            "claims": r.claims,
            "contributed_at": now,
        }
        for r in records
    ]
    if values:
        session.execute(insert(PaymentExperience), values)
    _audit(session, exporter_org_id, actor, "consent.pool_contributed", len(values))
    return len(values)


def withdraw_from_pool(session: Session, *, exporter_org_id: int, actor: str) -> int:
    """Remove the exporter's rows from the pool (it stopped, or its consent ended)."""
    result = cast(
        CursorResult[Any],
        session.execute(
            delete(PaymentExperience).where(PaymentExperience.contributor_org_id == exporter_org_id)
        ),
    )
    removed = result.rowcount
    if removed:
        _audit(session, exporter_org_id, actor, "consent.pool_withdrawn", removed)
    return int(removed or 0)


def contributions_of(session: Session, exporter_org_id: int) -> list[BuyerExperience]:
    """What the exporter contributes to the pool, by buyer."""
    rows = session.execute(
        select(PaymentExperience)
        .where(PaymentExperience.contributor_org_id == exporter_org_id)
        .order_by(PaymentExperience.buyer_id)
    ).scalars()
    return [BuyerExperience(r.buyer_id, r.overdue_notices, r.max_days_late, r.claims) for r in rows]


def pooled_experience(session: Session, buyer_id: int) -> PooledExperience | None:
    """The buyer's pooled payment experience, or None below k contributors [domain CS-12]."""
    rows = session.execute(
        select(PaymentExperience).where(PaymentExperience.buyer_id == buyer_id)
    ).scalars()
    return pooled(
        buyer_id,
        [BuyerExperience(r.buyer_id, r.overdue_notices, r.max_days_late, r.claims) for r in rows],
    )

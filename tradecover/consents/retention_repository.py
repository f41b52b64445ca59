"""Retention [domain CS-13]: once a consent has ended (revoked, or expired) and its
retention period has passed, what it opened is purged — the documents' stored content
(unless another valid consent still opens it, a claim in progress holds it, or it is a
financial record still within the years the law requires) and the exporter's rows in the
payment-experience pool — and the purge is audited on both parties' chains.  The ledger,
declarations and claims are never touched.  Never commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tradecover import audit
from tradecover.consents.model import Consent, ConsentPurge
from tradecover.consents.pool_repository import POOL_SCOPE, pool_consents, withdraw_from_pool
from tradecover.consents.rules import ConsentStatus, Scope
from tradecover.kit.dates import utc_now

DOCUMENT_SCOPES = frozenset({Scope.INVOICE_DOCUMENTS.value, Scope.CUSTOMS_DOCUMENTS.value})
"""The scopes whose data is the stored content of received documents."""


@dataclass(frozen=True, slots=True)
class PurgeDue:
    """An ended consent whose retention has passed: what it opened, of whom."""

    consent_id: int
    grantor_org_id: int
    grantee_org_id: int
    scopes: frozenset[str]
    data_from: date | None
    data_to: date | None
    ended_at: datetime


def _ended_at(row: Consent) -> datetime | None:
    if row.status == ConsentStatus.REVOKED.value:
        return row.revoked_at
    if row.status in (ConsentStatus.AUTHORISED.value, ConsentStatus.EXPIRED.value):
        return row.expires_at
    return None  # awaiting or rejected: it never opened anything


def purges_due(session: Session, *, now: datetime, retention_days: int) -> list[PurgeDue]:
    """The consents that ended more than ``retention_days`` ago and were not purged yet."""
    cutoff = now - timedelta(days=retention_days)
    purged = select(ConsentPurge.consent_id)
    rows = session.execute(
        select(Consent)
        .where(
            Consent.id.not_in(purged),
            or_(Consent.revoked_at <= cutoff, Consent.expires_at <= cutoff),
        )
        .order_by(Consent.id)
    ).scalars()
    due = []
    for row in rows:
        ended = _ended_at(row)
        if ended is not None and ended <= cutoff:
            due.append(
                PurgeDue(
                    row.id,
                    row.grantor_org_id,
                    row.grantee_org_id,
                    frozenset(row.scopes),
                    row.data_from,
                    row.data_to,
                    ended,
                )
            )
    return due


def scopes_still_open(session: Session, grantor_org_id: int, now: datetime) -> frozenset[str]:
    """The scopes some valid consent of the exporter still opens (to anyone)."""
    rows = session.execute(
        select(Consent.scopes).where(
            Consent.grantor_org_id == grantor_org_id,
            Consent.status == ConsentStatus.AUTHORISED.value,
            Consent.expires_at > now,
        )
    ).scalars()
    return frozenset(scope for scopes in rows for scope in scopes)


PurgeDocuments = Callable[[PurgeDue], int]
"""The feed's purge of the documents a consent opened (the edge wires the feeds context)."""


def purge(
    session: Session,
    *,
    purge_documents: PurgeDocuments,
    actor: str,
    retention_days: int,
    now: datetime | None = None,
) -> dict[int, dict[str, int]]:
    """Purge what every ended consent past its retention opened [domain CS-13]; returns
    per consent the counts purged.  Idempotent: a purged consent is not purged again.
    """
    now = now or utc_now()
    done: dict[int, dict[str, int]] = {}
    for due in purges_due(session, now=now, retention_days=retention_days):
        still = scopes_still_open(session, due.grantor_org_id, now)
        counts = {"documents": 0, "pool_rows": 0}
        if due.scopes & DOCUMENT_SCOPES and not still & DOCUMENT_SCOPES:
            counts["documents"] = purge_documents(due)
        if POOL_SCOPE.value in due.scopes and not pool_consents(session, due.grantor_org_id, now):
            counts["pool_rows"] = withdraw_from_pool(
                session, exporter_org_id=due.grantor_org_id, actor=actor
            )
        session.add(ConsentPurge(consent_id=due.consent_id, purged_at=now, counts=counts))
        for org in (due.grantor_org_id, due.grantee_org_id):
            audit.record(
                session,
                org_id=org,
                actor=actor,
                action="consent.purged",
                entity_type="consent",
                entity_id=due.consent_id,
                reason=f"retention ended {due.ended_at.isoformat()}",
                after=counts,
            )
        done[due.consent_id] = counts
    session.flush()
    return done

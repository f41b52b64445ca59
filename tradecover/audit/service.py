"""Recording audit entries in the caller's transaction, and verifying every chain."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.audit.chain import GENESIS_HASH, ChainBreak, ChainedEntry, entry_hash, verify_chain
from tradecover.audit.model import AuditChainHead, AuditEntry
from tradecover.kit.dates import utc_now


def record(
    session: Session,
    *,
    org_id: int,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str | int,
    reason: str | None = None,
    before: Any = None,
    after: Any = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry to ``org_id``'s chain inside the current transaction.

    The chain head row of that organisation is locked (``FOR UPDATE``; on SQLite the
    ``BEGIN IMMEDIATE`` transaction already serialises writers), so entries of one
    organisation get gap-free positions while other organisations never wait.
    """
    head = session.execute(
        select(AuditChainHead).where(AuditChainHead.org_id == org_id).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditChainHead(org_id=org_id, last_seq=0, last_hash=GENESIS_HASH)
        session.add(head)
    occurred_at = at or utc_now()
    seq = head.last_seq + 1
    digest = entry_hash(
        prev_hash=head.last_hash, org_id=org_id, seq=seq, occurred_at=occurred_at, actor=actor,
        action=action, entity_type=entity_type, entity_id=str(entity_id), reason=reason,
        before=before, after=after,
    )
    entry = AuditEntry(
        org_id=org_id, seq=seq, occurred_at=occurred_at, actor=actor, action=action,
        entity_type=entity_type, entity_id=str(entity_id), reason=reason, before=before,
        after=after, prev_hash=head.last_hash, hash=digest,
    )
    session.add(entry)
    head.last_seq, head.last_hash = seq, digest
    session.flush()
    return entry


def _entries(session: Session, org_id: int) -> Iterator[ChainedEntry]:
    rows = session.execute(
        select(AuditEntry).where(AuditEntry.org_id == org_id).order_by(AuditEntry.id)
        .execution_options(yield_per=2000)
    ).scalars()
    for row in rows:
        yield ChainedEntry(
            id=row.id, org_id=row.org_id, seq=row.seq, occurred_at=row.occurred_at,
            actor=row.actor, action=row.action, entity_type=row.entity_type,
            entity_id=row.entity_id, reason=row.reason, before=row.before, after=row.after,
            prev_hash=row.prev_hash, hash=row.hash,
        )


def verify_all(session: Session) -> list[ChainBreak]:
    """Verify every organisation's chain; one break (the first) per broken chain."""
    org_ids = set(session.execute(select(AuditChainHead.org_id)).scalars())
    org_ids |= set(session.execute(select(AuditEntry.org_id).distinct()).scalars())
    breaks: list[ChainBreak] = []
    for org_id in sorted(org_ids):
        head = session.get(AuditChainHead, org_id)
        head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
        found = verify_chain(org_id, _entries(session, org_id), head_seq=head_seq,
                             head_hash=head_hash)
        if found:
            breaks.append(found)
    return breaks


def history(
    session: Session, *, entity_type: str, entity_id: str | int, org_id: int | None = None
) -> list[AuditEntry]:
    """All entries about one entity, oldest first (optionally within one organisation)."""
    query = select(AuditEntry).where(
        AuditEntry.entity_type == entity_type, AuditEntry.entity_id == str(entity_id)
    )
    if org_id is not None:
        query = query.where(AuditEntry.org_id == org_id)
    return list(session.execute(query.order_by(AuditEntry.id)).scalars())

"""Reads of the recovery ledger ([domain C-7]), scoped to the reader.

An exporter reads the recoveries and claims of its own organisation; insurer staff read
every exporter's.  The caller checks ``Permission.CLAIM_READ`` first.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.access import Principal
from tradecover.claims.model import ClaimRow, RecoveryRow


def recovery_ledger(
    session: Session, *, principal: Principal
) -> list[tuple[RecoveryRow, ClaimRow]]:
    """Every recovery booked with its claim, by the day the money came in."""
    query = select(RecoveryRow, ClaimRow).join(ClaimRow, ClaimRow.id == RecoveryRow.claim_id)
    if not principal.is_insurer:
        query = query.where(ClaimRow.exporter_org_id == principal.org_id)
    rows = session.execute(query.order_by(RecoveryRow.received_on, RecoveryRow.id))
    return [(recovery, claim) for recovery, claim in rows]


def paid_claims(session: Session, *, principal: Principal) -> list[ClaimRow]:
    """The paid claims (those a recovery can be booked against), by id."""
    query = select(ClaimRow).where(ClaimRow.state == "paid")
    if not principal.is_insurer:
        query = query.where(ClaimRow.exporter_org_id == principal.org_id)
    return list(session.execute(query.order_by(ClaimRow.id)).scalars())

"""Claims: booking a recovery on a paid claim.

The recovery is shared between the insurer and the insured by their shares of the loss
(:mod:`~tradecover.claims.recovery`, the pure rule); the claim row is locked so that
concurrent recoveries never share more than the loss.  The insurer's share is posted to
the journal and the recovery audited in the caller's transaction.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover import audit, coinsurance, ledger, market
from tradecover.access import Permission, Principal
from tradecover.claims.indemnity import ClaimState, LossCause
from tradecover.claims.model import ClaimRow, RecoveryRow
from tradecover.claims.recovery import (
    RecoverySource,
    book_recovery,
    check_rights_transferred,
    share_recovery,
)
from tradecover.claims.service import claim_for, claim_limit_id
from tradecover.events import record_event
from tradecover.kit.dates import utc_now
from tradecover.kit.money import Money


def record_recovery(
    session: Session,
    *,
    principal: Principal,
    claim_id: int,
    source: RecoverySource,
    gross: Money,
    costs: Money,
    received_on: date,
) -> RecoveryRow:
    """Book a recovery on a paid claim, shared insurer / insured by shares of the loss."""
    principal.require(Permission.CLAIM_DECIDE)
    claim = claim_for(session, principal, claim_id)
    # lock the claim row so that concurrent recoveries never share more than the loss
    session.execute(select(ClaimRow.id).where(ClaimRow.id == claim.id).with_for_update())
    session.refresh(claim)
    check_rights_transferred(ClaimState(claim.state), paid=claim.paid_on is not None)
    before = session.execute(
        select(func.coalesce(func.sum(RecoveryRow.gross_minor - RecoveryRow.costs_minor), 0)).where(
            RecoveryRow.claim_id == claim.id
        )
    ).scalar_one()
    shares = share_recovery(
        gross=gross,
        costs=costs,
        indemnity=Money.from_minor(claim.indemnity_minor, claim.currency),
        loss=Money.from_minor(claim.loss_minor, claim.currency),
        net_recovered_before=Money.from_minor(int(before), claim.currency),
    )
    row = RecoveryRow(
        claim_id=claim.id,
        source=source.value,
        currency=claim.currency,
        gross_minor=shares.gross.minor_units(),
        costs_minor=shares.costs.minor_units(),
        insurer_minor=shares.insurer.minor_units(),
        insured_minor=shares.insured.minor_units(),
        received_on=received_on,
        recorded_at=utc_now(),
        recorded_by=principal.actor,
    )
    session.add(row)
    session.flush()
    entry = book_recovery(
        claim_ref=str(claim.id), recovery_ref=str(row.id), shares=shares, posted_on=received_on
    )
    if entry is not None:
        ledger.post(session, entries=[entry])
        coinsurance.allocate(  # each insurer's share of a recovery [domain CO-7]
            session,
            [
                coinsurance.Split(
                    coinsurance.SOURCE_RECOVERY,
                    row.id,
                    claim.policy_id,
                    claim.currency,
                    claim.due_date,
                    received_on,
                    {"recovery": shares.insurer.minor_units()},
                    claim_limit_id(session, claim.id),
                )
            ],
        )
        market.allocate_to_carriers(  # the carrier of the claim's cause [domain MK-14]
            session,
            [
                market.CarrierSplit(
                    "recovery",
                    row.id,
                    claim.policy_id,
                    claim.currency,
                    received_on,
                    {"recovery": shares.insurer.minor_units()},
                    LossCause(claim.cause).risk_type.value,
                )
            ],
        )
    audit.record(
        session,
        org_id=claim.exporter_org_id,
        actor=principal.actor,
        action="claim.recovery",
        entity_type="claim",
        entity_id=claim.id,
        after={
            "recovery_id": row.id,
            "source": source.value,
            "net": str(shares.net),
            "insurer": str(shares.insurer),
            "insured": str(shares.insured),
        },
    )
    record_event(
        session,
        "recovery.shared",
        f"claim:{claim.id}",
        {
            "claim_id": claim.id,
            "recovered_amount": str(shares.net.amount),
            "exporter_share": str(shares.insured.amount),
            "insurer_share": str(shares.insurer.amount),
            "currency": claim.currency,
        },
        claim.exporter_org_id,
    )
    return row

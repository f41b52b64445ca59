"""Claims: closing a claim.

:func:`close` ends a claim: a paid one is settled (``paid`` to ``closed``), a rejected
one is closed as rejected, a filed or checking one is withdrawn (the exporter or a
handler, with a reason); ``closure`` says which.  An approved, unpaid claim cannot be
closed (its indemnity is booked as payable: pay it).  Only a settled claim counts
against the maximum liability or takes recoveries; a withdrawn or rejected one frees
its shipments for a new claim.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from tradecover.access import Permission, Principal
from tradecover.claims.indemnity import ClaimEvent, ClaimState
from tradecover.claims.model import ClaimRow
from tradecover.claims.service import (
    CLOSURE_REJECTED,
    CLOSURE_SETTLED,
    CLOSURE_WITHDRAWN,
    claim_for,
    move_claim,
)
from tradecover.kit.errors import Conflict, ValidationFailed


def close(
    session: Session, *, principal: Principal, claim_id: int, reason: str | None, today: date
) -> ClaimRow:
    """Close a claim: settle a paid one, close a rejected one, withdraw an undecided one.

    The exporter may only withdraw its own filed or checking claim; a claims handler may
    close any claim the state machine allows.  A withdrawal needs a reason.  An approved
    claim (its indemnity booked as payable) and a closed one are refused.
    """
    principal.require(Permission.CLAIM_READ)
    claim = claim_for(session, principal, claim_id)
    state = ClaimState(claim.state)
    if state in (ClaimState.FILED, ClaimState.CHECKING):
        closure = CLOSURE_WITHDRAWN
        if principal.is_insurer:
            principal.require(Permission.CLAIM_DECIDE)
        else:
            principal.require(Permission.CLAIM_FILE)
        if not reason or not reason.strip():
            raise ValidationFailed(
                "a withdrawal needs a reason", code="reason_required", field="reason"
            )
    else:
        principal.require(Permission.CLAIM_DECIDE)
        closure = CLOSURE_REJECTED if state is ClaimState.REJECTED else CLOSURE_SETTLED
    if state is ClaimState.CLOSED:
        raise Conflict(
            f"the claim is already closed ({claim.closure})",
            code="claim_already_closed",
            details={"closure": claim.closure},
        )
    move_claim(
        session,
        principal,
        claim,
        ClaimEvent.CLOSE,
        closure=closure,
        closed_on=today,
        closed_by=principal.actor,
        close_reason=reason.strip() if reason and reason.strip() else None,
    )
    return claim

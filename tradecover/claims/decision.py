"""Claims: the handler's decision: taking a claim up, approving it (four eyes above the
threshold) or rejecting it.

Approval posts the indemnity as payable (:mod:`tradecover.ledger`) in the caller's
transaction; every step writes its audit entry there too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tradecover import audit, coinsurance, ledger
from tradecover.access import Permission, Principal
from tradecover.claims.checks import ensure_approvable
from tradecover.claims.documents.service import ensure_documents_complete
from tradecover.claims.indemnity import (
    ClaimDefaults,
    ClaimEvent,
    ClaimState,
    ClaimTerms,
    LossCause,
    check_four_eyes,
    earliest_payment_date,
    next_claim_state,
    requires_second_approval,
)
from tradecover.claims.model import ClaimRow
from tradecover.claims.recovery import book_approval
from tradecover.claims.service import (
    DEFAULT_DEFAULTS,
    claim_for,
    claim_limit_id,
    claim_snapshot,
    claim_terms_of,
    move_claim,
    refresh_standing,
    stored_checks,
)
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money


def start_checks(
    session: Session, *, principal: Principal, claim_id: int, today: date | None = None
) -> ClaimRow:
    """A claims handler takes the claim up (``filed`` to ``checking``); the policy's
    liability and the premium checks are read again for ``today``.
    """
    principal.require(Permission.CLAIM_DECIDE)
    claim = claim_for(session, principal, claim_id)
    if claim.state == ClaimState.FILED.value:
        refresh_standing(session, claim, today or utc_now().date())
    move_claim(session, principal, claim, ClaimEvent.START_CHECKS)
    return claim


def approve(
    session: Session,
    *,
    principal: Principal,
    claim_id: int,
    today: date,
    defaults: ClaimDefaults = DEFAULT_DEFAULTS,
    terms: ClaimTerms | None = None,
) -> ClaimRow:
    """Approve a claim whose blocking checks all pass and whose required documents are
    all accepted (``required_documents_missing``); above the threshold a second,
    different handler must approve too (the first approval only records the maker).  A
    coinsured claim above the policy's threshold then asks each follower for its approval
    before payment [domain CO-11].

    The policy's claim terms apply; ``terms`` replaces them for a caller that fixes its
    own (the demo book).
    """
    principal.require(Permission.CLAIM_DECIDE)
    claim = claim_for(session, principal, claim_id)
    if claim.state != ClaimState.CHECKING.value:
        next_claim_state(ClaimState(claim.state), ClaimEvent.APPROVE)
    refresh_standing(session, claim, today)
    ensure_approvable(stored_checks(claim))
    ensure_documents_complete(session, claim)
    terms = terms or claim_terms_of(session, claim, defaults)
    indemnity = Money.from_minor(claim.indemnity_minor, claim.currency)
    if requires_second_approval(indemnity, terms.second_approval_above):
        if claim.approved_by is None:
            claim.approved_by = principal.actor
            session.flush()
            audit.record(
                session,
                org_id=claim.exporter_org_id,
                actor=principal.actor,
                action="claim.first_approval",
                entity_type="claim",
                entity_id=claim.id,
                after=claim_snapshot(claim),
            )
            return claim
        check_four_eyes(maker=claim.approved_by, checker=principal.actor)
        second: dict[str, Any] = {"second_approved_by": principal.actor}
    else:
        second = {"approved_by": principal.actor}
    payable = earliest_payment_date(
        cause=LossCause(claim.cause), due_date=claim.due_date, decided_on=today, terms=terms
    )
    move_claim(
        session,
        principal,
        claim,
        ClaimEvent.APPROVE,
        decided_on=today,
        payable_from=payable,
        **second,
    )
    ledger.post(
        session,
        entries=[book_approval(claim_ref=str(claim.id), indemnity=indemnity, posted_on=today)],
    )
    if coinsurance.claim_approval_threshold(session, claim.policy_id) is not None:
        coinsurance.request_claim_approvals(  # followers approve a large claim [domain CO-11]
            session,
            claim_id=claim.id,
            policy_id=claim.policy_id,
            limit_id=claim_limit_id(session, claim.id),
            exporter_org_id=claim.exporter_org_id,
            risk_date=claim.due_date,
            currency=claim.currency,
            indemnity_minor=claim.indemnity_minor,
            actor=principal.actor,
        )
    return claim


def reject(
    session: Session, *, principal: Principal, claim_id: int, reason: str, today: date
) -> ClaimRow:
    """Reject a claim, with the reason the exporter will read."""
    principal.require(Permission.CLAIM_DECIDE)
    if not reason or not reason.strip():
        raise ValidationFailed("a rejection needs a reason", code="reason_required", field="reason")
    claim = claim_for(session, principal, claim_id)
    move_claim(
        session,
        principal,
        claim,
        ClaimEvent.REJECT,
        decided_on=today,
        rejection_reason=reason.strip(),
    )
    return claim

"""Followers' approval of large claims: the threshold, the requests and the answers.

A coinsured policy's underwriter sets a claim approval threshold [domain CO-11].  When the
lead approves a claim above it, the claims service asks every follower of the shares the
claim is split by ([domain CO-13]) for its approval; the payment waits until all approved;
each follower approves or objects through the API [domain CO-12].  Every step is audited
on the claim's exporter's chain.  Uncoinsured claims cost one lookup by primary key.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from tradecover import audit, policies
from tradecover.access import OrganisationKind, Permission, Principal
from tradecover.coinsurance.approvals import (
    ApprovalState,
    FollowerAnswer,
    ensure_all_approved,
    followers_to_ask,
    needs_follower_approval,
    next_approval_state,
    shares_for,
)
from tradecover.coinsurance.model import (
    CoinsuranceApprovalThreshold,
    CoinsuranceClaimApproval,
    CoinsuranceLimitParticipation,
    CoinsuranceParticipation,
)
from tradecover.coinsurance.service import limit_shares_of, shares_of
from tradecover.coinsurance.shares import split_minor
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import NotFound, PermissionDenied, ValidationFailed
from tradecover.kit.money import Money

MAX_APPROVALS = 500
"""The most approvals one list returns."""


def claim_approval_threshold(session: Session, policy_id: int) -> Money | None:
    """The policy's claim approval threshold, or None [domain CO-11]."""
    row = session.get(CoinsuranceApprovalThreshold, policy_id)
    return None if row is None else Money.from_minor(row.threshold_minor, row.currency)


def set_claim_approval_threshold(
    session: Session,
    *,
    principal: Principal,
    policy_id: int,
    threshold: Money | None,
    reason: str,
) -> Money | None:
    """Set (or, with None, remove) a coinsured policy's claim approval threshold, in the
    policy's currency [domain CO-11]: insurer underwriters and admins; a policy with no
    participation on itself or its limits (``policy_not_coinsured``), a negative amount
    (``threshold_negative``) or another currency (``currency_mismatch``) is refused.
    """
    principal.require(Permission.POLICY_UNDERWRITE)
    if not principal.is_insurer:
        raise PermissionDenied("only the issuing insurer sets the threshold", code="forbidden")
    policy = policies.get_policy(session, principal=principal, policy_id=policy_id)
    coinsured = session.execute(
        select(
            exists().where(CoinsuranceParticipation.policy_id == policy.id)
            | exists().where(CoinsuranceLimitParticipation.policy_id == policy.id)
        )
    ).scalar_one()
    if not coinsured:
        raise ValidationFailed(
            f"policy {policy.id} has no participations: a threshold asks followers",
            code="policy_not_coinsured",
            field="policy_id",
        )
    if threshold is not None and threshold.currency != policy.currency:
        raise ValidationFailed(
            f"the threshold is in the policy's currency {policy.currency}",
            code="currency_mismatch",
            field="currency",
        )
    if threshold is not None and threshold.amount < 0:
        raise ValidationFailed(
            "a threshold is zero or more", code="threshold_negative", field="threshold"
        )
    row = session.get(CoinsuranceApprovalThreshold, policy.id)
    before = None if row is None else str(Money.from_minor(row.threshold_minor, row.currency))
    if threshold is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(
            CoinsuranceApprovalThreshold(
                policy_id=policy.id,
                currency=threshold.currency,
                threshold_minor=threshold.minor_units(),
                set_by=principal.actor,
                set_at=utc_now(),
            )
        )
    else:
        row.threshold_minor, row.set_by, row.set_at = (
            threshold.minor_units(),
            principal.actor,
            utc_now(),
        )
    session.flush()
    audit.record(
        session,
        org_id=policy.exporter_org_id,
        actor=principal.actor,
        action="coinsurance.claim_threshold_set",
        entity_type="policy",
        entity_id=policy.id,
        reason=reason,
        before={"threshold": before},
        after={"threshold": None if threshold is None else str(threshold.rounded())},
    )
    return threshold


def request_claim_approvals(
    session: Session,
    *,
    claim_id: int,
    policy_id: int,
    limit_id: int | None,
    exporter_org_id: int,
    risk_date: date,
    currency: str,
    indemnity_minor: int,
    actor: str,
) -> list[int]:
    """Ask the followers for their approval of a claim the lead approved, when its
    indemnity is above the policy's threshold [domain CO-11]; returns the followers asked.
    """
    row = session.get(CoinsuranceApprovalThreshold, policy_id)
    if row is None or not needs_follower_approval(indemnity_minor, row.threshold_minor):
        return []
    on_limit = limit_shares_of(session, [limit_id] if limit_id else [])
    effective = shares_for(
        shares_of(session, [policy_id]).get(policy_id, ()),
        on_limit.get(limit_id or 0, ()),
        risk_date,
    )
    asked = followers_to_ask(effective)
    if not asked:
        return []
    parts = {p.org_id: p.amount_minor for p in split_minor(indemnity_minor, effective)}
    now = utc_now()
    session.add_all(
        CoinsuranceClaimApproval(
            claim_id=claim_id,
            policy_id=policy_id,
            exporter_org_id=exporter_org_id,
            org_id=org,
            currency=currency,
            indemnity_minor=indemnity_minor,
            share_minor=parts[org],
            threshold_minor=row.threshold_minor,
            state=ApprovalState.PENDING.value,
            requested_at=now,
        )
        for org in asked
    )
    session.flush()
    audit.record(
        session,
        org_id=exporter_org_id,
        actor=actor,
        action="coinsurance.claim_approval_requested",
        entity_type="claim",
        entity_id=claim_id,
        after={
            "followers": asked,
            "indemnity": str(Money.from_minor(indemnity_minor, currency)),
            "threshold": str(Money.from_minor(row.threshold_minor, currency)),
        },
    )
    return asked


def ensure_claim_approved(session: Session, claim_id: int) -> None:
    """Refuse to pay a claim a follower has not approved (``follower_approval_missing``,
    409) [domain CO-12]; a claim nobody was asked about passes.
    """
    a = CoinsuranceClaimApproval
    states = {
        int(org): ApprovalState(str(state))
        for org, state in session.execute(
            select(a.org_id, a.state).where(a.claim_id == claim_id)
        ).all()
    }
    ensure_all_approved(states)


def _snapshot(row: CoinsuranceClaimApproval) -> dict[str, Any]:
    return {"org_id": row.org_id, "state": row.state, "reason": row.reason}


def answer_claim(
    session: Session,
    *,
    principal: Principal,
    claim_id: int,
    answer: FollowerAnswer,
    reason: str | None,
) -> CoinsuranceClaimApproval:
    """A follower approves or objects to a claim it was asked about [domain CO-12]: only a
    co-insurer, only its own request (another claim answers 404); audited on the claim.
    """
    if principal.org_kind is not OrganisationKind.COINSURER:
        raise PermissionDenied(
            "only a follower answers a request for its approval", code="forbidden"
        )
    a = CoinsuranceClaimApproval
    row = session.execute(
        select(a).where(a.claim_id == claim_id, a.org_id == principal.org_id).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(
            f"no approval of claim {claim_id} was asked of you", code="not_found", field="claim_id"
        )
    before = _snapshot(row)
    state = next_approval_state(ApprovalState(row.state), answer, reason)
    row.state = state.value
    row.reason = reason.strip() if reason and reason.strip() else None
    row.decided_by, row.decided_at = principal.actor, utc_now()
    session.flush()
    audit.record(
        session,
        org_id=row.exporter_org_id,
        actor=principal.actor,
        action=f"coinsurance.claim_{state.value}",
        entity_type="claim",
        entity_id=claim_id,
        reason=row.reason,
        before=before,
        after=_snapshot(row),
    )
    return row


def claim_approvals(
    session: Session,
    *,
    principal: Principal,
    state: ApprovalState | None = None,
    claim_ids: Sequence[int] | None = None,
) -> list[CoinsuranceClaimApproval]:
    """The requests for approval a caller may see, newest first: a co-insurer its own, the
    insurer's claims staff all of them [domain CO-12].
    """
    a = CoinsuranceClaimApproval
    query = select(a).order_by(a.id.desc()).limit(MAX_APPROVALS)
    if principal.org_kind is OrganisationKind.COINSURER:
        query = query.where(a.org_id == principal.org_id)
    elif principal.is_insurer:
        principal.require(Permission.CLAIM_READ)
    else:
        raise PermissionDenied("approvals are for the insurers of a claim", code="forbidden")
    if state is not None:
        query = query.where(a.state == state.value)
    if claim_ids is not None:
        query = query.where(a.claim_id.in_(list(claim_ids)))
    return list(session.execute(query).scalars())


__all__ = [
    "MAX_APPROVALS",
    "answer_claim",
    "claim_approval_threshold",
    "claim_approvals",
    "ensure_claim_approved",
    "request_claim_approvals",
    "set_claim_approval_threshold",
]

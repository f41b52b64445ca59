"""HTTP routes of coinsurance: set and read participations (of a policy or of a single
large limit), a participant's statement, the claim approval threshold and followers'
approvals, and a follower's own share of declarations, claims and money.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from tradecover.access import OrganisationKind, Principal
from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.api.pagination import Page, PageDep
from tradecover.coinsurance import approval_repository as approvals
from tradecover.coinsurance import service
from tradecover.coinsurance.approvals import ApprovalState, FollowerAnswer
from tradecover.coinsurance.schemas import (
    ClaimAnswerIn,
    ClaimApprovalOut,
    LimitParticipationsIn,
    LimitParticipationsOut,
    ParticipationOut,
    ParticipationsIn,
    ParticipationsOut,
    StatementLineOut,
    ThresholdIn,
    ThresholdOut,
)
from tradecover.coinsurance.shares_schemas import (
    ClaimShareOut,
    DeclarationShareOut,
    PaymentShareOut,
)
from tradecover.kit.dates import business_today
from tradecover.kit.errors import PermissionDenied
from tradecover.kit.money import Money
from tradecover.reporting import follower_claims, follower_declarations, follower_payments

router = APIRouter(prefix="/api/v1/coinsurance", tags=["coinsurance"])
PolicyPath = Annotated[int, Path(ge=1, le=2**63 - 1)]
IdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _set(body: ParticipationsIn, session: SessionDep, principal: PrincipalDep) -> ParticipationsOut:
    done = service.set_participations(
        session,
        principal=principal,
        policy_id=body.policy_id,
        participations=[p.value() for p in body.participations],
        reason=body.reason,
    )
    return ParticipationsOut(
        policy_id=body.policy_id, participations=[ParticipationOut.of(p) for p in done]
    )


@router.post(
    "/participations",
    response_model=ParticipationsOut,
    status_code=201,
    summary="Set a policy's participations (insurer underwriters and admins)",
)
def post_participations(
    body: ParticipationsIn, session: SessionDep, principal: PrincipalDep
) -> ParticipationsOut:
    """Replace the policy's participations; shares that do not sum to 100 % on some date,
    overlapping periods, no or two leads, a lead that is not the issuing insurer: 422 with
    the rule's code, nothing written.
    """
    return _set(body, session, principal)


@router.put(
    "/participations",
    response_model=ParticipationsOut,
    summary="Replace a policy's participations (insurer underwriters and admins)",
)
def put_participations(
    body: ParticipationsIn, session: SessionDep, principal: PrincipalDep
) -> ParticipationsOut:
    """The same as POST: the set given replaces the current one."""
    return _set(body, session, principal)


@router.get(
    "/policies/{policy_id}/participations",
    response_model=ParticipationsOut,
    summary="A policy's participations",
)
def get_participations(
    policy_id: PolicyPath, session: SessionDep, principal: PrincipalDep
) -> ParticipationsOut:
    """The insurer and the exporter see them; a co-insurer only on a policy it shares."""
    rows = service.participations(session, principal=principal, policy_id=policy_id)
    threshold = approvals.claim_approval_threshold(session, policy_id)
    return ParticipationsOut(
        policy_id=policy_id,
        participations=[ParticipationOut.of(p) for p in rows],
        claim_approval_threshold=None if threshold is None else threshold.amount,
        currency=None if threshold is None else threshold.currency,
    )


@router.get(
    "/statement", response_model=list[StatementLineOut], summary="A participant's statement"
)
def get_statement(
    session: SessionDep,
    principal: PrincipalDep,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    org_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> list[StatementLineOut]:
    """The caller's share (a co-insurer's own; the insurer's, or ``org_id``'s) of premium,
    claims paid and recoveries per policy posted in the period (by default the year to
    date).
    """
    date_to = date_to or business_today()
    date_from = date_from or date_to.replace(month=1, day=1)
    return [
        StatementLineOut.of(line)
        for line in service.statement(
            session, principal=principal, date_from=date_from, date_to=date_to, org_id=org_id
        )
    ]


def _set_limit(
    body: LimitParticipationsIn, session: SessionDep, principal: PrincipalDep
) -> LimitParticipationsOut:
    done = service.set_limit_participations(
        session,
        principal=principal,
        limit_id=body.limit_id,
        participations=[p.value() for p in body.participations],
        reason=body.reason,
    )
    return LimitParticipationsOut(
        limit_id=body.limit_id, participations=[ParticipationOut.of(p) for p in done]
    )


@router.post(
    "/limit-participations",
    response_model=LimitParticipationsOut,
    status_code=201,
    summary="Set a single large limit's participations (insurer underwriters and admins)",
)
def post_limit_participations(
    body: LimitParticipationsIn, session: SessionDep, principal: PrincipalDep
) -> LimitParticipationsOut:
    """Replace the limit's participations [domain CO-13]: the claims under it are split by
    them; the same refusals as a policy's (422 with the rule's code, nothing written).
    """
    return _set_limit(body, session, principal)


@router.put(
    "/limit-participations",
    response_model=LimitParticipationsOut,
    summary="Replace a single large limit's participations (insurer underwriters and admins)",
)
def put_limit_participations(
    body: LimitParticipationsIn, session: SessionDep, principal: PrincipalDep
) -> LimitParticipationsOut:
    """The same as POST: the set given replaces the current one."""
    return _set_limit(body, session, principal)


@router.get(
    "/limits/{limit_id}/participations",
    response_model=LimitParticipationsOut,
    summary="A single large limit's participations",
)
def get_limit_participations(
    limit_id: IdPath, session: SessionDep, principal: PrincipalDep
) -> LimitParticipationsOut:
    """The insurer and the limit's exporter see them; a co-insurer only on a limit it shares."""
    rows = service.limit_participations(session, principal=principal, limit_id=limit_id)
    return LimitParticipationsOut(
        limit_id=limit_id, participations=[ParticipationOut.of(p) for p in rows]
    )


@router.put(
    "/policies/{policy_id}/claim-approval-threshold",
    response_model=ThresholdOut,
    summary="Set a coinsured policy's claim approval threshold (insurer underwriters, admins)",
)
def put_threshold(
    policy_id: PolicyPath, body: ThresholdIn, session: SessionDep, principal: PrincipalDep
) -> ThresholdOut:
    """Claims above it wait for each follower's approval before payment [domain CO-11];
    ``threshold: null`` removes it.
    """
    done = approvals.set_claim_approval_threshold(
        session,
        principal=principal,
        policy_id=policy_id,
        threshold=None if body.threshold is None else Money.of(body.threshold, body.currency),
        reason=body.reason,
    )
    return ThresholdOut(
        policy_id=policy_id,
        threshold=None if done is None else done.amount,
        currency=body.currency,
    )


@router.get(
    "/claim-approvals",
    response_model=list[ClaimApprovalOut],
    summary="Followers' approvals of claims above the threshold",
)
def get_claim_approvals(
    session: SessionDep, principal: PrincipalDep, state: ApprovalState | None = None
) -> list[ClaimApprovalOut]:
    """A co-insurer's own requests; the insurer's claims staff see them all [domain CO-12]."""
    return [
        ClaimApprovalOut.of(row)
        for row in approvals.claim_approvals(session, principal=principal, state=state)
    ]


@router.post(
    "/claims/{claim_id}/approval",
    response_model=ClaimApprovalOut,
    summary="A follower approves or objects to a claim above the threshold (co-insurers)",
)
def post_claim_approval(
    claim_id: IdPath, body: ClaimAnswerIn, session: SessionDep, principal: PrincipalDep
) -> ClaimApprovalOut:
    """The claim is paid once every follower asked approved it; an objection (with a reason)
    holds the payment [domain CO-12].
    """
    row = approvals.answer_claim(
        session,
        principal=principal,
        claim_id=claim_id,
        answer=FollowerAnswer(body.answer),
        reason=body.reason,
    )
    return ClaimApprovalOut.of(row)


def _follower(principal: Principal) -> int:
    if principal.org_kind is not OrganisationKind.COINSURER:
        raise PermissionDenied("a co-insurer's share is its own book", code="forbidden")
    return principal.org_id


@router.get(
    "/shares/declarations",
    response_model=Page[DeclarationShareOut],
    summary="A follower's share of the declarations it co-insures",
)
def get_declaration_shares(
    session: SessionDep, principal: PrincipalDep, page: PageDep
) -> Page[DeclarationShareOut]:
    """Newest first, scoped by the caller's participations [domain CO-14]."""
    rows, total = follower_declarations(
        session, org_id=_follower(principal), limit=page.limit, offset=page.offset
    )
    return Page[DeclarationShareOut](
        items=[DeclarationShareOut.of(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/shares/claims",
    response_model=Page[ClaimShareOut],
    summary="A follower's share of the claims it co-insures",
)
def get_claim_shares(
    session: SessionDep, principal: PrincipalDep, page: PageDep
) -> Page[ClaimShareOut]:
    """Newest first, with the follower's own approval where it was asked [domain CO-14]."""
    rows, total = follower_claims(
        session, org_id=_follower(principal), limit=page.limit, offset=page.offset
    )
    return Page[ClaimShareOut](
        items=[ClaimShareOut.of(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/shares/payments",
    response_model=Page[PaymentShareOut],
    summary="A follower's part of the premium, claims paid and recoveries posted",
)
def get_payment_shares(
    session: SessionDep, principal: PrincipalDep, page: PageDep
) -> Page[PaymentShareOut]:
    """Newest first: each split amount's part booked to the follower [domain CO-14]."""
    rows, total = follower_payments(
        session, org_id=_follower(principal), limit=page.limit, offset=page.offset
    )
    return Page[PaymentShareOut](
        items=[PaymentShareOut.of(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )

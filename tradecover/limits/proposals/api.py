"""HTTP routes of limit reduction proposals: run the under-use job, list, accept, dismiss."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from tradecover import reporting
from tradecover.api.deps import PrincipalDep, SessionDep, get_settings
from tradecover.api.pagination import IdPath, Page, PageDep
from tradecover.config import Settings
from tradecover.kit.dates import business_today
from tradecover.kit.money import Money
from tradecover.limits.model import CreditLimit
from tradecover.limits.proposals import service as proposals
from tradecover.limits.proposals.schemas import (
    AcceptProposalIn,
    BulkDecisionIn,
    BulkDecisionOut,
    DismissProposalIn,
    ProposeReductionsIn,
    ProposeReductionsOut,
    ReductionProposalOut,
)

router = APIRouter(tags=["credit limits"])
SettingsDep = Annotated[Settings, Depends(get_settings)]
_BASE = "/api/v1/limit-reduction-proposals"


@router.post(
    "/api/v1/limits/jobs/propose-reductions",
    response_model=ProposeReductionsOut,
    summary="Propose reductions of under-used limits (the job)",
)
def propose_reductions(
    body: ProposeReductionsIn, session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> ProposeReductionsOut:
    """Judge every active limit over the period ending today; answers the new proposals'
    ids and the pending ones lapsed because their limit changed.
    """
    rule = proposals.rule_from_settings(
        settings, max_share=body.max_share, period_days=body.period_days
    )
    result = proposals.propose_reductions(
        session,
        principal=principal,
        rule=rule,
        today=business_today(),
        read_exposures=reporting.limit_exposures,
    )
    return ProposeReductionsOut(proposed=result.proposed, lapsed=result.lapsed)


@router.get(
    _BASE,
    response_model=Page[ReductionProposalOut],
    summary="Reduction proposals (pending by default)",
)
def list_proposals(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    status: Annotated[
        str | None, Query(description="pending, accepted, dismissed, lapsed or all")
    ] = "pending",
) -> Page[ReductionProposalOut]:
    """Oldest first; ``status=all`` lists every one."""
    rows, total = proposals.list_proposals(
        session,
        principal=principal,
        status=None if status == "all" else status,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[ReductionProposalOut.of(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    f"{_BASE}/bulk",
    response_model=BulkDecisionOut,
    summary="Accept or dismiss many reduction proposals",
)
def decide_many(
    body: BulkDecisionIn, session: SessionDep, principal: PrincipalDep
) -> BulkDecisionOut:
    """One transaction; proposals no longer pending or whose limit changed are skipped."""
    out = proposals.decide_many(
        session,
        principal=principal,
        proposal_ids=body.proposal_ids,
        action=body.action,
        today=business_today(),
        reason=body.reason,
    )
    return BulkDecisionOut(decided=out.decided, skipped=out.skipped)


@router.get(
    f"{_BASE}/{{proposal_id}}",
    response_model=ReductionProposalOut,
    summary="One reduction proposal",
)
def get_proposal(
    proposal_id: IdPath, session: SessionDep, principal: PrincipalDep
) -> ReductionProposalOut:
    """The insurer only."""
    return ReductionProposalOut.of(
        proposals.get_proposal(session, principal=principal, proposal_id=proposal_id)
    )


@router.post(
    f"{_BASE}/{{proposal_id}}/accept",
    response_model=ReductionProposalOut,
    summary="Accept a reduction proposal: the limit is reduced, the exporter told",
)
def accept(
    proposal_id: IdPath, body: AcceptProposalIn, session: SessionDep, principal: PrincipalDep
) -> ReductionProposalOut:
    """A new limit version from today and a notice; shipments made keep their cover."""
    amount = None
    if body.amount is not None:
        row = proposals.get_proposal(session, principal=principal, proposal_id=proposal_id)
        currency = session.get_one(CreditLimit, row.limit_id).currency
        amount = Money.of(body.amount, currency)
    return ReductionProposalOut.of(
        proposals.accept(
            session,
            principal=principal,
            proposal_id=proposal_id,
            today=business_today(),
            reason=body.reason,
            amount=amount,
        )
    )


@router.post(
    f"{_BASE}/{{proposal_id}}/dismiss",
    response_model=ReductionProposalOut,
    summary="Dismiss a reduction proposal: the limit stays as it is",
)
def dismiss(
    proposal_id: IdPath, body: DismissProposalIn, session: SessionDep, principal: PrincipalDep
) -> ReductionProposalOut:
    """The limit is judged again only after a full new period."""
    return ReductionProposalOut.of(
        proposals.dismiss(
            session,
            principal=principal,
            proposal_id=proposal_id,
            today=business_today(),
            reason=body.reason,
        )
    )

"""HTTP routes of late-premium waivers (four eyes): propose, approve, read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.api.pagination import IdPath
from tradecover.kit.dates import business_today
from tradecover.premium_waivers import service
from tradecover.premium_waivers.schemas import WaiverIn, WaiverOut

router = APIRouter(prefix="/api/v1/billing", tags=["billing"])


@router.post(
    "/premium-waivers",
    response_model=WaiverOut,
    status_code=201,
    summary="Propose waiving a notice's late premium (insurer)",
)
def post_waiver(body: WaiverIn, session: SessionDep, principal: PrincipalDep) -> WaiverOut:
    """Record the proposal and its reason; it counts once another person approves it."""
    return WaiverOut.of(
        service.propose(session, principal=principal, notice_id=body.notice_id, reason=body.reason)
    )


@router.post(
    "/premium-waivers/{waiver_id}/approve",
    response_model=WaiverOut,
    summary="Approve a proposed waiver (a second insurer user)",
)
def post_approve(waiver_id: IdPath, session: SessionDep, principal: PrincipalDep) -> WaiverOut:
    """Four eyes: the proposer cannot approve (403 ``four_eyes_same_person``, field
    ``approved_by``; nothing is written).
    """
    return WaiverOut.of(
        service.approve(session, principal=principal, waiver_id=waiver_id, today=business_today())
    )


@router.get("/premium-waivers", response_model=list[WaiverOut], summary="Late-premium waivers")
def list_waivers(
    session: SessionDep,
    principal: PrincipalDep,
    notice_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> list[WaiverOut]:
    """Waivers the caller may see (an exporter its own), optionally of one notice."""
    return [
        WaiverOut.of(w)
        for w in service.list_waivers(session, principal=principal, notice_id=notice_id)
    ]


@router.get(
    "/premium-waivers/{waiver_id}", response_model=WaiverOut, summary="One late-premium waiver"
)
def get_waiver(waiver_id: IdPath, session: SessionDep, principal: PrincipalDep) -> WaiverOut:
    """One waiver (another exporter's answers 404)."""
    return WaiverOut.of(service.get(session, principal=principal, waiver_id=waiver_id))

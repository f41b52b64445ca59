"""HTTP routes of subsidy programmes: register and read.

A programme's monthly statement is served by :mod:`tradecover.reporting.api`.
"""

from __future__ import annotations

from fastapi import APIRouter

from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.api.pagination import IdPath
from tradecover.subsidies import service
from tradecover.subsidies.schemas import ProgrammeIn, ProgrammeOut

router = APIRouter(prefix="/api/v1/subsidies", tags=["subsidies"])


@router.post(
    "/programmes",
    status_code=201,
    response_model=ProgrammeOut,
    summary="Register a subsidy programme (finance)",
)
def post_programme(body: ProgrammeIn, session: SessionDep, principal: PrincipalDep) -> ProgrammeOut:
    """Register a programme for a sponsor organisation of kind subsidy_programme."""
    row = service.create_programme(
        session,
        principal=principal,
        sponsor_org_id=body.sponsor_org_id,
        programme=body.to_programme(),
        priority=body.priority,
    )
    return ProgrammeOut.of(row)


@router.get("/programmes", response_model=list[ProgrammeOut], summary="Subsidy programmes")
def list_programmes(session: SessionDep, principal: PrincipalDep) -> list[ProgrammeOut]:
    """The insurer sees every programme; a programme's users only their own."""
    return [ProgrammeOut.of(r) for r in service.list_programmes(session, principal=principal)]


@router.get(
    "/programmes/{programme_id}", response_model=ProgrammeOut, summary="One subsidy programme"
)
def get_programme(
    programme_id: IdPath, session: SessionDep, principal: PrincipalDep
) -> ProgrammeOut:
    """A programme and its usage (another programme's id answers 404)."""
    return ProgrammeOut.of(
        service.get_programme(session, principal=principal, programme_id=programme_id)
    )

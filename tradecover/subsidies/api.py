"""HTTP routes of subsidy programmes: register, read, and the monthly statement."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.api.pagination import IdPath
from tradecover.billing.notice import month_start
from tradecover.subsidies import service
from tradecover.subsidies.schemas import ProgrammeIn, ProgrammeOut, StatementOut

router = APIRouter(prefix="/api/v1/subsidies", tags=["subsidies"])


@router.post("/programmes", status_code=201, response_model=ProgrammeOut,
             summary="Register a subsidy programme (finance)")
def post_programme(body: ProgrammeIn, session: SessionDep,
                   principal: PrincipalDep) -> ProgrammeOut:
    """Register a programme for a sponsor organisation of kind subsidy_programme."""
    row = service.create_programme(session, principal=principal,
                                   sponsor_org_id=body.sponsor_org_id,
                                   programme=body.to_programme(), priority=body.priority)
    return ProgrammeOut.of(row)


@router.get("/programmes", response_model=list[ProgrammeOut], summary="Subsidy programmes")
def list_programmes(session: SessionDep, principal: PrincipalDep) -> list[ProgrammeOut]:
    """The insurer sees every programme; a programme's users only their own."""
    return [ProgrammeOut.of(r) for r in service.list_programmes(session, principal=principal)]


@router.get("/programmes/{programme_id}", response_model=ProgrammeOut,
            summary="One subsidy programme")
def get_programme(programme_id: IdPath, session: SessionDep,
                  principal: PrincipalDep) -> ProgrammeOut:
    """A programme and its usage (another programme's id answers 404)."""
    return ProgrammeOut.of(service.get_programme(session, principal=principal,
                                                 programme_id=programme_id))


@router.get("/programmes/{programme_id}/statement", response_model=StatementOut,
            summary="A programme's statement of a month")
def get_statement(
    programme_id: IdPath, session: SessionDep, principal: PrincipalDep,
    month: Annotated[str, Query(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", examples=["2026-10"])],
) -> StatementOut:
    """What the programme owes for the notices of ``month``, and what it has paid."""
    return StatementOut.of(service.statement(session, principal=principal,
                                             programme_id=programme_id,
                                             month=month_start(month)))

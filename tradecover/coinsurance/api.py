"""HTTP routes of coinsurance: set and read participations, a participant's statement."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.coinsurance import service
from tradecover.coinsurance.schemas import (
    ParticipationOut,
    ParticipationsIn,
    ParticipationsOut,
    StatementLineOut,
)
from tradecover.kit.dates import business_today

router = APIRouter(prefix="/api/v1/coinsurance", tags=["coinsurance"])
PolicyPath = Annotated[int, Path(ge=1, le=2**63 - 1)]


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
    return ParticipationsOut(
        policy_id=policy_id, participations=[ParticipationOut.of(p) for p in rows]
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

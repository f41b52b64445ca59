"""HTTP routes of the read side: the reconciliation of the books, programme statements.

Their paths stay under the context they report on (``/api/v1/ledger/check``,
``/api/v1/subsidies/programmes/{id}/statement``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from tradecover.access import Permission
from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.api.pagination import IdPath
from tradecover.billing import month_start
from tradecover.reporting import books_check, subsidy_statement
from tradecover.reporting.schemas import StatementOut

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])
subsidies_router = APIRouter(prefix="/api/v1/subsidies", tags=["subsidies"])


class CheckOut(BaseModel):
    """The reconciliation: every problem named; empty when the books are right."""

    ok: bool
    problems: list[str]


@router.get("/check", response_model=CheckOut, summary="Reconcile the books")
def check(session: SessionDep, principal: PrincipalDep) -> CheckOut:
    """What ``tradecover ledger check`` proves, as JSON (finance)."""
    principal.require(Permission.LEDGER_READ)
    problems = books_check.check(session)
    return CheckOut(ok=not problems, problems=problems)


@subsidies_router.get(
    "/programmes/{programme_id}/statement",
    response_model=StatementOut,
    summary="A programme's statement of a month",
)
def get_statement(
    programme_id: IdPath,
    session: SessionDep,
    principal: PrincipalDep,
    month: Annotated[str, Query(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", examples=["2026-10"])],
) -> StatementOut:
    """What the programme owes for the notices of ``month``, and what it has paid."""
    return StatementOut.of(
        subsidy_statement.statement(
            session, principal=principal, programme_id=programme_id, month=month_start(month)
        )
    )

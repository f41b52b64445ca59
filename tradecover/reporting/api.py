"""HTTP routes of the read side: the reconciliation check of the books (finance)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from tradecover.access import Permission
from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.reporting import books_check

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])


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

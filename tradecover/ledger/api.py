"""HTTP routes of the ledger: the trial balance and the reconciliation check (finance)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from tradecover.access.roles import Permission
from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.ledger import service

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])


class BalanceOut(BaseModel):
    """One account's debits, credits and balance (debit positive) in one currency."""

    account: str
    currency: str
    debit: str
    credit: str
    balance: str


class TrialBalanceOut(BaseModel):
    """Every account's balance, and whether each currency nets to zero."""

    accounts: list[BalanceOut]
    totals: dict[str, str]
    balanced: bool


class CheckOut(BaseModel):
    """The reconciliation: every problem named; empty when the books are right."""

    ok: bool
    problems: list[str]


@router.get("/trial-balance", response_model=TrialBalanceOut, summary="Trial balance")
def trial_balance(session: SessionDep, principal: PrincipalDep) -> TrialBalanceOut:
    """Debits and credits per account and currency; totals are zero when balanced."""
    rows = service.balances(session, principal=principal)
    totals: dict[str, str] = {}
    for r in rows:
        totals[r.currency] = str(sum(x.balance for x in rows if x.currency == r.currency))
    return TrialBalanceOut(
        accounts=[BalanceOut(account=r.account, currency=r.currency, debit=str(r.debit),
                             credit=str(r.credit), balance=str(r.balance)) for r in rows],
        totals=totals, balanced=all(v.strip("0.-") == "" for v in totals.values()))


@router.get("/check", response_model=CheckOut, summary="Reconcile the books")
def check(session: SessionDep, principal: PrincipalDep) -> CheckOut:
    """What ``tradecover ledger check`` proves, as JSON (finance)."""
    principal.require(Permission.LEDGER_READ)
    problems = service.check(session)
    return CheckOut(ok=not problems, problems=problems)

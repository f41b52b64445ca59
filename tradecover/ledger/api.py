"""HTTP routes of the ledger: the trial balance (finance).

The reconciliation check, ``GET /api/v1/ledger/check``, is served by
:mod:`tradecover.reporting.api` (it reads every sub-ledger).
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

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


@router.get("/trial-balance", response_model=TrialBalanceOut, summary="Trial balance")
def trial_balance(session: SessionDep, principal: PrincipalDep) -> TrialBalanceOut:
    """Debits and credits per account and currency; totals are zero when balanced."""
    rows = service.balances(session, principal=principal)
    totals: dict[str, str] = {}
    for r in rows:
        totals[r.currency] = str(sum(x.balance for x in rows if x.currency == r.currency))
    return TrialBalanceOut(
        accounts=[
            BalanceOut(
                account=r.account,
                currency=r.currency,
                debit=str(r.debit),
                credit=str(r.credit),
                balance=str(r.balance),
            )
            for r in rows
        ],
        totals=totals,
        balanced=all(v.strip("0.-") == "" for v in totals.values()),
    )

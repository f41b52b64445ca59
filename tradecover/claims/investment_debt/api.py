"""HTTP routes of claims on a missed repayment under investment-debt policies ([004]).

The organisation comes from the credential; a claim of another organisation answers 404.
One transaction per request; ``today`` is the business date.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Path

from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.claims.investment_debt import service
from tradecover.claims.investment_debt.schemas import (
    InvestmentDebtClaimIn,
    InvestmentDebtClaimOut,
    InvestmentDebtRejectIn,
)
from tradecover.kit.dates import business_today

router = APIRouter(prefix="/api/v1/investment-debt", tags=["investment debt"])
Id = Annotated[int, Path(ge=1, le=2**63 - 1, description="Numeric id")]


@router.post(
    "/claims",
    response_model=InvestmentDebtClaimOut,
    status_code=201,
    summary="Claim a missed repayment (exporter)",
)
def file_claim(
    body: InvestmentDebtClaimIn, session: SessionDep, principal: PrincipalDep
) -> InvestmentDebtClaimOut:
    """Computes the loss and indemnity and runs the checks; shows the premium that
    would be set off against the indemnity today.
    """
    view = service.file_claim(
        session,
        principal=principal,
        policy_id=body.policy_id,
        repayment_period=body.repayment_period,
        repayment_due_date=body.repayment_due_date,
        settlement=body.settlement,
        missed_principal=None if body.missed_principal is None else Decimal(body.missed_principal),
        missed_interest=None if body.missed_interest is None else Decimal(body.missed_interest),
        today=business_today(),
    )
    return InvestmentDebtClaimOut.of(view)


@router.get(
    "/claims/{claim_id}",
    response_model=InvestmentDebtClaimOut,
    summary="One missed-repayment claim",
)
def get_claim(claim_id: Id, session: SessionDep, principal: PrincipalDep) -> InvestmentDebtClaimOut:
    """The claim; before payment, with the premium that would be set off today."""
    return InvestmentDebtClaimOut.of(
        service.get_claim(session, principal=principal, claim_id=claim_id)
    )


@router.get(
    "/policies/{policy_id}/claims",
    response_model=list[InvestmentDebtClaimOut],
    summary="The missed-repayment claims of a policy",
)
def list_claims(
    policy_id: Id, session: SessionDep, principal: PrincipalDep
) -> list[InvestmentDebtClaimOut]:
    """Oldest first."""
    return [
        InvestmentDebtClaimOut.of(service.get_claim(session, principal=principal, claim_id=row.id))
        for row in service.list_claims(session, principal=principal, policy_id=policy_id)
    ]


@router.post(
    "/claims/{claim_id}/approve",
    response_model=InvestmentDebtClaimOut,
    summary="Approve a missed-repayment claim (claims handler)",
)
def approve(claim_id: Id, session: SessionDep, principal: PrincipalDep) -> InvestmentDebtClaimOut:
    """Refused (409 ``blocking_check_failed``) while a blocking check fails."""
    return InvestmentDebtClaimOut.of(
        service.approve(session, principal=principal, claim_id=claim_id, today=business_today())
    )


@router.post(
    "/claims/{claim_id}/reject",
    response_model=InvestmentDebtClaimOut,
    summary="Reject a missed-repayment claim (claims handler)",
)
def reject(
    claim_id: Id, body: InvestmentDebtRejectIn, session: SessionDep, principal: PrincipalDep
) -> InvestmentDebtClaimOut:
    """With a reason; the period may be claimed again."""
    return InvestmentDebtClaimOut.of(
        service.reject(
            session,
            principal=principal,
            claim_id=claim_id,
            reason=body.reason,
            today=business_today(),
        )
    )


@router.post(
    "/claims/{claim_id}/pay",
    response_model=InvestmentDebtClaimOut,
    summary="Pay a claim, premium due set off against the indemnity (finance)",
)
def pay(claim_id: Id, session: SessionDep, principal: PrincipalDep) -> InvestmentDebtClaimOut:
    """The set-off periods are recorded paid; the insured receives the rest; the policy
    continues and its later premiums keep falling due.
    """
    return InvestmentDebtClaimOut.of(
        service.pay(session, principal=principal, claim_id=claim_id, today=business_today())
    )

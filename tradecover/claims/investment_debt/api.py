"""HTTP routes of claims on a missed repayment under investment-debt policies ([004]).

The organisation comes from the credential; a claim of another organisation answers 404.
One transaction per request; ``today`` is the business date.  Payment carries an
``Idempotency-Key`` (required) and approval may: the key is claimed first and the answer
stored with the effect, as for shipment-claim payment (:mod:`tradecover.claims.api`).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Security
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session, sessionmaker

from tradecover import idempotency
from tradecover.access import Principal
from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.claims.api import principal_only
from tradecover.claims.investment_debt import service
from tradecover.claims.investment_debt.schemas import (
    InvestmentDebtClaimIn,
    InvestmentDebtClaimOut,
    InvestmentDebtRejectIn,
)
from tradecover.db.engine import transaction
from tradecover.kit.dates import business_today
from tradecover.kit.errors import ValidationFailed

router = APIRouter(prefix="/api/v1/investment-debt", tags=["investment debt"])
Id = Annotated[int, Path(ge=1, le=2**63 - 1, description="Numeric id")]
RequiredKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=idempotency.MAX_KEY_LENGTH,
        description="Required: a retry with the same key gets the original answer",
    ),
]
OptionalKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=idempotency.MAX_KEY_LENGTH,
        description="Optional: a retry with the same key gets the original answer",
    ),
]


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
    summary="Approve a missed-repayment claim (claims handler; optional Idempotency-Key)",
    responses={409: {"description": "Not open, a check blocks, or the key is still running"}},
)
def approve(
    request: Request,
    claim_id: Id,
    principal: Annotated[Principal, Security(principal_only)],
    idempotency_key: OptionalKey = None,
) -> Any:
    """Refused (409 ``blocking_check_failed``) while a blocking check fails.  With an
    ``Idempotency-Key`` a retry gets the first answer.
    """
    return _keyed(
        request,
        principal,
        claim_id,
        "approve",
        idempotency_key,
        lambda session: service.approve(
            session, principal=principal, claim_id=claim_id, today=business_today()
        ),
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
    summary="Pay a claim, premium due set off against the indemnity (finance; Idempotency-Key)",
    responses={409: {"description": "Already paid, not approved, or the key is still running"}},
)
def pay(
    request: Request,
    claim_id: Id,
    principal: Annotated[Principal, Security(principal_only)],
    idempotency_key: RequiredKey = None,
) -> Any:
    """The set-off periods are recorded paid; the insured receives the rest; the policy
    continues and its later premiums keep falling due.  Booked in the ledger.  A retry
    with the same key replays the answer; the key with another request is a 422.
    """
    if idempotency_key is None:
        raise ValidationFailed(
            "the Idempotency-Key header is required",
            code="idempotency_key_required",
            field="Idempotency-Key",
        )
    return _keyed(
        request,
        principal,
        claim_id,
        "pay",
        idempotency_key,
        lambda session: service.pay(
            session, principal=principal, claim_id=claim_id, today=business_today()
        ),
    )


def _keyed(
    request: Request,
    principal: Principal,
    claim_id: int,
    action: str,
    key: str | None,
    effect: Callable[[Session], service.ClaimView],
) -> Any:
    """Run ``effect`` in one transaction; under an ``Idempotency-Key`` the answer is stored
    with the effect (a retry replays it, another request with the key is a 422, a retry
    while the first still runs a 409), as for shipment-claim payment.
    """
    factory: sessionmaker[Session] = request.app.state.session_factory
    if key is None:
        with transaction(factory) as session:
            return InvestmentDebtClaimOut.of(effect(session))
    held = idempotency.HeldKey(
        principal.org_id,
        key,
        idempotency.fingerprint(
            method="POST", path=f"/api/v1/investment-debt/claims/{claim_id}/{action}", body={}
        ),
    )
    with transaction(factory) as session:
        service.get_claim(session, principal=principal, claim_id=claim_id)  # 404 first
        answer = idempotency.answer_once(
            session,
            held,
            status_code=200,
            effect=lambda: InvestmentDebtClaimOut.of(effect(session)).model_dump(mode="json"),
        )
    return JSONResponse(
        answer.body,
        status_code=answer.status_code,
        headers={"Idempotent-Replayed": "true"} if answer.replayed else None,
    )

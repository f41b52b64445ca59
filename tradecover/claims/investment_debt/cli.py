"""CLI of claims on overseas investment debt insurance ([004]): ``tradecover investment-debt
claim|approve|reject|pay-claim|claims``.

The commands join the policies context's ``investment-debt`` group (application to
premium payment), on the insurer's system principal, one transaction per command, each
printing the API's JSON answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from tradecover.access.principal import Principal
from tradecover.claims.investment_debt import service as claims
from tradecover.claims.investment_debt.schemas import InvestmentDebtClaimOut
from tradecover.cli.context import domain_errors
from tradecover.policies.investment_debt_cli import (
    Answer,
    TodayOpt,
    amount_option,
    answer,
    app,
    business_date,
)
from tradecover.pricing import IndemnitySettlement

__all__ = ["app"]


def _claim_answer(
    step: Callable[..., claims.ClaimView], **kwargs: Any
) -> Callable[[Session, Principal], Answer]:
    """A claim use case (``claims.approve`` ...) answering the claim as the API does."""

    def use_case(session: Session, principal: Principal) -> Answer:
        return InvestmentDebtClaimOut.of(step(session, principal=principal, **kwargs))

    return use_case



@app.command("claim")
@domain_errors
def claim(
    policy_id: Annotated[int, typer.Argument(help="Policy id")],
    repayment_period: Annotated[int, typer.Option(help="Repayment period n, 1-based")],
    due_date: Annotated[str, typer.Option(help="When the missed repayment fell due")],
    settlement: Annotated[IndemnitySettlement, typer.Option()] = (
        IndemnitySettlement.ORIGINAL_SCHEDULE
    ),
    missed_principal: Annotated[str | None, typer.Option(help="Default: all of a_n")] = None,
    missed_interest: Annotated[str | None, typer.Option(help="Default: all of I_n")] = None,
    today: TodayOpt = None,
) -> None:
    """File a claim on a missed repayment on the insured's behalf."""
    answer(
        _claim_answer(
            claims.file_claim,
            policy_id=policy_id,
            repayment_period=repayment_period,
            repayment_due_date=business_date(due_date, field="repayment_due_date"),
            settlement=settlement,
            missed_principal=amount_option(missed_principal, field="missed_principal"),
            missed_interest=amount_option(missed_interest, field="missed_interest"),
            today=business_date(today, field="today"),
        )
    )


@app.command("approve")
@domain_errors
def approve(
    claim_id: Annotated[int, typer.Argument(help="Claim id")], today: TodayOpt = None
) -> None:
    """Approve a filed claim (refused while a blocking check fails); booked in the ledger."""
    answer(_claim_answer(claims.approve, claim_id=claim_id,
                         today=business_date(today, field="today")))


@app.command("reject")
@domain_errors
def reject(
    claim_id: Annotated[int, typer.Argument(help="Claim id")],
    reason: Annotated[str, typer.Option(help="Why, as the insured reads it")],
    today: TodayOpt = None,
) -> None:
    """Reject a filed claim; its period may be claimed again."""
    answer(
        _claim_answer(
            claims.reject, claim_id=claim_id, reason=reason,
            today=business_date(today, field="today"),
        )
    )


@app.command("pay-claim")
@domain_errors
def pay_claim(
    claim_id: Annotated[int, typer.Argument(help="Claim id")], today: TodayOpt = None
) -> None:
    """Pay an approved claim, premium due set off against the indemnity; booked."""
    answer(_claim_answer(claims.pay, claim_id=claim_id,
                         today=business_date(today, field="today")))


@app.command("claims")
@domain_errors
def list_claims(policy_id: Annotated[int, typer.Argument(help="Policy id")]) -> None:
    """The policy's missed-repayment claims, oldest first."""

    def use_case(session: Session, principal: Principal) -> Answer:
        rows = claims.list_claims(session, principal=principal, policy_id=policy_id)
        return [
            InvestmentDebtClaimOut.of(
                claims.get_claim(session, principal=principal, claim_id=row.id)
            ).model_dump(mode="json")
            for row in rows
        ]

    answer(use_case)

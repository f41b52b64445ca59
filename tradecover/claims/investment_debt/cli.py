"""CLI of claims on overseas investment debt insurance ([004]): ``tradecover investment-debt
claim|approve|reject|pay-claim|claims``.

The commands join the ``investment-debt`` group of the policies context (application to
premium payment; :func:`register` adds them), on the insurer's system principal, one
transaction per command, each printing the API's JSON answer.  Errors exit as every
command does: 4 invalid input, 3 not found, 5 conflict, 6 forbidden.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import BaseModel
from sqlalchemy.orm import Session

from tradecover import access
from tradecover.claims.investment_debt import service as claims
from tradecover.claims.investment_debt.schemas import InvestmentDebtClaimOut
from tradecover.cli.context import domain_errors, unit_of_work
from tradecover.kit.dates import business_today
from tradecover.kit.errors import ValidationFailed
from tradecover.pricing import IndemnitySettlement

if TYPE_CHECKING:
    from tradecover.access import Principal

_commands = typer.Typer()  # the commands, until register() adds them to the group
TodayOpt = Annotated[str | None, typer.Option("--today", help="Business date (default today)")]
Answer = BaseModel | list[Any]


def register(group: typer.Typer) -> None:
    """Add the claim commands to the ``investment-debt`` group, after its own commands."""
    group.registered_commands += _commands.registered_commands


def _date(value: str | None, *, field: str) -> date:
    if value is None:
        return business_today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            f"{field} must be a date YYYY-MM-DD, got {value!r}", code="invalid_date", field=field
        ) from None


def _amount(value: str | None, *, field: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value)
    except ArithmeticError:
        raise ValidationFailed(f"{field} must be an amount, got {value!r}", field=field) from None


def _answer(use_case: Callable[[Session, Principal], Answer]) -> None:
    """Run one use case on the system principal in one transaction; print its JSON answer
    after the commit (nothing is printed for a command whose transaction is rolled back).
    """
    with unit_of_work() as session:
        answer = use_case(session, access.system_principal(session))
    if isinstance(answer, BaseModel):
        typer.echo(json.dumps(answer.model_dump(mode="json"), indent=2))
    else:
        typer.echo(json.dumps(answer, indent=2))


def _claim_answer(
    step: Callable[..., claims.ClaimView], **kwargs: Any
) -> Callable[[Session, Principal], Answer]:
    """A claim use case (``claims.approve`` ...) answering the claim as the API does."""

    def use_case(session: Session, principal: Principal) -> Answer:
        return InvestmentDebtClaimOut.of(step(session, principal=principal, **kwargs))

    return use_case


@_commands.command("claim")
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
    _answer(
        _claim_answer(
            claims.file_claim,
            policy_id=policy_id,
            repayment_period=repayment_period,
            repayment_due_date=_date(due_date, field="repayment_due_date"),
            settlement=settlement,
            missed_principal=_amount(missed_principal, field="missed_principal"),
            missed_interest=_amount(missed_interest, field="missed_interest"),
            today=_date(today, field="today"),
        )
    )


@_commands.command("approve")
@domain_errors
def approve(
    claim_id: Annotated[int, typer.Argument(help="Claim id")], today: TodayOpt = None
) -> None:
    """Approve a filed claim (refused while a blocking check fails); booked in the ledger."""
    _answer(_claim_answer(claims.approve, claim_id=claim_id, today=_date(today, field="today")))


@_commands.command("reject")
@domain_errors
def reject(
    claim_id: Annotated[int, typer.Argument(help="Claim id")],
    reason: Annotated[str, typer.Option(help="Why, as the insured reads it")],
    today: TodayOpt = None,
) -> None:
    """Reject a filed claim; its period may be claimed again."""
    _answer(
        _claim_answer(
            claims.reject,
            claim_id=claim_id,
            reason=reason,
            today=_date(today, field="today"),
        )
    )


@_commands.command("pay-claim")
@domain_errors
def pay_claim(
    claim_id: Annotated[int, typer.Argument(help="Claim id")], today: TodayOpt = None
) -> None:
    """Pay an approved claim, premium due set off against the indemnity; booked."""
    _answer(_claim_answer(claims.pay, claim_id=claim_id, today=_date(today, field="today")))


@_commands.command("claims")
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

    _answer(use_case)

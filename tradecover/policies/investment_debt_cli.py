"""CLI of overseas investment debt insurance ([004]): ``tradecover investment-debt ...``.

The API's use cases on the insurer's system principal, one transaction per command, each
printing the API's JSON answer: application (the API's body from a JSON file),
underwriting, the premium schedule, premium notices and payments, and claims on a missed
repayment (file, approve, reject, pay with the premium set off: the claims context adds
those commands, :mod:`tradecover.claims.investment_debt.cli`).  Quote and issue are
``tradecover policies quote|issue``.  Errors exit as every command does: 4 invalid input,
3 not found, 5 conflict, 6 forbidden.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from tradecover import access, pricing
from tradecover.access import Principal
from tradecover.cli.context import domain_errors, unit_of_work
from tradecover.kit.dates import business_today
from tradecover.kit.errors import ValidationFailed
from tradecover.policies import investment_debt as service
from tradecover.policies.investment_debt_api import (
    InvestmentDebtApplicationIn,
    InvestmentDebtApplicationOut,
    UnderwrittenOut,
)
from tradecover.policies.schemas import PolicyOut
from tradecover.pricing import ScheduleOut

app = typer.Typer(
    help="Overseas investment debt insurance: application to claim payment ([004]).",
    no_args_is_help=True,
)
TodayOpt = Annotated[str | None, typer.Option("--today", help="Business date (default today)")]


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


def _echo(answer: BaseModel | list[Any]) -> None:
    if isinstance(answer, BaseModel):
        typer.echo(json.dumps(answer.model_dump(mode="json"), indent=2))
    else:
        typer.echo(json.dumps(answer, indent=2))


def _application_in(path: Path) -> InvestmentDebtApplicationIn:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationFailed(f"cannot read {path}: {error}", field="input") from None
    except json.JSONDecodeError as error:
        raise ValidationFailed(
            f"{path} is not valid JSON: {error}", code="malformed_json", field="input"
        ) from None
    try:
        return InvestmentDebtApplicationIn.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ()))
        raise ValidationFailed(
            f"{field}: {first.get('msg', 'invalid')}", code="invalid_request", field=field or None
        ) from None


Answer = BaseModel | list[Any]


def _answer(use_case: Callable[[Session, Principal], Answer]) -> None:
    """Run one use case on the system principal in one transaction; print its JSON answer.

    The answer is built inside the transaction (views may read lazy rows) and printed after
    the commit, so nothing is printed for a command whose transaction is rolled back.
    """
    with unit_of_work() as session:
        answer = use_case(session, access.system_principal(session))
    _echo(answer)


@app.command("apply")
@domain_errors
def apply(
    exporter: Annotated[str, typer.Option(help="Exporter organisation slug")],
    input: Annotated[
        Path, typer.Option("--input", help="JSON file: the body of POST .../applications")
    ],
) -> None:
    """File an application with the loan's drawdown and repayment schedule."""
    body = _application_in(input)

    def use_case(session: Session, principal: Principal) -> Answer:
        view = service.submit_application(
            session,
            principal=principal,
            exporter_org_id=access.org_by_slug(session, exporter).id,
            currency=body.currency,
            requested_inception=body.requested_inception,
            host_country=body.host_country,
            loan=body.loan(),
            notes=body.notes,
        )
        return InvestmentDebtApplicationOut.of(view)

    _answer(use_case)


@app.command("underwrite")
@domain_errors
def underwrite(
    application_id: Annotated[int, typer.Argument(help="Application id")],
    rate: Annotated[str, typer.Option(help="Premium rate per period, e.g. 0.0085")],
    inception: Annotated[str, typer.Option(help="Inception date YYYY-MM-DD")],
    indemnity_pct: Annotated[str, typer.Option(help="Indemnity percentage")] = "100",
    today: TodayOpt = None,
) -> None:
    """Price the application into a draft policy with its premium schedule."""
    pct = _amount(indemnity_pct, field="indemnity_pct")
    if pct is None or not Decimal(0) < pct <= Decimal(100):
        raise ValidationFailed(
            "indemnity_pct must be above 0 and at most 100", field="indemnity_pct"
        )

    def use_case(session: Session, principal: Principal) -> Answer:
        policy = service.underwrite(
            session,
            principal=principal,
            application_id=application_id,
            rate=rate,
            inception=_date(inception, field="inception"),
            indemnity_pct=pct,
        )
        schedule = _schedule(session, principal, policy.id, today)
        return UnderwrittenOut(policy=PolicyOut.of(policy), schedule=schedule)

    _answer(use_case)


def _schedule(
    session: Session, principal: Principal, policy_id: int, today: str | None
) -> ScheduleOut:
    """The policy's premium schedule as the API answers it, on ``--today``."""
    policy = service.investment_debt_policy(session, principal=principal, policy_id=policy_id)
    view = pricing.get_investment_debt_schedule(
        session, principal=principal, policy=policy, today=_date(today, field="today")
    )
    return ScheduleOut.of(view)


def _schedule_after(
    step: Callable[..., object], policy_id: int, today: str | None, **kwargs: Any
) -> Callable[[Session, Principal], Answer]:
    """A premium use case (notice, payment) answering the policy's schedule afterwards."""

    def use_case(session: Session, principal: Principal) -> Answer:
        policy = service.investment_debt_policy(session, principal=principal, policy_id=policy_id)
        step(session, principal=principal, policy=policy, **kwargs)
        return _schedule(session, principal, policy_id, today)

    return use_case


@app.command("schedule")
@domain_errors
def schedule(
    policy_id: Annotated[int, typer.Argument(help="Policy id")], today: TodayOpt = None
) -> None:
    """The premium schedule: each period's insured amount, premium, notice, due date, paid."""
    _answer(lambda session, principal: _schedule(session, principal, policy_id, today))


@app.command("notice")
@domain_errors
def notice(
    policy_id: Annotated[int, typer.Argument(help="Policy id")],
    position: Annotated[int, typer.Option(help="Period of insurance, 1-based")],
    notice_date: Annotated[str, typer.Option(help="Notice date YYYY-MM-DD")],
    today: TodayOpt = None,
) -> None:
    """Send a period's premium notice (due within 30 days); booked in the ledger."""
    _answer(
        _schedule_after(
            pricing.issue_premium_notice,
            policy_id,
            today,
            position=position,
            notice_date=_date(notice_date, field="notice_date"),
        )
    )


@app.command("pay-premium")
@domain_errors
def pay_premium(
    policy_id: Annotated[int, typer.Argument(help="Policy id")],
    position: Annotated[int, typer.Option(help="Period of insurance, 1-based")],
    paid_on: Annotated[str, typer.Option(help="Payment date YYYY-MM-DD")],
    accept_late: Annotated[bool, typer.Option(help="Accept premium paid after due")] = False,
    today: TodayOpt = None,
) -> None:
    """Record a period's premium paid; late premium is refused unless accepted."""
    _answer(
        _schedule_after(
            pricing.record_premium_payment,
            policy_id,
            today,
            position=position,
            paid_on=_date(paid_on, field="paid_on"),
            accept_late=accept_late,
        )
    )

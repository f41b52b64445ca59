"""CLI of claims: show a claim with its checks, close it, and the speed report."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from tradecover.access import system_principal
from tradecover.claims import closing, service
from tradecover.claims.speed import SpeedTarget, claims_at_risk, monthly_report
from tradecover.cli.context import console, domain_errors, unit_of_work
from tradecover.kit.dates import business_today
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money

app = typer.Typer(help="Claims: checks, decisions, payment, speed.", no_args_is_help=True)


@app.command("show")
@domain_errors
def show(claim_id: Annotated[int, typer.Argument(help="Claim id")]) -> None:
    """A claim, its indemnity and every check with its outcome."""
    with unit_of_work() as session:
        claim = service.claim_for(session, system_principal(session), claim_id)
        console.print(
            f"claim {claim.id}: {claim.state}, {claim.cause}, loss "
            f"{Money.from_minor(claim.loss_minor, claim.currency)}, indemnity "
            f"{Money.from_minor(claim.indemnity_minor, claim.currency)}"
        )
        table = Table("check", "outcome", "blocking", "explanation")
        for check in claim.checks:
            table.add_row(
                check["name"], check["outcome"], str(check["blocking"]), check["explanation"]
            )
    console.print(table)


@app.command("close")
@domain_errors
def close(
    claim_id: Annotated[int, typer.Argument(help="Claim id")],
    reason: Annotated[str | None, typer.Option(help="Why (required to withdraw)")] = None,
    today: Annotated[str | None, typer.Option(help="Business date, YYYY-MM-DD")] = None,
) -> None:
    """Close a claim: settle a paid one, close a rejected one, withdraw an undecided one."""
    day = _day(today)
    with unit_of_work() as session:
        claim = closing.close(
            session,
            principal=system_principal(session),
            claim_id=claim_id,
            reason=reason,
            today=day,
        )
        closure = claim.closure
    console.print(f"claim {claim_id} closed ({closure}) on {day.isoformat()}")


def _day(text: str | None) -> date:
    try:
        return date.fromisoformat(text) if text else business_today()
    except ValueError:
        raise ValidationFailed(
            f"{text!r} is not a date YYYY-MM-DD", code="invalid_date", field="today"
        ) from None


@app.command("speed")
@domain_errors
def speed(
    decision_days: Annotated[int, typer.Option(help="Target: days claim to decision")] = 60,
    payment_days: Annotated[int, typer.Option(help="Target: days decision to payment")] = 10,
    warn_days: Annotated[int, typer.Option(help="Warn this many days ahead")] = 7,
    today: Annotated[str | None, typer.Option(help="Business date, YYYY-MM-DD")] = None,
) -> None:
    """Claim speed per month against the target, and the open claims about to miss it."""
    day = _day(today)
    target = SpeedTarget(
        decision_days=decision_days, payment_days=payment_days, warn_days=warn_days
    )
    with unit_of_work() as session:
        timelines = service.timelines(session, principal=system_principal(session))
    table = Table(
        "month",
        "filed",
        "decided",
        "avg days to decision",
        "% in target",
        "paid",
        "avg days to payment",
        "% in target",
        title="claim speed",
    )
    for m in monthly_report(timelines, target):
        table.add_row(
            m.month,
            str(m.filed),
            str(m.decided),
            str(m.avg_claim_to_decision_days or "-"),
            str(m.decided_within_target_pct or "-"),
            str(m.paid),
            str(m.avg_decision_to_payment_days or "-"),
            str(m.paid_within_target_pct or "-"),
        )
    console.print(table)
    for risk in claims_at_risk(timelines, target, today=day):
        console.print(
            f"at risk: claim {risk.claim_id} {risk.stage.value} by "
            f"{risk.deadline.isoformat()} ({risk.days_left} days left)"
        )


def _register_documents() -> None:
    from tradecover.claims.documents.cli import app as documents_app

    app.add_typer(documents_app, name="documents")


_register_documents()

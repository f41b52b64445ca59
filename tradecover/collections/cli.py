"""CLI of overdue: the daily job (``tradecover overdue daily-job --today``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from tradecover.access import system_principal
from tradecover.cli.context import console, domain_errors, unit_of_work
from tradecover.collections import service
from tradecover.kit.dates import business_today
from tradecover.kit.errors import ValidationFailed

app = typer.Typer(help="Overdue invoices and notices of possible loss.", no_args_is_help=True)


def _day(text: str | None) -> date:
    if text is None:
        return business_today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            f"{text!r} is not a date YYYY-MM-DD", code="invalid_date", field="today"
        ) from None


@app.command("daily-job")
@domain_errors
def daily_job(
    today: Annotated[
        str | None, typer.Option(help="Business date, YYYY-MM-DD (default today)")
    ] = None,
) -> None:
    """Find invoices past due, send notice reminders and collection chasers (once each)."""
    day = _day(today)
    with unit_of_work() as session:
        outcome = service.daily_job(session, principal=system_principal(session), today=day)
        sent = [(n.kind, n.exporter_org_id, n.declaration_id, n.subject) for n in outcome.sent]
    runs = outcome.runs
    table = Table(
        "overdue",
        "newly overdue",
        "reminders today",
        "missed deadline",
        "frozen buyers",
        "chasers",
        "sent now",
        title=f"overdue on {day.isoformat()}",
    )
    table.add_row(
        str(sum(len(r.overdue) for r in runs)),
        str(sum(len(r.newly_overdue) for r in runs)),
        str(sum(len(r.reminders) for r in runs)),
        str(sum(len(r.missed_deadline) for r in runs)),
        str(len({b for r in runs for b in r.frozen_buyers})),
        str(len(outcome.chases)),
        str(len(sent)),
    )
    console.print(table)
    for run in runs:
        for reminder in run.reminders:
            console.print(
                f"remind: declaration {reminder.invoice_id}, notice due by "
                f"{reminder.deadline.isoformat()} ({reminder.days_left} days left)"
            )
    for kind, org_id, declaration_id, subject in sent:
        console.print(
            f"sent {kind} to organisation {org_id} (declaration {declaration_id}): {subject}"
        )

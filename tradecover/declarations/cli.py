"""CLI of declarations (``tradecover declarations ...``), acting as the insurer's system
principal on behalf of one exporter; each command is one transaction.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from tradecover import access
from tradecover.cli.context import console, domain_errors, unit_of_work
from tradecover.declarations import reminder_repository as reminders
from tradecover.declarations import service
from tradecover.declarations.schemas import DeclarationOut, UploadReportOut
from tradecover.kit.dates import business_today
from tradecover.kit.errors import ValidationFailed
from tradecover.wiring import store_for

app = typer.Typer(
    help="Declared shipments: bulk attachment, listing, details.", no_args_is_help=True
)


def _today(value: str | None) -> date:
    if value is None:
        return business_today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            f"--today must be a date YYYY-MM-DD, got {value!r}", code="invalid_date", field="today"
        ) from None


@app.command("attach")
@domain_errors
def attach(
    file: Annotated[
        Path,
        typer.Option(
            "--file", exists=True, dir_okay=False, help="CSV or XLSX of shipments (header row)"
        ),
    ],
    exporter: Annotated[
        str | None, typer.Option("--exporter", help="Slug of the exporter declaring")
    ] = None,
    today: Annotated[str | None, typer.Option("--today", help="Business date")] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
) -> None:
    """Attach every row of a file through the attachment service and print the row report."""
    if exporter is None:
        raise ValidationFailed(
            "--exporter SLUG is required when the insurer declares",
            code="exporter_required",
            field="exporter",
        )
    day = _today(today)
    data = file.read_bytes()
    with unit_of_work() as session:
        org = access.org_by_slug(session, exporter)
        principal = access.system_principal(session)
        with Progress(
            TextColumn("attaching"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            disable=quiet,
        ) as bar:
            task = bar.add_task("attach", total=None)
            report = UploadReportOut.of(
                file.name,
                service.attach_upload(
                    session,
                    principal=principal,
                    org_id=org.id,
                    filename=file.name,
                    data=data,
                    today=day,
                    channel="cli",
                    store=store_for(session.get_bind().engine),
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                ),
            )
    table = Table(title=f"{file.name}: {report.accepted} accepted, {report.rejected} rejected")
    for column in ("row", "outcome", "declaration", "cover / problem"):
        table.add_column(column)
    for row in report.report:
        detail = (
            (row.cover_status or "")
            if row.problem is None
            else (f"{row.problem.code} ({row.problem.field}): {row.problem.detail}")
        )
        table.add_row(str(row.row), row.outcome, str(row.declaration_id or ""), detail)
    console.print(table)


@app.command("list")
@domain_errors
def list_(
    policy: Annotated[int | None, typer.Option("--policy", help="Policy id")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
) -> None:
    """The latest declarations (all exporters)."""
    with unit_of_work() as session:
        rows, total = service.list_declarations(
            session, principal=access.system_principal(session), policy_id=policy, limit=limit
        )
    table = Table(title=f"{len(rows)} of {total} declarations")
    for column in (
        "id",
        "policy",
        "buyer",
        "invoice",
        "shipped",
        "amount",
        "cover",
        "reason",
        "premium",
        "status",
    ):
        table.add_column(column)
    for row in rows:
        out = DeclarationOut.of(row)
        table.add_row(
            str(out.id),
            str(out.policy_id),
            str(out.buyer_id),
            out.invoice_number,
            out.shipment_date.isoformat(),
            f"{out.invoice_amount} {out.currency}",
            out.cover_status,
            out.reason_code,
            out.premium,
            out.status,
        )
    console.print(table)


@app.command("show")
@domain_errors
def show(declaration_id: Annotated[int, typer.Argument(min=1)]) -> None:
    """One declaration with its cover decision, premium and history."""
    with unit_of_work() as session:
        chain = service.history(
            session, principal=access.system_principal(session), declaration_id=declaration_id
        )
    row = DeclarationOut.of(next(r for r in chain if r.id == declaration_id))
    for key, value in row.model_dump(exclude={"rate_explanation"}).items():
        console.print(f"[bold]{key}[/bold]: {value}")
    console.print("[bold]history[/bold]: " + " -> ".join(f"{r.id} ({r.status})" for r in chain))


@app.command("remind")
@domain_errors
def remind(
    days_before: Annotated[
        int, typer.Option("--days-before", min=0, max=30, help="Remind this many days ahead")
    ] = reminders.DEFAULT_DAYS_BEFORE,
    today: Annotated[str | None, typer.Option("--today", help="Business date")] = None,
) -> None:
    """Remind exporters of declaration deadlines near (once per policy and period; run daily)."""
    day = _today(today)
    with unit_of_work() as session:
        told = reminders.remind_declarations_due(session, today=day, days_before=days_before)
    table = Table(title=f"{len(told)} reminders of declaration deadlines")
    for column in ("policy", "period", "due", "declared so far"):
        table.add_column(column)
    for r in told:
        table.add_row(
            str(r.policy_id),
            f"{r.period.start.isoformat()}..{r.period.end.isoformat()}",
            r.period.due.isoformat(),
            str(r.declared),
        )
    console.print(table)

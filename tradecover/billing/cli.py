"""CLI of billing: the monthly run (with a progress bar), notices, payments, the arrears job."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from tradecover.access import system_principal
from tradecover.billing import jobs, payments, service
from tradecover.cli.context import console, domain_errors, unit_of_work
from tradecover.config import get_settings
from tradecover.db.engine import make_engine, make_session_factory, transaction
from tradecover.kit.dates import business_today
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money

app = typer.Typer(
    help="Premium billing: monthly notices, payments and arrears.", no_args_is_help=True
)


def _day(text: str | None, field: str) -> date:
    if text is None:
        return business_today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            f"{text!r} is not a date YYYY-MM-DD", code="invalid_date", field=field
        ) from None


@app.command("run")
@domain_errors
def run(
    month: Annotated[str, typer.Option(help="The month to bill, YYYY-MM")],
    issue_date: Annotated[str | None, typer.Option(help="Issue date (default today)")] = None,
    batch_size: Annotated[int, typer.Option(help="Policies per transaction")] = jobs.DEFAULT_BATCH,
    workers: Annotated[int, typer.Option(help="Parallel workers (PostgreSQL)")] = 1,
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
) -> None:
    """Bill the declarations of MONTH: a notice per policy; resumable and idempotent."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    try:
        with transaction(factory) as session:
            principal = system_principal(session)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=quiet,
        ) as bar:
            task = bar.add_task(f"billing {month}", total=None)
            state = jobs.run_month(
                factory,
                principal=principal,
                month=month,
                issue_date=_day(issue_date, "issue_date"),
                terms=service.terms_of(settings),
                batch_size=batch_size,
                workers=workers,
                on_progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    finally:
        engine.dispose()
    console.print(
        f"{month}: run {state.run_id} {state.status}, {state.items} policies, "
        f"{state.pending} pending, issued {state.issue_date}, due {state.due_date}"
    )


@app.command("notices")
@domain_errors
def notices(
    month: Annotated[str | None, typer.Option(help="Only this month, YYYY-MM")] = None,
    unpaid: Annotated[bool, typer.Option(help="Only notices the exporter has not paid")] = False,
    limit: Annotated[int, typer.Option(help="Most rows shown")] = 50,
) -> None:
    """List notices."""
    with unit_of_work() as session:
        rows, total = service.list_notices(
            session,
            principal=system_principal(session),
            limit=limit,
            offset=0,
            month=month,
            unpaid=unpaid,
        )
    table = Table(
        "notice",
        "month",
        "policy",
        "exporter",
        "due",
        "total",
        "exporter owes",
        "paid",
        title=f"{total} notices",
    )
    for n in rows:
        table.add_row(
            str(n.id),
            f"{n.month:%Y-%m}",
            str(n.policy_id),
            str(n.exporter_org_id),
            n.due_date.isoformat(),
            str(Money.from_minor(n.total_minor, n.currency)),
            str(Money.from_minor(n.exporter_owed_minor, n.currency)),
            str(Money.from_minor(n.exporter_paid_minor, n.currency)),
        )
    console.print(table)


@app.command("pay")
@domain_errors
def pay(
    payer_kind: Annotated[str, typer.Option(help="exporter or programme")],
    payer_id: Annotated[int, typer.Option(help="Exporter organisation id or programme id")],
    amount: Annotated[str, typer.Option(help="Amount, e.g. '1250.00 USD'")],
    reference: Annotated[str, typer.Option(help="Bank reference")],
    received_on: Annotated[str | None, typer.Option(help="Value date (default today)")] = None,
) -> None:
    """Record a payment and apply it to the payer's notices, oldest first."""
    try:
        value, currency = amount.split()
        money = Money.of(Decimal(value), currency.upper())
    except (ValueError, InvalidOperation):
        raise ValidationFailed(
            "amount is written '1250.00 USD'", code="invalid_amount", field="amount"
        ) from None
    with unit_of_work() as session:
        payment = payments.record_payment(
            session,
            principal=system_principal(session),
            payer_kind=payer_kind,
            payer_id=payer_id,
            amount=money,
            received_on=_day(received_on, "received_on"),
            reference=reference,
        )
        console.print(
            f"payment {payment.id}: applied "
            f"{Money.from_minor(payment.applied_minor, payment.currency)}, unapplied "
            f"{Money.from_minor(payment.unapplied_minor, payment.currency)}"
        )


@app.command("arrears-job")
@domain_errors
def arrears_job(
    today: Annotated[str | None, typer.Option(help="Business date (default today)")] = None,
) -> None:
    """Suspend policies whose premium is unpaid past the configured number of days."""
    with unit_of_work() as session:
        done = jobs.arrears_job(
            session,
            principal=system_principal(session),
            today=_day(today, "today"),
            terms=service.terms_of(get_settings()),
        )
    for s in done:
        console.print(f"policy {s.policy_id} suspended: {s.reason}")
    console.print(f"{len(done)} policies suspended")

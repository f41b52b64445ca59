"""CLI of the ledger: ``check`` (reconciliation, non-zero exit naming what is off) and balances."""

from __future__ import annotations

import typer
from rich.table import Table

from tradecover.access.service import system_principal
from tradecover.cli.context import console, domain_errors, err_console, unit_of_work
from tradecover.ledger import service

app = typer.Typer(help="The double-entry ledger: trial balance and reconciliation.",
                  no_args_is_help=True)

EXIT_OFF = 8
"""Exit code of ``ledger check`` when the books do not reconcile."""


@app.command("check")
def check() -> None:
    """Prove the trial balance is zero, notices reconcile, sub-ledgers equal the ledger."""
    with unit_of_work() as session:
        problems = service.check(session)
    if problems:
        for problem in problems:
            err_console.print(f"[red]off[/red] {problem}")
        err_console.print(f"{len(problems)} problem(s)")
        raise typer.Exit(EXIT_OFF)
    console.print("ledger check: trial balance zero in every currency; every notice "
                  "reconciles; sub-ledgers equal the general ledger")


@app.command("trial-balance")
@domain_errors
def trial_balance() -> None:
    """Every account's debits, credits and balance per currency."""
    with unit_of_work() as session:
        rows = service.balances(session, principal=system_principal(session))
    table = Table("currency", "account", "debit", "credit", "balance")
    for r in rows:
        table.add_row(r.currency, r.account, str(r.debit), str(r.credit), str(r.balance))
    console.print(table)

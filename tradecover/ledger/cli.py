"""CLI of the ledger: the trial balance.

``tradecover ledger check`` (the reconciliation) is :mod:`tradecover.reporting.cli`, added to
this group by :mod:`tradecover.cli.main`.
"""

from __future__ import annotations

import typer
from rich.table import Table

from tradecover.access import system_principal
from tradecover.cli.context import console, domain_errors, unit_of_work
from tradecover.ledger import service

app = typer.Typer(
    help="The double-entry ledger: trial balance and reconciliation.", no_args_is_help=True
)


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

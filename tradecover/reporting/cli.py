"""CLI of the read side: ``tradecover ledger check`` (non-zero exit naming what is off)."""

from __future__ import annotations

import typer

from tradecover.cli.context import console, err_console, unit_of_work
from tradecover.reporting import books_check

EXIT_OFF = 8
"""Exit code of ``ledger check`` when the books do not reconcile."""


def check() -> None:
    """Prove the trial balance is zero, notices reconcile, sub-ledgers equal the ledger."""
    with unit_of_work() as session:
        problems = books_check.check(session)
    if problems:
        for problem in problems:
            err_console.print(f"[red]off[/red] {problem}")
        err_console.print(f"{len(problems)} problem(s)")
        raise typer.Exit(EXIT_OFF)
    console.print("ledger check: trial balance zero in every currency; every notice "
                  "reconciles; sub-ledgers equal the general ledger")

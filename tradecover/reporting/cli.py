"""CLI of the read side: ``tradecover ledger check`` and ``tradecover subsidies statement``.

:mod:`tradecover.cli.main` adds each to the group of the context it reports on.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tradecover.access import system_principal
from tradecover.billing import month_start
from tradecover.cli.context import console, domain_errors, err_console, unit_of_work
from tradecover.reporting import books_check, subsidy_statement

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
    console.print(
        "ledger check: trial balance zero in every currency; every notice "
        "reconciles; sub-ledgers equal the general ledger"
    )


@domain_errors
def statement(
    programme_id: Annotated[int, typer.Argument(help="Programme id")],
    month: Annotated[str, typer.Option(help="Billed month, YYYY-MM")],
) -> None:
    """What a programme owes for a month's notices."""
    with unit_of_work() as session:
        st = subsidy_statement.statement(
            session,
            principal=system_principal(session),
            programme_id=programme_id,
            month=month_start(month),
        )
    table = Table(
        "notice",
        "exporter",
        "rule",
        "requested",
        "granted",
        "paid",
        "limited by",
        title=f"{st.programme.code} {month}",
    )
    for line in st.lines:
        table.add_row(
            str(line.notice_id),
            line.exporter_name,
            line.rule_applied,
            str(line.requested),
            str(line.granted),
            str(line.paid),
            line.limited_by or "",
        )
    console.print(table)
    console.print(f"granted {st.granted}, paid {st.paid}, outstanding {st.outstanding}")

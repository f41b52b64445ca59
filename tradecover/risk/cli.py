"""CLI commands of portfolio risk: ``run`` (a stored run with a progress bar and summary),
``scenarios`` and ``history``.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from tradecover.access import system_principal
from tradecover.cli.context import console, domain_errors, err_console
from tradecover.config import get_settings
from tradecover.db.engine import make_engine, make_session_factory, transaction
from tradecover.risk import service
from tradecover.risk.jobs import execute_run
from tradecover.risk.model import RiskRun

app = typer.Typer(
    help="Portfolio credit risk: loss distribution, contributions, stress.", no_args_is_help=True
)


def _money(value: float) -> str:
    return f"{value:,.0f}"


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def print_summary(result: dict[str, Any]) -> None:
    """Tables of a finished run: figures base vs stressed, contributions, concentration."""
    cases = [result["base"], *result["stressed"]]
    levels = list(result["base"]["value_at_risk"])
    figures = Table(
        "figure",
        *[c["scenario"] for c in cases],
        title=f"Risk figures ({result['currency']}, {result['spec']['method']}, "
        f"{result['spec']['obligors']} obligors)",
    )
    figures.add_row("exposure", *[_money(c["total_exposure"]) for c in cases])
    figures.add_row("expected loss", *[_money(c["expected_loss"]) for c in cases])
    for q in levels:
        figures.add_row(f"VaR {float(q) * 100:g}%", *[_money(c["value_at_risk"][q]) for c in cases])
    for q in levels:
        figures.add_row(
            f"ES {float(q) * 100:g}%", *[_money(c["expected_shortfall"][q]) for c in cases]
        )
    console.print(figures)
    contributions = result["base"]["contributions"]
    for dimension in ("country", "sector"):
        values = sorted(contributions[f"by_{dimension}"].items(), key=lambda kv: -kv[1])[:10]
        table = Table(
            dimension,
            "contribution",
            "share",
            title=f"Top contributions by {dimension} "
            f"({contributions['measure']} {contributions['level'] * 100:g}%)",
        )
        total = contributions["total"] or 1.0
        for name, value in values:
            table.add_row(name, _money(value), _pct(value / total))
        console.print(table)
    conc = Table("dimension", "HHI", "top-N share", "largest", title="Concentration")
    for c in result["concentration"]:
        largest: dict[str, Any] = c["top"][0] if c["top"] else {"name": "-", "share": 0.0}
        conc.add_row(
            c["dimension"],
            f"{c['hhi']:.4f}",
            _pct(c["top_n_share"]),
            f"{largest['name']} ({_pct(largest['share'])})",
        )
    console.print(conc)


@app.command("run")
@domain_errors
def run(
    source: Annotated[str, typer.Option(help="book or generated")] = "book",
    buyers: Annotated[int | None, typer.Option(help="Buyers of a generated book")] = None,
    book_seed: Annotated[int, typer.Option(help="Seed of a generated book")] = 0,
    method: Annotated[
        str, typer.Option(help="monte_carlo, creditrisk_plus or vasicek")
    ] = "monte_carlo",
    scenario: Annotated[
        list[str] | None, typer.Option("--scenario", help="Stress scenario (repeat for several)")
    ] = None,
    scenarios: Annotated[int, typer.Option(help="Monte Carlo scenarios")] = 20_000,
    seed: Annotated[int, typer.Option(help="Monte Carlo seed")] = 0,
    basis: Annotated[str, typer.Option(help="outstanding or limit")] = "outstanding",
    confidence: Annotated[
        list[float] | None,
        typer.Option("--confidence", help="Confidence level (repeat; default 0.99 0.995 0.999)"),
    ] = None,
    dask: Annotated[str | None, typer.Option(help="Dask scheduler address")] = None,
) -> None:
    """Compute a risk run, stored like the API's, with a progress bar and a summary."""
    if source == "generated" and buyers is None:
        buyers = 1000
    spec = service.RunSpec(
        source=source,  # type: ignore[arg-type]
        basis=basis,  # type: ignore[arg-type]
        method=method,  # type: ignore[arg-type]
        confidence_levels=tuple(confidence or (0.99, 0.995, 0.999)),
        scenarios=tuple(scenario or ()),
        n_scenarios=scenarios,
        seed=seed,
        buyers=buyers,
        book_seed=book_seed,
    )
    engine = make_engine(get_settings().database_url)
    factory = make_session_factory(engine)
    try:
        with transaction(factory) as session:
            run_id = service.create_run(session, principal=system_principal(session), spec=spec).id
        with Progress(
            TextColumn("risk run {task.fields[run]}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            task = bar.add_task("run", total=None, run=run_id)
            status = execute_run(
                factory,
                run_id,
                on_progress=lambda d, t: bar.update(task, completed=d, total=t),
                dask_address=dask or get_settings().dask_scheduler,
            )
        with transaction(factory) as session:
            row = session.get(RiskRun, run_id)
            assert row is not None
            result, error = row.result, (row.error_code, row.error_message)
    finally:
        engine.dispose()
    if status != service.FINISHED:
        err_console.print(f"[red]risk run {run_id} failed[/red] {error[0]}: {error[1]}")
        raise typer.Exit(1)
    console.print(f"risk run {run_id} finished")
    print_summary(result)


@app.command("scenarios")
def list_scenarios() -> None:
    """The shipped stress scenarios."""
    table = Table("name", "description")
    for s in service.scenarios():
        table.add_row(s.name, s.description)
    console.print(table)


@app.command("history")
def history() -> None:
    """[000]'s yearly portfolio table (USD 100 million) with loss ratios."""
    table = Table(
        "year",
        "insured",
        "premium",
        "claims paid",
        "loss ratio",
        "published",
        title="Yearly portfolio (USD 100 million)",
    )
    for row in service.portfolio_history():
        table.add_row(
            str(row["year"]),
            row["insured_amount"],
            row["premium"],
            row["claims_paid"],
            f"{row['loss_ratio_pct']}%",
            f"{row['published_loss_ratio_pct']}%",
        )
    console.print(table)

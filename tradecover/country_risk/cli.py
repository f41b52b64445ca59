"""CLI commands of country risk: list, show with history, change."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import typer
from rich.table import Table

from tradecover.access import system_principal
from tradecover.cli.context import console, domain_errors, unit_of_work
from tradecover.country_risk import service
from tradecover.country_risk.cover import CoverStatus
from tradecover.kit.dates import business_today
from tradecover.kit.money import Money

app = typer.Typer(
    help="Country risk classes, cover status and exposure caps.", no_args_is_help=True
)


@app.command("list")
def list_countries(
    risk_class: Annotated[int | None, typer.Option(help="Only this OECD class")] = None,
    status: Annotated[CoverStatus | None, typer.Option(help="Only this cover status")] = None,
) -> None:
    """Every country's view in force."""
    with unit_of_work() as session:
        views = service.current_all(session, risk_class=risk_class, cover_status=status)
    table = Table("country", "name", "class", "status", "cap", "since")
    for v in views:
        table.add_row(
            v.country,
            v.name,
            "-" if v.risk_class is None else str(v.risk_class),
            v.cover_status.value,
            str(v.exposure_cap or ""),
            v.effective_from.isoformat(),
        )
    console.print(table)


@app.command("show")
@domain_errors
def show(country: Annotated[str, typer.Argument(help="ISO alpha-2 code")]) -> None:
    """One country's versions, oldest first."""
    with unit_of_work() as session:
        views = service.history(session, country.upper())
    table = Table("version", "class", "status", "cap", "effective", "source", "reason")
    for v in views:
        table.add_row(
            str(v.version_id),
            "-" if v.risk_class is None else str(v.risk_class),
            v.cover_status.value,
            str(v.exposure_cap or ""),
            v.effective_from.isoformat(),
            v.source,
            v.reason or "",
        )
    console.print(table)


@app.command("set")
@domain_errors
def set_view(
    country: Annotated[str, typer.Argument(help="ISO alpha-2 code")],
    reason: Annotated[str, typer.Option(help="Why (kept in the history)")],
    risk_class: Annotated[int | None, typer.Option(help="OECD class 0-7")] = None,
    status: Annotated[CoverStatus | None, typer.Option(help="Cover status")] = None,
    cap: Annotated[str | None, typer.Option(help="Exposure cap, e.g. '250000000 USD'")] = None,
    effective: Annotated[str | None, typer.Option(help="Effective date (default today)")] = None,
) -> None:
    """Record a new version of a country's view."""
    kwargs: dict[str, object] = {}
    if risk_class is not None:
        kwargs["risk_class"] = risk_class
    if cap is not None:
        amount, currency = cap.split()
        kwargs["exposure_cap"] = Money.of(Decimal(amount), currency.upper())
    with unit_of_work() as session:
        view = service.change(
            session,
            principal=system_principal(session),
            country=country.upper(),
            reason=reason,
            cover_status=status,
            effective_from=date.fromisoformat(effective) if effective else business_today(),
            **kwargs,
        )
    console.print(
        f"{view.country}: class {view.risk_class}, {view.cover_status.value}, "
        f"cap {view.exposure_cap or 'none'}"
    )

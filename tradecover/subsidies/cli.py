"""CLI of subsidy programmes: register and list.

``tradecover subsidies statement`` is :mod:`tradecover.reporting.cli`, added to this group by
:mod:`tradecover.cli.main`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.table import Table

from tradecover.access import org_by_slug, system_principal
from tradecover.cli.context import console, domain_errors, unit_of_work
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money
from tradecover.subsidies import service
from tradecover.subsidies.programme import Programme, SizeTier

app = typer.Typer(help="Premium subsidy programmes.", no_args_is_help=True)


def _dec(text: str, field: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValidationFailed(
            f"{text!r} is not a number", code="invalid_number", field=field
        ) from None


def _money(text: str | None, currency: str, field: str) -> Money | None:
    return None if text is None else Money.of(_dec(text, field), currency)


def _list(text: str | None) -> tuple[str, ...]:
    return tuple(x.strip().upper() for x in (text or "").split(",") if x.strip())


@app.command("create")
@domain_errors
def create(
    sponsor: Annotated[str, typer.Option(help="Slug of the sponsor organisation")],
    code: Annotated[str, typer.Option(help="Programme code, e.g. YIWU")],
    name: Annotated[str, typer.Option(help="Programme name")],
    currency: Annotated[str, typer.Option(help="Currency of caps and budget")],
    share: Annotated[str, typer.Option(help="Share of premium paid, e.g. 0.8")],
    regions: Annotated[str | None, typer.Option(help="Eligible regions, comma separated")] = None,
    hs_chapters: Annotated[str | None, typer.Option(help="Eligible HS chapters")] = None,
    destinations: Annotated[str | None, typer.Option(help="Eligible destinations")] = None,
    max_exports: Annotated[str | None, typer.Option(help="Previous-year exports below")] = None,
    small_below: Annotated[str | None, typer.Option(help="Size tier: exports below")] = None,
    small_share: Annotated[str | None, typer.Option(help="Size tier: share")] = None,
    cap_exporter_year: Annotated[str | None, typer.Option(help="Cap per exporter per year")] = None,
    cap_year: Annotated[str | None, typer.Option(help="Cap per year")] = None,
    budget: Annotated[str | None, typer.Option(help="Total budget")] = None,
    valid_from: Annotated[str | None, typer.Option(help="First shipment date")] = None,
    valid_to: Annotated[str | None, typer.Option(help="Last shipment date")] = None,
) -> None:
    """Register a programme."""
    cur = currency.upper()
    tiers: tuple[SizeTier, ...] = ()
    if small_below is not None and small_share is not None:
        below = _money(small_below, cur, "small_below")
        assert below is not None
        tiers = (SizeTier(below, _dec(small_share, "small_share")),)
    programme = Programme(
        code=code,
        name=name,
        sponsor=name,
        currency=cur,
        share=_dec(share, "share"),
        size_tiers=tiers,
        regions=_list(regions),
        hs_chapters=_list(hs_chapters),
        destination_countries=_list(destinations),
        max_previous_year_exports=_money(max_exports, cur, "max_exports"),
        valid_from=date.fromisoformat(valid_from) if valid_from else None,
        valid_to=date.fromisoformat(valid_to) if valid_to else None,
        cap_per_exporter_year=_money(cap_exporter_year, cur, "cap_exporter_year"),
        cap_per_year=_money(cap_year, cur, "cap_year"),
        budget=_money(budget, cur, "budget"),
    )
    with unit_of_work() as session:
        row = service.create_programme(
            session,
            principal=system_principal(session),
            sponsor_org_id=org_by_slug(session, sponsor).id,
            programme=programme,
        )
        console.print(f"programme {row.id} {row.code} registered")


@app.command("list")
@domain_errors
def list_programmes() -> None:
    """Every programme, with its usage."""
    with unit_of_work() as session:
        rows = service.list_programmes(session, principal=system_principal(session))
    table = Table("id", "code", "name", "share", "used", "budget")
    for r in rows:
        table.add_row(
            str(r.id),
            r.code,
            r.name,
            str(r.share),
            str(Money.from_minor(r.used_minor, r.currency)),
            str(Money.from_minor(r.budget_minor, r.currency))
            if r.budget_minor is not None
            else "-",
        )
    console.print(table)

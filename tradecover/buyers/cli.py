"""CLI commands of the buyer registry: list, show, rate, review queue, resolve."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tradecover.access import system_principal
from tradecover.buyers import directory, matching, rating_records
from tradecover.cli.context import console, domain_errors, unit_of_work

app = typer.Typer(help="Buyers and banks: registry, ratings, match reviews.", no_args_is_help=True)


@app.command("list")
def list_buyers(
    country: Annotated[str | None, typer.Option(help="Only this country")] = None,
    search: Annotated[str | None, typer.Option(help="Part of the name")] = None,
) -> None:
    """Buyers in the registry, by name."""
    with unit_of_work() as session:
        rows, total = directory.list_buyers(
            session, principal=system_principal(session), country=country, search=search, limit=500
        )
    table = Table("id", "kind", "name", "country", "sector", "size", title=f"{total} buyers")
    for r in rows:
        table.add_row(str(r.id), r.kind, r.legal_name, r.country, r.sector or "", r.size or "")
    console.print(table)


@app.command("rate")
@domain_errors
def rate(buyer_id: Annotated[int, typer.Argument(help="Buyer id")]) -> None:
    """Rate a buyer now and show every factor's contribution."""
    with unit_of_work() as session:
        row = rating_records.rate(session, principal=system_principal(session), buyer_id=buyer_id)
    table = Table(
        "factor",
        "value",
        "points",
        "explanation",
        title=f"grade {row.grade}, PD {row.pd}, model {row.model_version}",
    )
    for c in row.contributions:
        table.add_row(c["factor"], c["value"], str(c["points"]), c["explanation"])
    console.print(table)


@app.command("reviews")
def reviews() -> None:
    """Uncertain matches waiting for a risk manager."""
    with unit_of_work() as session:
        rows, total = matching.list_reviews(session, principal=system_principal(session), limit=500)
    table = Table(
        "id", "new buyer", "existing", "score", "matched on", "reason", title=f"{total} open"
    )
    for r in rows:
        table.add_row(
            str(r.id), str(r.buyer_id), str(r.candidate_id), str(r.score), r.matched_on, r.reason
        )
    console.print(table)


@app.command("resolve")
@domain_errors
def resolve(
    review_id: Annotated[int, typer.Argument(help="Review id")],
    resolution: Annotated[matching.ReviewResolution, typer.Option(help="Decision")],
    note: Annotated[str | None, typer.Option(help="Why")] = None,
) -> None:
    """Merge the two records, or keep them separate."""
    with unit_of_work() as session:
        row = matching.resolve_review(
            session,
            principal=system_principal(session),
            review_id=review_id,
            resolution=resolution,
            note=note,
        )
    console.print(f"review {row.id}: {row.status}")

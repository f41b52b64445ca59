"""CLI of data sovereignty (``tradecover consents ...``): the fields an exporter's feeds
withhold, its contribution to the payment-experience pool, and the retention purge.
Sharing and the pool act for the exporter named (an operator acting on its instruction);
the purge acts as the insurer's system principal.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from tradecover import access, consents, reporting
from tradecover.cli.context import console, domain_errors, unit_of_work
from tradecover.wiring import purge_retention

app = typer.Typer(
    help="Consents: fields shared per feed source, the payment-experience pool, retention.",
    no_args_is_help=True,
)
sharing_app = typer.Typer(help="The fields an exporter's feeds withhold.", no_args_is_help=True)
pool_app = typer.Typer(help="The payment-experience pool.", no_args_is_help=True)
app.add_typer(sharing_app, name="sharing")
app.add_typer(pool_app, name="pool")


def _exporter(session: Session, slug: str) -> access.Principal:
    org = access.org_by_slug(session, slug)
    return access.Principal(
        actor="system:cli",
        org_id=org.id,
        org_slug=org.slug,
        org_kind=access.OrganisationKind(org.kind),
        role=access.Role.EXPORTER,
    )


def _show(session: Session, principal: access.Principal) -> None:
    withheld = consents.sharing_of(session, principal.org_id)
    table = Table("source", "withheld")
    for source, fields in withheld.items():
        table.add_row(source, ", ".join(fields) or "-")
    console.print(table)
    hidden = {f for fields in withheld.values() for f in fields}
    buyers = reporting.buyers_declared(session, principal.org_id)
    console.print(consents.sharing_summary(hidden, buyers), soft_wrap=True)


@sharing_app.command("show")
@domain_errors
def sharing_show(exporter: Annotated[str, typer.Option("--exporter", help="Slug")]) -> None:
    """Per feed source, the fields the exporter withholds, and what others see."""
    with unit_of_work() as session:
        _show(session, _exporter(session, exporter))


@sharing_app.command("set")
@domain_errors
def sharing_set(
    exporter: Annotated[str, typer.Option("--exporter", help="Slug of the exporter")],
    source: Annotated[str, typer.Option("--source", help="customs, ubl, cii or erp")],
    withhold: Annotated[
        list[str] | None, typer.Option("--withhold", help="A field to withhold (repeat)")
    ] = None,
) -> None:
    """Choose the fields withheld from a source's documents (none given: share all)."""
    with unit_of_work() as session:
        principal = _exporter(session, exporter)
        consents.set_sharing(session, principal=principal, source=source, withheld=withhold or [])
        _show(session, principal)


def contribute_now(session: Session, principal: access.Principal) -> int:
    """The exporter's current payment experience replaces its rows in the pool (none
    without a pool consent); returns the rows written.
    """
    records = [
        consents.BuyerExperience(r.buyer_id, r.overdue_notices, r.max_days_late, r.claims)
        for r in reporting.payment_records_of(session, principal.org_id)
    ]
    return consents.contribute(
        session, exporter_org_id=principal.org_id, records=records, actor=principal.actor
    )


@pool_app.command("contribute")
@domain_errors
def pool_contribute(exporter: Annotated[str, typer.Option("--exporter", help="Slug")]) -> None:
    """Contribute the exporter's payment experience to the pool (its consent permitting)."""
    with unit_of_work() as session:
        written = contribute_now(session, _exporter(session, exporter))
    console.print(f"{written} buyer(s) in the pool")


@pool_app.command("stop")
@domain_errors
def pool_stop(exporter: Annotated[str, typer.Option("--exporter", help="Slug")]) -> None:
    """Remove the exporter's rows from the pool."""
    with unit_of_work() as session:
        principal = _exporter(session, exporter)
        removed = consents.withdraw_from_pool(
            session, exporter_org_id=principal.org_id, actor=principal.actor
        )
    console.print(f"{removed} row(s) removed from the pool")


@app.command("purge")
@domain_errors
def purge() -> None:
    """Purge the data of consents whose retention ended (audited; idempotent)."""
    with unit_of_work() as session:
        actor = access.system_principal(session).actor
        done = purge_retention(session, actor=actor)
    for consent_id, counts in done.items():
        console.print(
            f"consent {consent_id}: {counts['documents']} document(s), "
            f"{counts['pool_rows']} pool row(s) purged"
        )
    console.print(f"{len(done)} consent(s) purged")

"""CLI of consents for the operator: an organisation's consents, a consent's receipt (JSON
or ODRL) and an exporter's access log (as a table or CSV); the fields an exporter's feeds
withhold, its contribution to the payment-experience pool, and the retention purge.
Sharing and the pool act for the exporter named; the purge as the insurer's system.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from tradecover import access, consents, reporting
from tradecover.access import OrganisationKind, Principal, Role, org_by_slug
from tradecover.cli.context import console, domain_errors, unit_of_work
from tradecover.consents import (
    consents_of,
    reads_of,
    receipt_json,
    receipt_odrl,
    receipt_of,
    status_now,
)
from tradecover.wiring import purge_retention

app = typer.Typer(
    help="Consents: list, receipts, the access log, sharing, the pool, retention.",
    no_args_is_help=True,
)


_ROLE = {
    OrganisationKind.INSURER: Role.ADMIN,
    OrganisationKind.EXPORTER: Role.EXPORTER,
    OrganisationKind.BANK: Role.BANK,
    OrganisationKind.COINSURER: Role.COINSURER,
    OrganisationKind.SUBSIDY_PROGRAMME: Role.PROGRAMME,
}


def _acting_for(session: Session, slug: str) -> Principal:
    """The organisation ``slug`` as the operator acts for it (actor ``system:cli``)."""
    org = org_by_slug(session, slug)
    kind = OrganisationKind(org.kind)
    role = _ROLE[kind]
    return Principal(actor="system:cli", org_id=org.id, org_slug=org.slug, org_kind=kind, role=role)


@app.command("list")
@domain_errors
def list_consents(
    org: Annotated[str, typer.Argument(help="The organisation's slug (grantor or grantee)")],
) -> None:
    """The consents an organisation granted or holds, newest first."""
    with unit_of_work() as session:
        rows = consents_of(session, principal=_acting_for(session, org))
        table = Table("id", "grantor", "grantee", "scopes", "purposes", "expires", "status")
        for r in rows:
            table.add_row(
                str(r.id),
                str(r.grantor_org_id),
                str(r.grantee_org_id),
                ", ".join(r.scopes),
                ", ".join(r.purposes),
                r.expires_at.isoformat(timespec="seconds"),
                status_now(r).value,
            )
    console.print(table)


@app.command("receipt")
@domain_errors
def receipt(
    org: Annotated[str, typer.Argument(help="A party's slug")],
    consent_id: Annotated[int, typer.Argument(help="Consent id")],
    odrl: Annotated[bool, typer.Option("--odrl", help="The ODRL policy (JSON-LD)")] = False,
) -> None:
    """A consent's receipt as JSON (ISO/IEC TS 27560 fields) or as an ODRL policy."""
    with unit_of_work() as session:
        made = receipt_of(session, principal=_acting_for(session, org), consent_id=consent_id)
    body = receipt_odrl(made) if odrl else receipt_json(made)
    typer.echo(json.dumps(body, indent=2, ensure_ascii=False))


@app.command("access-log")
@domain_errors
def access_log(
    org: Annotated[str, typer.Argument(help="The exporter's slug")],
    days: Annotated[int, typer.Option(min=1, max=90, help="Days back")] = 90,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV instead of a table")] = False,
) -> None:
    """Who read the exporter's data in the last days (refused reads too)."""
    with unit_of_work() as session:
        exporter = _acting_for(session, org)
        rows = reads_of(session, exporter.org_id, days=days)
    if as_csv:
        typer.echo("at,refused,reader_org_id,reader_role,consent,scope,purpose,records")
        for r in rows:
            typer.echo(
                f"{r.at.isoformat()},{'yes' if r.refused else 'no'},{r.reader_org_id},"
                f"{r.reader_role},{r.consent or ''},{r.scope},{r.purpose},{r.record_count}"
            )
        return
    table = Table("at", "refused", "reader", "role", "consent", "scope", "purpose", "records")
    for r in rows:
        table.add_row(
            r.at.isoformat(timespec="seconds"),
            "yes" if r.refused else "",
            str(r.reader_org_id),
            r.reader_role,
            r.consent or "",
            r.scope,
            r.purpose,
            str(r.record_count),
        )
    console.print(table)


sharing_app = typer.Typer(help="The fields an exporter's feeds withhold.", no_args_is_help=True)
pool_app = typer.Typer(help="The payment-experience pool.", no_args_is_help=True)
app.add_typer(sharing_app, name="sharing")
app.add_typer(pool_app, name="pool")


def _show(session: Session, principal: Principal) -> None:
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
        _show(session, _acting_for(session, exporter))


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
        principal = _acting_for(session, exporter)
        consents.set_sharing(session, principal=principal, source=source, withheld=withhold or [])
        _show(session, principal)


def contribute_now(session: Session, principal: Principal) -> int:
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
        written = contribute_now(session, _acting_for(session, exporter))
    console.print(f"{written} buyer(s) in the pool")


@pool_app.command("stop")
@domain_errors
def pool_stop(exporter: Annotated[str, typer.Option("--exporter", help="Slug")]) -> None:
    """Remove the exporter's rows from the pool."""
    with unit_of_work() as session:
        principal = _acting_for(session, exporter)
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

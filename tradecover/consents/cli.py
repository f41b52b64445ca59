"""CLI of consents for the operator: an organisation's consents, a consent's receipt (JSON
or ODRL) and an exporter's access log (as a table or CSV).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

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

app = typer.Typer(help="Consents: list, receipts, the access log.", no_args_is_help=True)


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

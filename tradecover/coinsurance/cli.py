"""CLI of coinsurance: set and show a policy's participations, a participant's statement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.table import Table

from tradecover.access import org_by_slug, system_principal
from tradecover.cli.context import console, domain_errors, unit_of_work
from tradecover.coinsurance import service
from tradecover.coinsurance.shares import ParticipantRole, Participation
from tradecover.kit.errors import ValidationFailed

app = typer.Typer(
    help="Coinsurance: participations of a policy and participants' statements.",
    no_args_is_help=True,
)


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            f"{text!r} is not a date YYYY-MM-DD", code="invalid_date", field=field
        ) from None


def _part(text: str, org_id: int) -> Participation:
    """``SLUG:ROLE:SHARE:FROM[:TO]`` (the slug already resolved to ``org_id``)."""
    fields = text.split(":")
    try:
        role, share = ParticipantRole(fields[1]), Decimal(fields[2])
    except (ValueError, InvalidOperation):
        raise ValidationFailed(
            f"{text!r}: a part is SLUG:lead|follower:SHARE:FROM[:TO]",
            code="invalid_part",
            field="part",
        ) from None
    return Participation(
        org_id=org_id,
        role=role,
        share=share,
        effective_from=_day(fields[3], "part"),
        effective_to=_day(fields[4], "part") if len(fields) > 4 and fields[4] else None,
    )


@app.command("set")
@domain_errors
def set_(
    policy_id: Annotated[int, typer.Argument(help="The policy")],
    part: Annotated[
        list[str],
        typer.Option(help="SLUG:lead|follower:SHARE:FROM[:TO], once per participation"),
    ],
    reason: Annotated[str, typer.Option(help="Why the shares change")],
) -> None:
    """Replace a policy's participations (shares in percent, summing to 100 on every date)."""
    with unit_of_work() as session:
        parts = []
        for text in part:
            if text.count(":") < 3:
                raise ValidationFailed(
                    f"{text!r}: a part is SLUG:lead|follower:SHARE:FROM[:TO]",
                    code="invalid_part",
                    field="part",
                )
            parts.append(_part(text, org_by_slug(session, text.split(":")[0]).id))
        done = service.set_participations(
            session,
            principal=system_principal(session),
            policy_id=policy_id,
            participations=parts,
            reason=reason,
        )
    console.print(f"policy {policy_id}: {len(done)} participations set")


@app.command("show")
@domain_errors
def show(policy_id: Annotated[int, typer.Argument(help="The policy")]) -> None:
    """A policy's participations."""
    with unit_of_work() as session:
        rows = service.participations(
            session, principal=system_principal(session), policy_id=policy_id
        )
    table = Table("organisation", "role", "share %", "from", "to")
    for p in rows:
        to = p.effective_to.isoformat() if p.effective_to else "-"
        table.add_row(str(p.org_id), p.role.value, str(p.share), p.effective_from.isoformat(), to)
    console.print(table)


@app.command("statement")
@domain_errors
def statement(
    org: Annotated[str, typer.Option(help="The participant's organisation slug")],
    date_from: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD")],
    date_to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD")],
) -> None:
    """A participant's share of premium, claims paid and recoveries per policy."""
    with unit_of_work() as session:
        lines = service.statement(
            session,
            principal=system_principal(session),
            date_from=_day(date_from, "from"),
            date_to=_day(date_to, "to"),
            org_id=org_by_slug(session, org).id,
        )
    table = Table("policy", "currency", "premium", "claims", "recoveries")
    for line in lines:
        table.add_row(
            str(line.policy_id),
            line.currency,
            str(line.premium.amount),
            str(line.claims.amount),
            str(line.recoveries.amount),
        )
    console.print(table)

"""CLI of bank financing: ask for, move and list assignments of policy proceeds, and the
banks' financing base.

The operator acts as the insurer (acknowledge, reject, end), or on behalf of a bank or an
exporter with ``--as SLUG`` (request, approve, withdraw): the audit trail names the CLI.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from tradecover import reporting
from tradecover.access import OrganisationKind, Principal, Role, org_by_slug, system_principal
from tradecover.cli.context import console, domain_errors, unit_of_work
from tradecover.consents import Scope
from tradecover.financing import service
from tradecover.financing.assignments import AssignmentAction, AssignmentStatus
from tradecover.kit.dates import business_today
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money

app = typer.Typer(
    help="Bank financing: assignments of policy proceeds (loss payees) and financing bases.",
    no_args_is_help=True,
)

AsOption = Annotated[
    str | None,
    typer.Option("--as", help="Act for this organisation (a bank or an exporter), by slug"),
]


def _day(text: str | None, field: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            f"{text!r} is not a date YYYY-MM-DD", code="invalid_date", field=field
        ) from None


def _decimal(text: str, field: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValidationFailed(
            f"{text!r} is not a number", code="invalid_number", field=field
        ) from None


_ROLES = {OrganisationKind.BANK: Role.BANK, OrganisationKind.EXPORTER: Role.EXPORTER}


def _principal(session: Session, slug: str | None) -> Principal:
    """The insurer's system principal, or one acting for organisation ``slug``."""
    system = system_principal(session)
    if slug is None:
        return system
    org = org_by_slug(session, slug)
    kind = OrganisationKind(org.kind)
    role = _ROLES.get(kind)
    if role is None:
        raise ValidationFailed(
            f"{slug} is a {kind.value}: --as names a bank or an exporter",
            code="not_bank_or_exporter",
            field="as",
        )
    return Principal(actor=system.actor, org_id=org.id, org_slug=org.slug, org_kind=kind, role=role)


@app.command("request")
@domain_errors
def request(
    policy_id: Annotated[int, typer.Argument(help="The policy")],
    bank: Annotated[str, typer.Option(help="The bank's organisation slug")],
    priority: Annotated[int, typer.Option(help="1 is paid first")],
    cap: Annotated[str, typer.Option(help="The cap, in the policy currency")],
    advance_rate: Annotated[str, typer.Option(help="A fraction: 0.8 = 80 %")],
    effective_from: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD")],
    reason: Annotated[str, typer.Option(help="Why the bank asks")],
    effective_to: Annotated[str | None, typer.Option("--to", help="Last day")] = None,
) -> None:
    """A bank asks to be the policy's loss payee."""
    with unit_of_work() as session:
        row = service.request_assignment(
            session,
            principal=_principal(session, bank),
            request=service.AssignmentRequest(
                policy_id=policy_id,
                priority=priority,
                cap=_decimal(cap, "cap"),
                currency=None,
                effective_from=_day(effective_from, "from") or business_today(),
                effective_to=_day(effective_to, "to"),
                advance_rate=_decimal(advance_rate, "advance_rate"),
            ),
            reason=reason,
        )
        done = (row.id, row.status)
    console.print(f"assignment {done[0]}: {done[1]}")


def _act(action: AssignmentAction, assignment_id: int, reason: str, slug: str | None) -> None:
    with unit_of_work() as session:
        row = service.act(
            session,
            principal=_principal(session, slug),
            assignment_id=assignment_id,
            action=action,
            reason=reason,
        )
        done = (row.id, row.status)
    console.print(f"assignment {done[0]}: {done[1]}")


ReasonOption = Annotated[str, typer.Option(help="Why")]
IdArgument = Annotated[int, typer.Argument(help="The assignment")]


@app.command("approve")
@domain_errors
def approve(assignment_id: IdArgument, reason: ReasonOption, as_: AsOption = None) -> None:
    """The exporter approves an assignment (``--as`` the exporter)."""
    _act(AssignmentAction.APPROVE, assignment_id, reason, as_)


@app.command("acknowledge")
@domain_errors
def acknowledge(assignment_id: IdArgument, reason: ReasonOption) -> None:
    """The insurer acknowledges an approved assignment: it becomes active."""
    _act(AssignmentAction.ACKNOWLEDGE, assignment_id, reason, None)


@app.command("reject")
@domain_errors
def reject(assignment_id: IdArgument, reason: ReasonOption, as_: AsOption = None) -> None:
    """The insurer (or ``--as`` the exporter) rejects an assignment."""
    _act(AssignmentAction.REJECT, assignment_id, reason, as_)


@app.command("withdraw")
@domain_errors
def withdraw(assignment_id: IdArgument, reason: ReasonOption, as_: AsOption = None) -> None:
    """The bank (``--as`` the bank) withdraws its request."""
    _act(AssignmentAction.WITHDRAW, assignment_id, reason, as_)


@app.command("end")
@domain_errors
def end(assignment_id: IdArgument, reason: ReasonOption, as_: AsOption = None) -> None:
    """The insurer (or ``--as`` the bank) ends an active assignment."""
    _act(AssignmentAction.END, assignment_id, reason, as_)


@app.command("list")
@domain_errors
def list_(
    status: Annotated[str | None, typer.Option(help="Only this status")] = None,
) -> None:
    """Every assignment, newest first."""
    wanted = None
    if status is not None:
        try:
            wanted = AssignmentStatus(status)
        except ValueError:
            raise ValidationFailed(
                f"unknown status {status!r}", code="unknown_status", field="status"
            ) from None
    with unit_of_work() as session:
        rows = service.list_assignments(session, principal=system_principal(session), status=wanted)
        table = Table("id", "policy", "bank", "priority", "status", "cap", "paid", "rate", "from")
        for r in rows:
            table.add_row(
                str(r.id),
                str(r.policy_id),
                str(r.bank_org_id),
                str(r.priority),
                r.status,
                str(Money.from_minor(r.cap_minor, r.currency)),
                str(Money.from_minor(r.paid_minor, r.currency)),
                str(r.advance_rate),
                r.effective_from.isoformat(),
            )
    console.print(table)


@app.command("base")
@domain_errors
def base(
    bank: Annotated[str | None, typer.Option(help="Only this bank (slug)")] = None,
) -> None:
    """The financing base of the active assignments (covered outstanding x advance rate,
    less overdue).
    """
    with unit_of_work() as session:
        principal = system_principal(session)
        rows = reporting.visible_assignments(
            session, principal, Scope.SHIPMENT_CORE, statuses=(AssignmentStatus.ACTIVE,)
        )
        if bank is not None:
            bank_id = org_by_slug(session, bank).id
            rows = [r for r in rows if r.bank_org_id == bank_id]
        lines = reporting.financing_bases(
            session, reporting.assigned_policies(session, rows), today=business_today()
        )
    table = Table("assignment", "policy", "bank", "outstanding", "overdue", "rate", "base")
    for line in lines:
        a, cur = line.assignment, line.currency
        table.add_row(
            str(a.assignment_id),
            a.policy_number or str(a.policy_id),
            a.bank_name,
            str(Money.from_minor(line.covered_outstanding_minor, cur)),
            str(Money.from_minor(line.overdue_minor, cur)),
            str(a.advance_rate),
            str(Money.from_minor(line.base_minor, cur)),
        )
    console.print(table)

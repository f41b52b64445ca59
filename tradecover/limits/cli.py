"""CLI commands of credit limits: queue, decide, show, history, cut, bulk, jobs, watch list."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from tradecover import reporting
from tradecover.access import system_principal
from tradecover.cli.context import console, domain_errors, unit_of_work
from tradecover.config import get_settings
from tradecover.kit.dates import business_today
from tradecover.kit.money import Money
from tradecover.limits import jobs, service
from tradecover.limits.proposals import service as proposals
from tradecover.limits.request import DecisionOutcome, ReasonCode, RequestType

app = typer.Typer(
    help="Credit limits: applications, decisions, changes and tracking.", no_args_is_help=True
)


def _rules() -> service.LimitRules:
    return service.LimitRules.from_settings(get_settings())


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console,
    )


@app.command("queue")
def queue(status: Annotated[str, typer.Option(help="Status to list")] = "pending") -> None:
    """Limit applications waiting for an underwriter, oldest first."""
    with unit_of_work() as session:
        rows, total = service.list_applications(
            session, principal=system_principal(session), status=status, limit=500
        )
    table = Table(
        "id",
        "policy",
        "buyer",
        "type",
        "amount",
        "grade",
        "ceiling",
        "recommended",
        "reasons",
        title=f"{total} {status}",
    )
    for r in rows:
        p = r.proposal or {}
        table.add_row(
            str(r.id),
            str(r.policy_id),
            str(r.buyer_id),
            r.request_type,
            str(Money.from_minor(r.amount_minor, r.currency)),
            str(r.grade or "-"),
            str(p.get("ceiling", "")),
            str(p.get("recommended", "")),
            ", ".join(p.get("reasons", [])),
        )
    console.print(table)


@app.command("decide")
@domain_errors
def decide(
    application_id: Annotated[int, typer.Argument(help="Application id")],
    outcome: Annotated[DecisionOutcome, typer.Option(help="The decision")],
    amount: Annotated[str, typer.Option(help="New total approved (0 to refuse)")],
    reason: Annotated[list[ReasonCode] | None, typer.Option(help="Reason codes")] = None,
) -> None:
    """Decide an application as the system underwriter (four eyes still apply)."""
    with unit_of_work() as session:
        app_row = service.get_application(
            session, principal=system_principal(session), application_id=application_id
        )
        row = service.decide(
            session,
            principal=system_principal(session),
            application_id=application_id,
            outcome=outcome,
            amount=Money.of(Decimal(amount), app_row.currency),
            reasons=reason or [],
            today=business_today(),
            rules=_rules(),
            read_context=reporting.limit_decision_context,
        )
    console.print(f"application {row.id}: {row.status} ({row.outcome})")


@app.command("list")
def list_limits(
    buyer: Annotated[int | None, typer.Option(help="Only this buyer")] = None,
) -> None:
    """Limits in force with their utilisation."""
    with unit_of_work() as session:
        principal = system_principal(session)
        rows, total = service.list_limits(session, principal=principal, buyer_id=buyer, limit=500)
        usage = {
            u.limit_id: u for u in service.utilisation(session, principal=principal, buyer_id=buyer)
        }
    table = Table(
        "id",
        "policy",
        "buyer",
        "country",
        "amount",
        "outstanding",
        "available",
        "rate",
        "since",
        title=f"{total} limits in force",
    )
    for r in rows:
        u = usage.get(r.id)
        table.add_row(
            str(r.id),
            str(r.policy_id),
            str(r.buyer_id),
            r.country,
            str(Money.from_minor(r.amount_minor, r.currency)),
            str(u.outstanding) if u else "",
            str(u.available) if u else "",
            f"{u.rate:.2%}" if u and u.rate is not None else "",
            r.effective_from.isoformat(),
        )
    console.print(table)


@app.command("history")
@domain_errors
def history(limit_id: Annotated[int, typer.Argument(help="Limit id")]) -> None:
    """Every version of a limit, oldest first."""
    with unit_of_work() as session:
        versions = service.limit_history(
            session, principal=system_principal(session), limit_id=limit_id
        )
    table = Table("version", "kind", "amount", "effective", "expires", "reason")
    for v in versions:
        table.add_row(
            str(v.number),
            v.kind,
            str(Money.from_minor(v.amount_minor, v.currency)),
            v.effective_from.isoformat(),
            v.expires_on.isoformat() if v.expires_on else "",
            v.reason or "",
        )
    console.print(table)


@app.command("reduce")
@domain_errors
def reduce(
    limit_id: Annotated[int, typer.Argument(help="Limit id")],
    reason: Annotated[str, typer.Option(help="Why (the exporter is told)")],
    amount: Annotated[str | None, typer.Option(help="New amount; omit to cancel")] = None,
    effective: Annotated[str | None, typer.Option(help="Effective date (default today)")] = None,
) -> None:
    """Reduce (or, without an amount, cancel) a limit; the exporter is notified."""
    with unit_of_work() as session:
        principal = system_principal(session)
        row = service.get_limit(session, principal=principal, limit_id=limit_id)
        kind = RequestType.REDUCTION if amount else RequestType.CANCELLATION
        row = service.change_by_insurer(
            session,
            principal=principal,
            limit_id=limit_id,
            kind=kind,
            amount=Money.of(Decimal(amount), row.currency) if amount else None,
            reason=reason,
            today=business_today(),
            effective_from=date.fromisoformat(effective) if effective else None,
        )
    console.print(
        f"limit {row.id}: {row.status}, {Money.from_minor(row.amount_minor, row.currency)}"
    )


@app.command("bulk")
@domain_errors
def bulk(
    reason: Annotated[str, typer.Option(help="Why (the exporters are told)")],
    buyer: Annotated[int | None, typer.Option(help="Every limit on this buyer")] = None,
    sector: Annotated[str | None, typer.Option(help="Every limit in this sector")] = None,
    country: Annotated[str | None, typer.Option(help="Every limit in this country")] = None,
    cut: Annotated[str | None, typer.Option(help="Cut by this percentage")] = None,
    cancel: Annotated[bool, typer.Option(help="Cancel instead of cutting")] = False,
) -> None:
    """Cut or cancel every limit on a buyer, a sector or a country (e.g. a tariff shock)."""
    with unit_of_work() as session, _bar() as bar:
        task = bar.add_task("limits", total=None)
        result = service.bulk_action(
            session,
            principal=system_principal(session),
            scope=service.BulkScope(buyer_id=buyer, sector=sector, country=country),
            reason=reason,
            today=business_today(),
            cut_pct=Decimal(cut) if cut else None,
            cancel=cancel,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    console.print(f"{len(result.changed)} limits changed, {len(result.skipped)} skipped")


@app.command("revoke-idle")
@domain_errors
def revoke_idle(days: Annotated[int | None, typer.Option(help="Idle days")] = None) -> None:
    """Revoke every limit unused for the configured time (the job)."""
    with unit_of_work() as session, _bar() as bar:
        task = bar.add_task("idle limits", total=None)
        revoked = jobs.revoke_idle_limits(
            session,
            principal=system_principal(session),
            settings=get_settings(),
            today=business_today(),
            idle_days=days,
            on_progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    console.print(f"{len(revoked)} limits revoked")


@app.command("watch-list")
def watch_list() -> None:
    """Buyers with a large single limit or a large total of limits (USD)."""
    with unit_of_work() as session:
        entries = reporting.limit_watch_list(
            session, principal=system_principal(session), rules=_rules()
        )
    table = Table("buyer", "limits", "largest", "total", "reasons")
    for e in entries:
        table.add_row(
            str(e.buyer_id),
            str(e.limits),
            str(e.largest),
            str(e.total),
            ", ".join(r.value for r in e.reasons),
        )
    console.print(table)


@app.command("propose-reductions")
@domain_errors
def propose_reductions(
    share: Annotated[str | None, typer.Option(help="Under-used below this share (0.25)")] = None,
    days: Annotated[int | None, typer.Option(help="Days observed, ending today")] = None,
) -> None:
    """Propose reductions of limits under-used over the configured time (the job)."""
    rule = proposals.rule_from_settings(
        get_settings(), max_share=Decimal(share) if share else None, period_days=days
    )
    with unit_of_work() as session, _bar() as bar:
        task = bar.add_task("limits", total=None)
        result = proposals.propose_reductions(
            session,
            principal=system_principal(session),
            rule=rule,
            today=business_today(),
            read_exposures=reporting.limit_exposures,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    console.print(f"{len(result.proposed)} reductions proposed, {len(result.lapsed)} lapsed")


@app.command("proposals")
@domain_errors
def list_proposals(
    status: Annotated[
        str, typer.Option(help="pending, accepted, dismissed, lapsed or all")
    ] = "pending",
) -> None:
    """Reduction proposals of under-used limits."""
    with unit_of_work() as session:
        rows, _ = proposals.list_proposals(
            session,
            principal=system_principal(session),
            status=None if status == "all" else status,
            limit=1000,
        )
        table = Table(
            "id", "limit", "buyer", "status", "limit amount", "peak", "share", "proposed", "since"
        )
        for r in rows:
            table.add_row(
                str(r.id),
                str(r.limit_id),
                str(r.buyer_id),
                r.status,
                str(Money.from_minor(r.approved_minor, r.currency)),
                str(Money.from_minor(r.peak_minor, r.currency)),
                str(r.peak_share),
                str(Money.from_minor(r.proposed_minor, r.currency)),
                r.window_start.isoformat(),
            )
    console.print(table)


@app.command("decide-proposals")
@domain_errors
def decide_proposals(
    proposal_ids: Annotated[list[int], typer.Argument(help="Proposal ids")],
    action: Annotated[str, typer.Option(help="accept or dismiss")],
    reason: Annotated[str | None, typer.Option(help="Why (needed to dismiss)")] = None,
) -> None:
    """Accept or dismiss one or many reduction proposals."""
    with unit_of_work() as session:
        out = proposals.decide_many(
            session,
            principal=system_principal(session),
            proposal_ids=proposal_ids,
            action=action,
            today=business_today(),
            reason=reason,
        )
    console.print(f"{len(out.decided)} proposals {action}ed, {len(out.skipped)} skipped")
    for proposal_id, why in out.skipped.items():
        console.print(f"  {proposal_id}: {why}")

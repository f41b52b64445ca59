"""The job kinds beyond the events export: bulk limit changes, a billing run, CSV exports.

Each kind checks its parameters when the job is accepted (:data:`CHECKS`: bad input is
refused before anything is written) and runs on a worker (:data:`RUNNERS`) with the
authority of the person or system that submitted it, as it stood then (the use cases it
calls check their permissions again).  Work is done in short transactions of its own, so
that progress shows and a worker that dies leaves only whole steps behind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tradecover import billing, limits, reporting
from tradecover.access import OrganisationKind, Permission, Principal, Role
from tradecover.config import get_settings
from tradecover.db.engine import transaction
from tradecover.jobs.model import Job
from tradecover.kit.dates import business_today
from tradecover.kit.errors import DomainError, PermissionDenied, ValidationFailed
from tradecover.kit.money import Money

Progress = Callable[[int], None]
Runner = Callable[[sessionmaker[Session], Job, Progress], dict[str, Any]]
Check = Callable[[Principal, Mapping[str, Any]], dict[str, Any]]
MOST_LIMITS = 10_000
"""The most limits one bulk change names."""


def authority(principal: Principal) -> dict[str, Any]:
    """What a job keeps of its submitter, to act for them on the worker."""
    return {
        "actor": principal.actor,
        "org_id": principal.org_id,
        "org_slug": principal.org_slug,
        "org_kind": principal.org_kind.value,
        "role": principal.role.value,
        "user_id": principal.user_id,
    }


def acting(job: Job) -> Principal:
    """The submitter of ``job`` as it stood when the job was accepted."""
    kept = job.params["as"]
    return Principal(
        actor=kept["actor"],
        org_id=kept["org_id"],
        org_slug=kept["org_slug"],
        org_kind=OrganisationKind(kept["org_kind"]),
        role=Role(kept["role"]),
        user_id=kept["user_id"],
    )


def _percent(done: int, total: int) -> int:
    return min(99, done * 100 // max(1, total))


def check_bulk_change(principal: Principal, params: Mapping[str, Any]) -> dict[str, Any]:
    """A bulk reduction or cancellation of limits (the insurer's limit managers)."""
    principal.require(Permission.LIMIT_MANAGE)
    if not principal.is_insurer:
        raise PermissionDenied("only the insurer reduces or cancels limits", code="forbidden")
    action = params.get("action")
    if action not in ("reduce", "cancel"):
        raise ValidationFailed("action is reduce or cancel", field="action")
    items = list(params.get("items") or [])
    if not 1 <= len(items) <= MOST_LIMITS:
        raise ValidationFailed(f"name 1 to {MOST_LIMITS} limits", field="items")
    checked = []
    for item in items:
        amount = item.get("amount")
        if action == "reduce":
            try:
                if amount is None or Decimal(str(amount)) <= 0:
                    raise ValueError(amount)
            except (InvalidOperation, ValueError) as error:
                raise ValidationFailed(
                    f"limit {item.get('limit_id')}: a reduction states the new amount",
                    field="items",
                ) from error
        checked.append(
            {"limit_id": int(item["limit_id"]), "amount": None if amount is None else str(amount)}
        )
    reason = str(params.get("reason") or "").strip()
    if not reason:
        raise ValidationFailed("state the reason for the change", field="reason")
    effective = params.get("effective_from")
    return {
        "action": action,
        "items": checked,
        "reason": reason[:500],
        "effective_from": None if effective is None else str(effective),
    }


def _bulk_change(factory: sessionmaker[Session], job: Job, progress: Progress) -> dict[str, Any]:
    """Reduce or cancel each named limit in a transaction of its own; a refused one is
    reported with its reason and the others go on.
    """
    params, principal = job.params, acting(job)
    kind = limits.RequestType.REDUCTION
    if params["action"] == "cancel":
        kind = limits.RequestType.CANCELLATION
    effective = params["effective_from"]
    changed: list[dict[str, Any]] = []
    refused: list[dict[str, Any]] = []
    items = params["items"]
    for done, item in enumerate(items, start=1):
        try:
            with transaction(factory) as session:
                row = limits.get_limit(session, principal=principal, limit_id=item["limit_id"])
                amount = item["amount"]
                row = limits.change_by_insurer(
                    session,
                    principal=principal,
                    limit_id=row.id,
                    kind=kind,
                    amount=None if amount is None else Money.of(Decimal(amount), row.currency),
                    reason=params["reason"],
                    today=business_today(),
                    effective_from=None if effective is None else date.fromisoformat(effective),
                )
                changed.append(
                    {
                        "limit_id": row.id,
                        "status": row.status,
                        "amount": str(Money.from_minor(row.amount_minor, row.currency).amount),
                        "currency": row.currency,
                    }
                )
        except DomainError as error:
            refused.append({"limit_id": item["limit_id"], "code": error.code, "reason": str(error)})
        progress(_percent(done, len(items)))
    return {"changed": changed, "refused": refused}


def check_billing_run(principal: Principal, params: Mapping[str, Any]) -> dict[str, Any]:
    """A month's billing run (finance)."""
    principal.require(Permission.BILLING_MANAGE)
    month = str(params.get("month") or "")
    try:
        billing.month_bounds(month)
    except (DomainError, ValueError) as error:
        raise ValidationFailed("month is YYYY-MM", field="month") from error
    issue = params.get("issue_date")
    return {"month": month, "issue_date": None if issue is None else str(issue)}


def _billing_run(factory: sessionmaker[Session], job: Job, progress: Progress) -> dict[str, Any]:
    """Bill the month (start or resume the run) and report where it stands."""
    issue = job.params["issue_date"]
    state = billing.run_month(
        factory,
        principal=acting(job),
        month=job.params["month"],
        issue_date=business_today() if issue is None else date.fromisoformat(issue),
        terms=billing.terms_of(get_settings()),
        on_progress=lambda done, pending: progress(_percent(done, pending)),
    )
    return {
        "run_id": state.run_id,
        "month": state.month.isoformat(),
        "status": state.status,
        "items": state.items,
        "pending": state.pending,
    }


def check_export(principal: Principal, params: Mapping[str, Any]) -> dict[str, Any]:
    """An export of the organisation's own records (anyone who may read them)."""
    principal.require(Permission.ORG_READ)
    return {}


def _exporter(
    read: Callable[[Session, Principal], tuple[str, int]],
) -> Runner:
    def run(factory: sessionmaker[Session], job: Job, progress: Progress) -> dict[str, Any]:
        with factory() as session:
            text, rows = read(session, acting(job))
        progress(99)
        return {"rows": rows, "csv": text}

    run.__doc__ = read.__doc__
    return run


CHECKS: dict[str, Check] = {
    "limits.bulk_change": check_bulk_change,
    "billing.run": check_billing_run,
    "limits.export": check_export,
    "declarations.export": check_export,
}
"""The parameter checks of the kinds, run when a job is accepted."""

RUNNERS: dict[str, Runner] = {
    "limits.bulk_change": _bulk_change,
    "billing.run": _billing_run,
    "limits.export": _exporter(
        lambda session, principal: reporting.limits_csv(session, principal=principal)
    ),
    "declarations.export": _exporter(
        lambda session, principal: reporting.declarations_csv(session, principal=principal)
    ),
}
"""The functions that run the kinds on a worker."""

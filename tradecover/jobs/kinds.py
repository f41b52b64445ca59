"""The job kinds beyond the events export: bulk limit changes, a billing run, CSV exports.

Each kind checks its parameters when the job is accepted (:data:`CHECKS`: bad input is
refused before anything is written) and runs on a worker (:data:`RUNNERS`) with the
authority of the person or system that submitted it, as it stood then (the use cases it
calls check their permissions again).  Work is done in short transactions of its own, so
that progress shows and a worker that dies leaves only whole steps behind.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from tradecover import billing, consents, declarations, limits, reporting, risk
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


def check_insurer_admin(principal: Principal, params: Mapping[str, Any]) -> dict[str, Any]:
    """Work the insurer's administrators start for the whole book (no parameters)."""
    principal.require(Permission.ORG_ADMIN)
    if not principal.is_insurer:
        raise PermissionDenied("only the insurer's administrators", code="forbidden")
    return {}


def check_export(principal: Principal, params: Mapping[str, Any]) -> dict[str, Any]:
    """An export of the organisation's own records (anyone who may read them)."""
    principal.require(Permission.ORG_READ)
    return {}


Export = Callable[[Session, Principal, dict[int, list[int]]], tuple[str, int]]


def _exporter(read: Export, scope: consents.Scope, purpose: consents.Purpose, table: str) -> Runner:
    """A CSV export job: the records the submitter may see (the insurer: every exporter's,
    under the contract's consent [domain CS-4]; others: their own), and the export
    logged on each exporter's chain like a read [domain CS-8].
    """

    def run(factory: sessionmaker[Session], job: Job, progress: Progress) -> dict[str, Any]:
        principal = acting(job)
        with factory() as session:
            seen: dict[int, list[int]] = {}
            text, rows = read(session, principal, seen)
            consents.record_export(
                session, principal, scope, purpose, f"job:{job.kind}", table, seen
            )
            session.commit()
        progress(99)
        return {"rows": rows, "csv": text}

    run.__doc__ = read.__doc__
    return run


def check_risk_run(principal: Principal, params: Mapping[str, Any]) -> dict[str, Any]:
    """A portfolio risk run (risk managers): the whole spec is checked by the risk rules."""
    principal.require(Permission.RISK_RUN)
    try:
        spec = risk.RunSpec.from_json(dict(params))
    except TypeError as error:
        raise ValidationFailed("unknown field in the risk run", field="spec") from error
    risk.check_spec(spec, max_obligor_scenarios=get_settings().risk_max_obligor_scenarios)
    return spec.to_json()


def _risk_run(factory: sessionmaker[Session], job: Job, progress: Progress) -> dict[str, Any]:
    """Record the risk run and execute it with the risk context's own executor; its
    progress is the job's.  A failed run fails the job with the run's error.
    """
    params = {k: v for k, v in job.params.items() if k != "as"}
    principal = acting(job)
    with transaction(factory) as session:
        run_id = risk.create_run(
            session,
            principal=principal,
            spec=risk.RunSpec.from_json(params),
            max_obligor_scenarios=get_settings().risk_max_obligor_scenarios,
        ).id
    status = risk.execute_run(
        factory, run_id, on_progress=lambda done, total: progress(_percent(done, total))
    )
    with factory() as session:
        run = risk.get_run(session, principal=principal, run_id=run_id)
        if status != "finished":
            raise RuntimeError(f"risk run {run_id} failed: {run.error_code}: {run.error_message}")
        result = run.result or {}
    base = result.get("base", {})
    return {
        "run_id": run_id,
        "status": status,
        "url": f"/api/v1/risk/runs/{run_id}",
        "expected_loss": base.get("expected_loss"),
        "value_at_risk": base.get("value_at_risk"),
        "expected_shortfall": base.get("expected_shortfall"),
    }


def check_upload(principal: Principal, params: Mapping[str, Any]) -> dict[str, Any]:
    """A declarations file too big to attach while the caller waits (its bytes are kept
    on the job, base64, until the job has run).
    """
    principal.require(Permission.DECLARATION_WRITE)
    data = str(params.get("data") or "")
    try:
        size = len(base64.b64decode(data, validate=True))
    except ValueError as error:
        raise ValidationFailed("the file is not base64", field="data") from error
    if not 0 < size <= declarations.MAX_UPLOAD_BYTES:
        raise ValidationFailed(
            f"a file of 1 to {declarations.MAX_UPLOAD_BYTES} bytes", field="file"
        )
    return {"filename": str(params.get("filename") or "upload")[:200], "data": data}


def declarations_upload(stores: Callable[[Engine], declarations.AttachmentStore]) -> Runner:
    """The runner of ``declarations.upload`` on the attachment store ``stores`` builds for
    the worker's database: the upload path of the declarations face, each row on its
    own, in one transaction with dropping the file's bytes from the job (progress is
    written after it: a second transaction meanwhile would wait on SQLite's lock).
    """

    def run(factory: sessionmaker[Session], job: Job, progress: Progress) -> dict[str, Any]:
        params, principal = job.params, acting(job)
        engine = factory.kw["bind"]
        with transaction(factory) as session:
            outcomes = declarations.attach_upload(
                session,
                principal=principal,
                org_id=principal.org_id,
                filename=params["filename"],
                data=base64.b64decode(params["data"]),
                today=business_today(),
                channel="upload",
                store=stores(engine),
            )
            report = declarations.UploadReportOut.of(params["filename"], outcomes)
            kept = {k: v for k, v in params.items() if k != "data"}
            session.execute(update(Job).where(Job.job_id == job.job_id).values(params=kept))
        return report.model_dump(mode="json")

    return run


CHECKS: dict[str, Check] = {
    "limits.bulk_change": check_bulk_change,
    "billing.run": check_billing_run,
    "limits.export": check_export,
    "declarations.export": check_export,
    "risk.run": check_risk_run,
}
"""The parameter checks of the kinds, run when a job is accepted."""

RUNNERS: dict[str, Runner] = {
    "limits.bulk_change": _bulk_change,
    "billing.run": _billing_run,
    "limits.export": _exporter(
        lambda session, principal, seen: reporting.limits_csv(
            session, principal=principal, seen=seen
        ),
        consents.Scope.BUYER_IDENTITY,
        consents.Purpose.UNDERWRITING,
        "credit_limits",
    ),
    "declarations.export": _exporter(
        lambda session, principal, seen: reporting.declarations_csv(
            session, principal=principal, seen=seen
        ),
        consents.Scope.SHIPMENT_CORE,
        consents.Purpose.COVER_ATTACHMENT,
        "declarations",
    ),
    "risk.run": _risk_run,
}
"""The functions that run the kinds on a worker."""

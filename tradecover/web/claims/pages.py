"""Dashboard pages of claims: the claims handler's queue with every check and the
start / approve / reject / pay / close actions, the recovery ledger and its form, and the
claims speed report.

Same conventions as :mod:`tradecover.web.kit`: server-rendered, in the reader's
language, signed-in people only; every read and write goes through the claims services
(the ones the API uses), which scope exporters to their own claims, so an id of another
organisation answers 404 like a missing one.  A refused form rolls its savepoint back:
nothing is written, and the page shows the problem.  The overdue invoices and the claim
form are :mod:`tradecover.web.claims.overdue_pages`.
"""

from __future__ import annotations

from decimal import InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from tradecover.access.roles import Permission
from tradecover.api.pagination import IdPath
from tradecover.api.pdf import pdf_response
from tradecover.claims import (
    RecoverySource,
    SpeedTarget,
    approve,
    claims_at_risk,
    close,
    monthly_report,
    pay,
    record_recovery,
    reject,
    start_checks,
)
from tradecover.claims import recovery_repository as recovery_reads
from tradecover.claims import service as claims
from tradecover.claims.indemnity import ClaimDefaults
from tradecover.kit.dates import business_today
from tradecover.kit.errors import DomainError, ValidationFailed
from tradecover.kit.money import Money, to_decimal
from tradecover.policies import policy_numbers_of
from tradecover.reporting import lists, names
from tradecover.web import i18n, tables
from tradecover.web.kit import (
    N_,
    SessionDep,
    Viewer,
    choose_locale,
    current_viewer,
    error_page,
    form_date,
    form_id,
    in_savepoint,
    may,
    render_page,
    to_sign_in,
)

router = APIRouter(include_in_schema=False)


def _defaults(request: Request) -> ClaimDefaults:
    """The installation's claim terms, for what a policy's own terms leave unset."""
    settings = getattr(request.app.state, "settings", None)
    return claims.DEFAULT_DEFAULTS if settings is None else claims.defaults_of(settings)


def _queue_page(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    *,
    done: str | None = None,
    problem: DomainError | None = None,
) -> Response:
    locale = choose_locale(request, viewer)
    try:
        table = tables.read_table(request, tables.CLAIMS)
        fmt = tables.export_format(request)
        if fmt is not None:
            exported = lists.CLAIMS.export(session, viewer.principal, table)
            return tables.export_response(
                tables.CLAIMS, fmt, exported, lambda batch: _claim_cells(session, batch)
            )
        found = lists.CLAIMS.page(session, viewer.principal, table)
    except DomainError as error:
        return error_page(request, locale, viewer, error.status)
    rows = found.rows
    insurer = viewer.principal.is_insurer
    context = {
        "claims": [{"claim": r, "lines": claims.lines_of(session, r.id)} for r in rows],
        "buyer_names": names.buyer_names(session, (r.buyer_id for r in rows)),
        "policy_numbers": policy_numbers_of(session, (r.policy_id for r in rows)),
        "total": found.total,
        "table": tables.view(
            request,
            tables.CLAIMS,
            table,
            found,
            empty_message=N_("No claims."),
            empty_hint=N_("A claim is filed from an overdue invoice, on the overdue page.")
            if may(viewer, Permission.CLAIM_FILE)
            else "",
        ),
        "can_decide": insurer and may(viewer, Permission.CLAIM_DECIDE),
        "can_withdraw": not insurer and may(viewer, Permission.CLAIM_FILE),
        "can_pay": insurer and may(viewer, Permission.CLAIM_PAY),
        "done": done,
        "problem": problem,
    }
    return render_page(
        request,
        locale,
        "claims/queue.html",
        context,
        viewer=viewer,
        status=problem.status if problem else 200,
    )


def _claim_cells(session: SessionDep, batch: list[Any]) -> list[tuple[Any, ...]]:
    numbers = policy_numbers_of(session, (c.policy_id for c in batch))
    buyer_names = names.buyer_names(session, (c.buyer_id for c in batch))
    return [
        (
            c.id,
            numbers.get(c.policy_id) or c.policy_id,
            buyer_names.get(c.buyer_id) or c.buyer_id,
            c.cause,
            c.filed_on,
            tables.major(c.loss_minor, c.currency),
            tables.major(c.indemnity_minor, c.currency),
            c.state,
            c.payable_from,
            c.paid_on,
            c.currency,
        )
        for c in batch
    ]


@router.get("/claims", response_model=None)
def queue_page(request: Request, session: SessionDep) -> Response:
    """Claims oldest first with every check and its outcome, and the handler's actions
    (sorted, filtered, searched and keyset-paged by the table kit; ``?format=csv`` or
    ``xlsx`` exports them).
    """
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    return _queue_page(request, session, viewer)


def _claim_action(
    request: Request, session: SessionDep, claim_id: int, action: str, reason: str = ""
) -> Response:
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    principal, today = viewer.principal, business_today()

    def work() -> None:
        if action == "start":
            start_checks(session, principal=principal, claim_id=claim_id)
        elif action == "reject":
            reject(session, principal=principal, claim_id=claim_id, reason=reason, today=today)
        elif action == "close":
            close(session, principal=principal, claim_id=claim_id, reason=reason, today=today)
        else:
            step = approve if action == "approve" else pay
            step(
                session,
                principal=principal,
                claim_id=claim_id,
                today=today,
                defaults=_defaults(request),
            )

    problem = in_savepoint(session, work)
    if problem is not None and problem.status == 404:
        return error_page(request, choose_locale(request, viewer), viewer, 404)
    return _queue_page(request, session, viewer, done=None if problem else action, problem=problem)


@router.get("/claims/{claim_id}/decision.pdf", response_model=None)
def decision_pdf(claim_id: IdPath, request: Request, session: SessionDep) -> Response:
    """A decided claim's decision letter as a PDF download, in the reader's language."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    locale = choose_locale(request, viewer)
    try:
        name, content = claims.decision_pdf_of(
            session,
            principal=viewer.principal,
            claim_id=claim_id,
            locale=locale,
            translate=i18n.translations(locale).gettext,
        )
    except DomainError as error:
        return error_page(request, locale, viewer, error.status)
    return pdf_response(name, content)


@router.post("/claims/{claim_id}/start-checks", response_model=None)
def start_form(claim_id: IdPath, request: Request, session: SessionDep) -> Response:
    """Take a claim up (``filed`` to ``checking``)."""
    return _claim_action(request, session, claim_id, "start")


@router.post("/claims/{claim_id}/approve", response_model=None)
def approve_form(claim_id: IdPath, request: Request, session: SessionDep) -> Response:
    """Approve a claim (refused while a blocking check fails; four eyes above the threshold)."""
    return _claim_action(request, session, claim_id, "approve")


@router.post("/claims/{claim_id}/reject", response_model=None)
def reject_form(
    claim_id: IdPath,
    request: Request,
    session: SessionDep,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Reject a claim with the reason the exporter reads."""
    return _claim_action(request, session, claim_id, "reject", reason)


@router.post("/claims/{claim_id}/pay", response_model=None)
def pay_form(claim_id: IdPath, request: Request, session: SessionDep) -> Response:
    """Pay an approved claim; a second payment is refused (one conditional update)."""
    return _claim_action(request, session, claim_id, "pay")


@router.post("/claims/{claim_id}/close", response_model=None)
def close_form(
    claim_id: IdPath,
    request: Request,
    session: SessionDep,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Close a claim: settle a paid one, close a rejected one, withdraw an undecided one."""
    return _claim_action(request, session, claim_id, "close", reason)


def _recoveries_page(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    *,
    done: bool = False,
    problem: DomainError | None = None,
) -> Response:
    locale = choose_locale(request, viewer)
    try:
        viewer.principal.require(Permission.CLAIM_READ)
    except DomainError as error:
        return error_page(request, locale, viewer, error.status)
    rows = recovery_reads.recovery_ledger(session, principal=viewer.principal)
    totals: dict[str, list[int]] = {}
    for recovery, _claim in rows:
        sums = totals.setdefault(recovery.currency, [0, 0, 0, 0])
        for i, value in enumerate(
            (
                recovery.gross_minor,
                recovery.costs_minor,
                recovery.insurer_minor,
                recovery.insured_minor,
            )
        ):
            sums[i] += value
    can_book = viewer.principal.is_insurer and may(viewer, Permission.CLAIM_DECIDE)
    context = {
        "rows": rows,
        "totals": totals,
        "can_book": can_book,
        "paid": recovery_reads.paid_claims(session, principal=viewer.principal) if can_book else [],
        "sources": [s.value for s in RecoverySource],
        "today": business_today(),
        "done": done,
        "problem": problem,
    }
    return render_page(
        request,
        locale,
        "claims/recoveries.html",
        context,
        viewer=viewer,
        status=problem.status if problem else 200,
    )


@router.get("/recoveries", response_model=None)
def recoveries_page(request: Request, session: SessionDep) -> Response:
    """The recovery ledger: every recovery, its costs and the insurer / insured shares."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    return _recoveries_page(request, session, viewer)


@router.post("/recoveries", response_model=None)
def recovery_form(
    request: Request,
    session: SessionDep,
    claim_id: Annotated[str, Form(max_length=20)] = "",
    source: Annotated[str, Form(max_length=24)] = "",
    gross: Annotated[str, Form(max_length=24)] = "",
    costs: Annotated[str, Form(max_length=24)] = "0",
    received_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Book a recovery on a paid claim."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)

    def work() -> None:
        claim = claims.claim_for(session, viewer.principal, form_id(claim_id, "claim_id"))
        try:
            kind = RecoverySource(source)
            gross_money = Money.of(to_decimal(gross), claim.currency)
            costs_money = Money.of(to_decimal(costs or "0"), claim.currency)
        except (ValueError, InvalidOperation):
            raise ValidationFailed(
                "please fill in every field with a valid value", code="invalid_form"
            ) from None
        record_recovery(
            session,
            principal=viewer.principal,
            claim_id=claim.id,
            source=kind,
            gross=gross_money,
            costs=costs_money,
            received_on=form_date(received_on, "received_on"),
        )

    problem = in_savepoint(session, work)
    return _recoveries_page(request, session, viewer, done=problem is None, problem=problem)


@router.get("/claims-speed", response_model=None)
def speed_page(
    request: Request,
    session: SessionDep,
    decision_days: Annotated[int, Query(ge=1, le=3650)] = 60,
    payment_days: Annotated[int, Query(ge=1, le=3650)] = 10,
    warn_days: Annotated[int, Query(ge=0, le=3650)] = 7,
) -> Response:
    """Claim speed per month against the insurer's target, and the claims about to miss it."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    locale = choose_locale(request, viewer)
    try:
        timelines = claims.timelines(session, principal=viewer.principal)
    except DomainError as error:
        return error_page(request, locale, viewer, error.status)
    target = SpeedTarget(
        decision_days=decision_days, payment_days=payment_days, warn_days=warn_days
    )
    return render_page(
        request,
        locale,
        "claims/speed.html",
        {
            "target": target,
            "months": monthly_report(timelines, target),
            "at_risk": claims_at_risk(timelines, target, today=business_today()),
        },
        viewer=viewer,
    )

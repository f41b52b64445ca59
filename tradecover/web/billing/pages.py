"""Dashboard pages of billing: the notice list, a notice with its split, and its print view.

Same conventions as :mod:`tradecover.web.kit`: server-rendered, in the reader's language,
signed-in people only; every read goes through the billing service, which scopes
exporters to their own notices (another exporter's notice renders the same 404 page).
The print view is a standalone HTML document with print CSS: the printable notice; the
PDF is the same notice as a file, in the reader's language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tradecover import billing
from tradecover.access import Permission
from tradecover.api.pdf import pdf_response
from tradecover.billing import service
from tradecover.billing.document import notice_document, notice_reference
from tradecover.kit.dates import business_today
from tradecover.kit.errors import DomainError
from tradecover.kit.money import Money
from tradecover.policies import policy_numbers_of
from tradecover.reporting import lists
from tradecover.web import i18n, tables
from tradecover.web.billing import payment_form
from tradecover.web.kit import (
    N_,
    SessionDep,
    Viewer,
    choose_locale,
    current_viewer,
    error_page,
    may,
    render_page,
    to_sign_in,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(include_in_schema=False)


@router.get("/billing", response_model=None)
def notices_page(request: Request, session: SessionDep) -> Response:
    """Premium notices the viewer may see, newest month first (sorted, filtered, searched
    and keyset-paged by the table kit; ``?format=csv`` or ``xlsx`` exports them).
    """
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    locale = choose_locale(request, viewer)
    try:
        table = tables.read_table(request, tables.NOTICES)
        fmt = tables.export_format(request)
        if fmt is not None:
            rows = lists.NOTICES.export(session, viewer.principal, table)
            return tables.export_response(
                tables.NOTICES, fmt, rows, lambda batch: _notice_cells(session, batch)
            )
        found = lists.NOTICES.page(session, viewer.principal, table)
    except DomainError as error:
        return error_page(request, locale, viewer, error.status)
    return render_page(
        request,
        locale,
        "billing/notices.html",
        {
            "notices": found.rows,
            "total": found.total,
            "policy_numbers": policy_numbers_of(session, (n.policy_id for n in found.rows)),
            "table": tables.view(
                request,
                tables.NOTICES,
                table,
                found,
                empty_message=N_("No premium notices yet."),
                empty_hint=N_("Notices are issued by the monthly billing run."),
            ),
        },
        viewer=viewer,
    )


def _notice_cells(session: SessionDep, batch: list[Any]) -> list[tuple[Any, ...]]:
    numbers = policy_numbers_of(session, (n.policy_id for n in batch))
    return [
        (
            n.id,
            n.month,
            numbers.get(n.policy_id) or n.policy_id,
            n.due_date,
            tables.major(n.total_minor, n.currency),
            tables.major(n.exporter_owed_minor, n.currency),
            tables.major(n.total_minor - n.exporter_owed_minor, n.currency),
            tables.major(n.exporter_paid_minor, n.currency),
            n.currency,
        )
        for n in batch
    ]


def _notice(request: Request, session: SessionDep, notice_id: int, template: str) -> Response:
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    if template == "billing/notice.html":
        return render_notice(request, session, viewer, notice_id)
    locale = choose_locale(request, viewer)
    try:
        view = service.get_notice(session, principal=viewer.principal, notice_id=notice_id)
    except DomainError as error:
        return error_page(request, locale, viewer, error.status)
    return render_page(request, locale, template, {"doc": notice_document(view)}, viewer=viewer)


def _reference(session: Session, viewer: Viewer, notice_id: int) -> str:
    notice = service.get_notice(session, principal=viewer.principal, notice_id=notice_id).notice
    return notice_reference(notice.id, notice.month)


def render_notice(
    request: Request,
    session: Session,
    viewer: Viewer,
    notice_id: int,
    *,
    payment_id: int | None = None,
    problem: DomainError | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    """The notice page; for finance with its payment form, after a payment (``payment_id``,
    with how it was applied) or with the problem the form met.
    """
    locale = choose_locale(request, viewer)
    try:
        view = service.get_notice(session, principal=viewer.principal, notice_id=notice_id)
    except DomainError as error:
        return error_page(request, locale, viewer, error.status)
    if problem is not None and problem.status in (403, 404):
        return error_page(request, locale, viewer, problem.status)
    notice = view.notice
    payers = [
        {
            "value": f"{billing.PAYER_EXPORTER}:{notice.exporter_org_id}",
            "name": view.exporter_name,
            "outstanding": view.money(notice.exporter_owed_minor - notice.exporter_paid_minor),
        }
    ] + [
        {
            "value": f"{billing.PAYER_PROGRAMME}:{s.programme_id}",
            "name": s.programme_name,
            "outstanding": Money.from_minor(
                s.granted.minor_units() - s.paid.minor_units(), notice.currency
            ),
        }
        for s in view.splits
        if s.granted.minor_units() > 0
    ]
    applied = (
        [
            {
                "notice_id": a.notice_id,
                "reference": _reference(session, viewer, a.notice_id),
                "amount": view.money(a.amount_minor),
            }
            for a in billing.allocations_of(session, payment_id)
        ]
        if payment_id is not None
        else []
    )
    return render_page(
        request,
        locale,
        "billing/notice.html",
        {
            "doc": notice_document(view),
            "can_record_payment": viewer.principal.is_insurer
            and may(viewer, Permission.BILLING_MANAGE),
            "payers": payers,
            "form_key": payment_form.new_form_key(),
            "payment_id": payment_id,
            "applied": applied,
            "problem": problem,
            "typed": typed or {},
            "today": business_today(),
        },
        viewer=viewer,
        status=problem.status if problem else 200,
    )


@router.get("/billing/notices/{notice_id}", response_model=None)
def notice_page(notice_id: int, request: Request, session: SessionDep) -> Response:
    """One notice: its declarations and the exporter/programme split."""
    if not 1 <= notice_id <= 2**63 - 1:
        return error_page(request, choose_locale(request, None), None, 404)
    return _notice(request, session, notice_id, "billing/notice.html")


@router.get("/billing/notices/{notice_id}/print", response_model=None)
def notice_print(notice_id: int, request: Request, session: SessionDep) -> Response:
    """The printable premium notice (HTML with print CSS)."""
    if not 1 <= notice_id <= 2**63 - 1:
        return error_page(request, choose_locale(request, None), None, 404)
    return _notice(request, session, notice_id, "billing/notice_print.html")


@router.get("/billing/notices/{notice_id}/pdf", response_model=None)
def notice_pdf(notice_id: int, request: Request, session: SessionDep) -> Response:
    """The premium notice as a PDF download, in the reader's language."""
    if not 1 <= notice_id <= 2**63 - 1:
        return error_page(request, choose_locale(request, None), None, 404)
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    locale = choose_locale(request, viewer)
    try:
        name, content = service.notice_pdf_of(
            session,
            principal=viewer.principal,
            notice_id=notice_id,
            locale=locale,
            translate=i18n.translations(locale).gettext,
        )
    except DomainError as error:
        return error_page(request, locale, viewer, error.status)
    return pdf_response(name, content)


router.include_router(payment_form.router)

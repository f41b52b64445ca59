"""Dashboard pages of billing: the notice list, a notice with its split, and its print view.

Same conventions as :mod:`tradecover.web.kit`: server-rendered, in the reader's language,
signed-in people only; every read goes through the billing service, which scopes
exporters to their own notices (another exporter's notice renders the same 404 page).
The print view is a standalone HTML document with print CSS: the printable notice; the
PDF is the same notice as a file, in the reader's language.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tradecover.api.pdf import pdf_response
from tradecover.billing import service
from tradecover.billing.document import notice_document
from tradecover.kit.errors import DomainError
from tradecover.policies import policy_numbers_of
from tradecover.reporting import lists
from tradecover.web import i18n, tables
from tradecover.web.kit import (
    N_,
    SessionDep,
    choose_locale,
    current_viewer,
    error_page,
    render_page,
    to_sign_in,
)

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
    locale = choose_locale(request, viewer)
    try:
        view = service.get_notice(session, principal=viewer.principal, notice_id=notice_id)
    except DomainError as error:
        return error_page(request, locale, viewer, error.status)
    return render_page(request, locale, template, {"doc": notice_document(view)}, viewer=viewer)


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

"""Dashboard pages of declarations: the list with a form to declare one shipment, and the
upload page with its row report.

Same conventions as :mod:`tradecover.web.kit`: server-rendered, in the reader's
language, signed-in people only; every read and write goes through the attachment
service (the one every channel uses), which scopes exporters to their own policies.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from tradecover.access.roles import PERMISSIONS, Permission
from tradecover.declarations import TransportMode, service, upload
from tradecover.declarations.attachment.repository import AttachmentStore
from tradecover.declarations.schemas import UploadReportOut
from tradecover.kit.dates import business_today
from tradecover.kit.errors import DomainError
from tradecover.policies import policy_numbers_of
from tradecover.policies import service as policies
from tradecover.reference import PaymentTerms
from tradecover.reporting import homes, lists, names
from tradecover.web import tables
from tradecover.web.declarations import form as form_rules
from tradecover.web.kit import (
    N_,
    SessionDep,
    Viewer,
    choose_locale,
    current_viewer,
    error_page,
    render_page,
    to_sign_in,
)

router = APIRouter(include_in_schema=False)


def attachment_store(request: Request) -> AttachmentStore:
    """The attachment store the app chose at start-up for its database."""
    store: AttachmentStore = request.app.state.attachment_store
    return store


def _can_declare(viewer: Viewer) -> bool:
    return (
        not viewer.principal.is_insurer
        and Permission.DECLARATION_WRITE in PERMISSIONS[viewer.principal.role]
    )


def _declarable(session: SessionDep, viewer: Viewer) -> list[homes.BuyerCover]:
    """The exporter's limits in force, the buyers its form offers, by name."""
    if not _can_declare(viewer):
        return []
    return sorted(
        homes.buyer_cover(session, org_id=viewer.principal.org_id, limit=1000),
        key=lambda b: (b.buyer_name.lower(), b.policy_id),
    )


def _list_context(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    buyers: list[homes.BuyerCover] | None = None,
) -> dict[str, Any]:
    table = tables.read_table(request, tables.DECLARATIONS)
    found = lists.DECLARATIONS.page(session, viewer.principal, table)
    rows = found.rows
    own_policies = (
        policies.list_policies(session, principal=viewer.principal)[0]
        if _can_declare(viewer)
        else []
    )
    if buyers is None:
        buyers = _declarable(session, viewer)
    return {
        "declarations": rows,
        "policy_numbers": policy_numbers_of(session, (d.policy_id for d in rows)),
        "buyer_names": names.buyer_names(session, (d.buyer_id for d in rows)),
        "total": found.total,
        "table": tables.view(
            request,
            tables.DECLARATIONS,
            table,
            found,
            empty_message=N_("No declarations yet."),
            empty_hint=N_("Declare a shipment with the form above, or upload a file of shipments.")
            if _can_declare(viewer)
            else "",
        ),
        "can_declare": _can_declare(viewer),
        "policies": own_policies,
        "buyers": buyers,
        "terms": [t.value for t in PaymentTerms],
        "modes": [m.value for m in TransportMode],
        "today": business_today().isoformat(),
        "created": None,
        "preview": None,
        "problem": None,
        "form": {},
    }


def _export(request: Request, session: SessionDep, viewer: Viewer, fmt: str) -> Response:
    """The filtered declarations as CSV or XLSX (every column, names beside ids)."""
    table = tables.read_table(request, tables.DECLARATIONS)

    def values(batch: list[Any]) -> list[tuple[Any, ...]]:
        numbers = policy_numbers_of(session, (d.policy_id for d in batch))
        buyer_names = names.buyer_names(session, (d.buyer_id for d in batch))
        return [
            (
                d.id,
                numbers.get(d.policy_id) or d.policy_id,
                buyer_names.get(d.buyer_id) or d.buyer_id,
                d.invoice_number,
                d.shipment_date,
                tables.major(d.invoice_minor, d.currency),
                tables.major(d.covered_minor, d.currency),
                d.cover_status,
                tables.major(d.premium_minor, d.currency),
                d.status,
                d.currency,
                d.due_date,
            )
            for d in batch
        ]

    rows = lists.DECLARATIONS.export(session, viewer.principal, table)
    return tables.export_response(tables.DECLARATIONS, fmt, rows, values)


@router.get("/declarations", response_model=None)
def declarations_page(request: Request, session: SessionDep) -> Response:
    """The declarations the viewer may see (sorted, filtered, searched and keyset-paged
    by the table kit; ``?format=csv`` or ``xlsx`` exports them) and the form to declare one.
    """
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    locale = choose_locale(request, viewer)
    try:
        fmt = tables.export_format(request)
        if fmt is not None:
            return _export(request, session, viewer, fmt)
        context = _list_context(request, session, viewer)
    except DomainError as error:
        return error_page(request, locale, viewer, error.status)
    return render_page(request, locale, "declarations/list.html", context, viewer=viewer)


@router.post("/declarations", response_model=None)
def declare(
    request: Request,
    session: SessionDep,
    policy_id: Annotated[str, Form(max_length=20)] = "",
    buyer_id: Annotated[str, Form(max_length=20)] = "",
    payment_terms: Annotated[str, Form(max_length=8)] = "",
    transport_mode: Annotated[str, Form(max_length=16)] = "",
    shipment_date: Annotated[str, Form(max_length=10)] = "",
    due_date: Annotated[str, Form(max_length=10)] = "",
    goods_description: Annotated[str, Form(max_length=500)] = "",
    hs_code: Annotated[str, Form(max_length=16)] = "",
    invoice_number: Annotated[str, Form(max_length=64)] = "",
    currency: Annotated[str, Form(max_length=3)] = "",
    invoice_amount: Annotated[str, Form(max_length=24)] = "",
    prepayment: Annotated[str, Form(max_length=24)] = "0",
    intent: Annotated[str, Form(max_length=16)] = "declare",
) -> Response:
    """Declare one shipment through the attachment service and show its cover or the
    problem; with ``intent=preview``, show the cover and premium it would get and record
    nothing (the attachment runs in a savepoint that is rolled back).
    """
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    locale = choose_locale(request, viewer)
    form = {
        "policy_id": policy_id,
        "buyer_id": buyer_id,
        "payment_terms": payment_terms,
        "transport_mode": transport_mode,
        "shipment_date": shipment_date,
        "due_date": due_date,
        "goods_description": goods_description,
        "hs_code": hs_code,
        "invoice_number": invoice_number,
        "currency": currency,
        "invoice_amount": invoice_amount,
        "prepayment": prepayment,
    }
    created = preview = problem = None
    status = 200
    buyers = _declarable(session, viewer)
    savepoint = session.begin_nested()
    try:
        outcome = service.attach(
            session,
            principal=viewer.principal,
            channel="web",
            shipment=form_rules.shipment_of(viewer.principal.org_id, form, buyers),
            today=business_today(),
            store=attachment_store(request),
        )
        if intent == "preview":
            savepoint.rollback()
            preview = outcome
        else:
            savepoint.commit()
            created = outcome
    except DomainError as error:
        savepoint.rollback()
        problem, status = error, error.status
    # nothing written unless declared: the limits read before still hold their amounts
    context = _list_context(request, session, viewer, None if created else buyers)
    context.update(created=created, preview=preview, problem=problem, form={} if created else form)
    return render_page(
        request, locale, "declarations/list.html", context, viewer=viewer, status=status
    )


@router.get("/declarations/upload", response_model=None)
def upload_page(request: Request, session: SessionDep) -> Response:
    """The upload form (CSV or XLSX)."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    return render_page(
        request,
        choose_locale(request, viewer),
        "declarations/upload.html",
        {"report": None, "problem": None, "columns": upload.COLUMNS},
        viewer=viewer,
    )


@router.post("/declarations/upload", response_model=None)
def upload_file(
    request: Request, session: SessionDep, file: Annotated[UploadFile, File()]
) -> Response:
    """Attach every row of the file and show the row report."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    locale = choose_locale(request, viewer)
    report: UploadReportOut | None = None
    problem: DomainError | None = None
    try:
        viewer.principal.require(Permission.DECLARATION_WRITE)
        name = file.filename or "upload"
        report = UploadReportOut.of(
            name,
            service.attach_upload(
                session,
                principal=viewer.principal,
                org_id=viewer.principal.org_id,
                filename=name,
                data=file.file.read(upload.MAX_UPLOAD_BYTES + 1),
                today=business_today(),
                channel="upload",
                store=attachment_store(request),
            ),
        )
    except DomainError as error:
        problem = error
    return render_page(
        request,
        locale,
        "declarations/upload.html",
        {"report": report, "problem": problem, "columns": upload.COLUMNS},
        viewer=viewer,
        status=problem.status if problem else 200,
    )


def _pct(value: object) -> Decimal | None:
    """A stored rate (a fraction as text) in percent, e.g. ``"0.000935"`` -> ``0.0935``."""
    try:
        return (Decimal(str(value)) * 100).normalize()
    except (InvalidOperation, ValueError):
        return None


@router.get("/declarations/{declaration_id}", response_model=None)
def declaration_page(declaration_id: int, request: Request, session: SessionDep) -> Response:
    """One declaration: its cover, its premium and how its rate was reached."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    locale = choose_locale(request, viewer)
    try:
        row = service.get_declaration(
            session, principal=viewer.principal, declaration_id=declaration_id
        )
    except DomainError as error:
        return error_page(request, locale, viewer, error.status)
    explanation = row.rate_explanation if isinstance(row.rate_explanation, dict) else None
    percents = (
        {
            key: _pct(explanation.get(key))
            for key in ("base_rate", "rate_before_bounds", "floor", "cap", "final_rate")
        }
        if explanation
        else {}
    )
    return render_page(
        request,
        locale,
        "declarations/detail.html",
        {"d": row, "explanation": explanation, "percents": percents, "rate_pct": _pct(row.rate)},
        viewer=viewer,
    )

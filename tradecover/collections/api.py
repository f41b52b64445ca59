"""HTTP routes of collections and overdue: confirmations, the overdue list, notices.

The organisation always comes from the credential; a declaration of another
organisation answers 404 exactly like a missing one.  One transaction per request.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.api.pagination import IdPath, Page, PageDep
from tradecover.collections import service
from tradecover.collections.overdue import Instalment
from tradecover.collections.schemas import (
    ArrangementIn,
    ArrangementOut,
    ConfirmationIn,
    ConfirmationOut,
    DecisionIn,
    FrozenBuyerOut,
    NoticeIn,
    NoticeOut,
    NotificationOut,
    OverdueOut,
    UploadReportOut,
)
from tradecover.declarations import MAX_UPLOAD_BYTES
from tradecover.kit.dates import business_today
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money, to_decimal

router = APIRouter(prefix="/api/v1", tags=["collections"])


@router.post(
    "/collections/confirmations",
    status_code=201,
    response_model=ConfirmationOut,
    summary="Confirm what a buyer paid on a declared invoice (exporter)",
)
def post_confirmation(
    body: ConfirmationIn, session: SessionDep, principal: PrincipalDep
) -> ConfirmationOut:
    """Paid in full, in part or unpaid; a payment frees the credit limit."""
    amount = None
    if body.amount is not None:
        if body.currency is None:
            raise ValidationFailed(
                "an amount needs its currency", code="currency_required", field="currency"
            )
        amount = Money.of(to_decimal(body.amount), body.currency)
    row = service.confirm_collection(
        session,
        principal=principal,
        declaration_id=body.declaration_id,
        outcome=body.outcome,
        amount=amount,
        paid_on=body.paid_on,
        today=business_today(),
    )
    return ConfirmationOut.of(row)


@router.post(
    "/collections/uploads",
    response_model=UploadReportOut,
    summary="Confirm collections by CSV or XLSX upload: a row-level report",
)
def upload_confirmations(
    session: SessionDep,
    principal: PrincipalDep,
    file: Annotated[
        UploadFile,
        File(
            description=(
                "CSV or XLSX with a header row: invoice_number, buyer_id, amount_paid, paid_on"
            )
        ),
    ],
) -> UploadReportOut:
    """Each row is confirmed on its own; a refused row writes nothing and stops nothing."""
    name = file.filename or "upload"
    return UploadReportOut.of(
        name,
        service.confirm_upload(
            session,
            principal=principal,
            filename=name,
            data=file.file.read(MAX_UPLOAD_BYTES + 1),
            today=business_today(),
        ),
    )


@router.get("/overdue", response_model=Page[OverdueOut], summary="Invoices past due")
def get_overdue(
    session: SessionDep, principal: PrincipalDep, page: PageDep, today: date | None = None
) -> Page[OverdueOut]:
    """Open declared invoices past due with their notice deadline (exporters: their own)."""
    items = service.overdue_list(session, principal=principal, today=today or business_today())
    return Page[OverdueOut](
        items=[OverdueOut.of(i) for i in items[page.offset : page.offset + page.limit]],
        total=len(items),
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/overdue/frozen-buyers",
    response_model=list[FrozenBuyerOut],
    summary="Buyers frozen by a notice of possible loss, with their limits on watch",
)
def get_frozen_buyers(session: SessionDep, principal: PrincipalDep) -> list[FrozenBuyerOut]:
    """Further shipments to them are not covered until every notice is withdrawn."""
    return [FrozenBuyerOut.of(f) for f in service.frozen_buyers(session, principal=principal)]


@router.get(
    "/overdue/extensions",
    response_model=list[ArrangementOut],
    summary="Extension and repayment plan requests (exporters: their own)",
)
def get_extensions(
    session: SessionDep, principal: PrincipalDep, pending: bool = False
) -> list[ArrangementOut]:
    """Oldest first; ``pending`` keeps those waiting for the insurer."""
    return [
        ArrangementOut.of(a)
        for a in service.arrangements(session, principal=principal, pending_only=pending)
    ]


@router.post(
    "/overdue/notices",
    status_code=201,
    response_model=NoticeOut,
    summary="File a notice of possible loss (exporter)",
)
def post_notice(body: NoticeIn, session: SessionDep, principal: PrincipalDep) -> NoticeOut:
    """Records the notice; the buyer is frozen for further shipments."""
    return NoticeOut.of(
        service.file_notice(
            session,
            principal=principal,
            declaration_id=body.declaration_id,
            cause=body.cause,
            today=business_today(),
        )
    )


@router.post(
    "/overdue/extensions",
    status_code=201,
    response_model=ArrangementOut,
    summary="Ask to extend a due date or agree a repayment plan (exporter)",
)
def post_extension(
    body: ArrangementIn, session: SessionDep, principal: PrincipalDep
) -> ArrangementOut:
    """The insurer approves or refuses; an approval moves the deadlines."""
    if body.instalments and body.currency is None:
        raise ValidationFailed(
            "instalments need their currency", code="currency_required", field="currency"
        )
    instalments = tuple(
        Instalment(due_on=i.due_on, amount=Money.of(to_decimal(i.amount), body.currency or ""))
        for i in body.instalments
    )
    return ArrangementOut.of(
        service.request_extension(
            session,
            principal=principal,
            declaration_id=body.declaration_id,
            kind=body.kind,
            today=business_today(),
            new_due_date=body.new_due_date,
            instalments=instalments,
        )
    )


@router.post(
    "/overdue/extensions/{arrangement_id}/approve",
    response_model=ArrangementOut,
    summary="Approve an extension or a repayment plan (insurer)",
)
def post_extension_approve(
    arrangement_id: IdPath, body: DecisionIn, session: SessionDep, principal: PrincipalDep
) -> ArrangementOut:
    """The invoice's due date and notice deadline move."""
    return ArrangementOut.of(
        service.decide_extension(
            session,
            principal=principal,
            arrangement_id=arrangement_id,
            approve=True,
            reason=body.reason,
            today=business_today(),
        )
    )


@router.post(
    "/overdue/extensions/{arrangement_id}/refuse",
    response_model=ArrangementOut,
    summary="Refuse an extension or a repayment plan (insurer; with a reason)",
)
def post_extension_refuse(
    arrangement_id: IdPath, body: DecisionIn, session: SessionDep, principal: PrincipalDep
) -> ArrangementOut:
    """The due date stays."""
    return ArrangementOut.of(
        service.decide_extension(
            session,
            principal=principal,
            arrangement_id=arrangement_id,
            approve=False,
            reason=body.reason,
            today=business_today(),
        )
    )


@router.get(
    "/notifications",
    response_model=Page[NotificationOut],
    summary="Reminders and chasers sent to the exporter (newest first)",
)
def get_notifications(
    session: SessionDep, principal: PrincipalDep, page: PageDep, unread: bool = False
) -> Page[NotificationOut]:
    """Notice reminders before the deadline and chasers of unconfirmed collections."""
    rows, total = service.notifications(
        session, principal=principal, unread_only=unread, limit=page.limit, offset=page.offset
    )
    return Page[NotificationOut](
        items=[NotificationOut.of(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "/notifications/{exporter_notification_id}/read",
    response_model=NotificationOut,
    summary="Mark a notification read (exporter)",
)
def post_notification_read(
    exporter_notification_id: IdPath, session: SessionDep, principal: PrincipalDep
) -> NotificationOut:
    """Once; a repeat changes nothing."""
    # not ``notification_id``: that parameter names the limit notifications
    return NotificationOut.of(
        service.mark_read(session, principal=principal, notification_id=exporter_notification_id)
    )

"""HTTP routes of collections and overdue: confirmations, the overdue list, notices.

The organisation always comes from the credential; a declaration of another
organisation answers 404 exactly like a missing one.  One transaction per request.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.api.pagination import Page, PageDep
from tradecover.collections import service
from tradecover.collections.schemas import (
    ConfirmationIn,
    ConfirmationOut,
    NoticeIn,
    NoticeOut,
    OverdueOut,
)
from tradecover.kit.dates import business_today
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money, to_decimal

router = APIRouter(prefix="/api/v1", tags=["collections"])


@router.post("/collections/confirmations", status_code=201, response_model=ConfirmationOut,
             summary="Confirm what a buyer paid on a declared invoice (exporter)")
def post_confirmation(body: ConfirmationIn, session: SessionDep,
                      principal: PrincipalDep) -> ConfirmationOut:
    """Paid in full, in part or unpaid; a payment frees the credit limit."""
    amount = None
    if body.amount is not None:
        if body.currency is None:
            raise ValidationFailed("an amount needs its currency", code="currency_required",
                                   field="currency")
        amount = Money.of(to_decimal(body.amount), body.currency)
    row = service.confirm_collection(session, principal=principal,
                                     declaration_id=body.declaration_id, outcome=body.outcome,
                                     amount=amount, paid_on=body.paid_on,
                                     today=business_today())
    return ConfirmationOut.of(row)


@router.get("/overdue", response_model=Page[OverdueOut], summary="Invoices past due")
def get_overdue(session: SessionDep, principal: PrincipalDep, page: PageDep,
                today: date | None = None) -> Page[OverdueOut]:
    """Open declared invoices past due with their notice deadline (exporters: their own)."""
    items = service.overdue_list(session, principal=principal, today=today or business_today())
    return Page[OverdueOut](items=[OverdueOut.of(i) for i in
                                   items[page.offset:page.offset + page.limit]],
                            total=len(items), limit=page.limit, offset=page.offset)


@router.post("/overdue/notices", status_code=201, response_model=NoticeOut,
             summary="File a notice of possible loss (exporter)")
def post_notice(body: NoticeIn, session: SessionDep, principal: PrincipalDep) -> NoticeOut:
    """Records the notice; the buyer is frozen for further shipments."""
    return NoticeOut.of(service.file_notice(session, principal=principal,
                                            declaration_id=body.declaration_id,
                                            cause=body.cause, today=business_today()))

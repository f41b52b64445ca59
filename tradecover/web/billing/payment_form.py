"""Finance records a payment from the notice page, where the notice is read.

The form names the payer the notice shows (its exporter, or a programme of its subsidy
split), the amount (the payer's outstanding part by default), the day it was received and
the bank reference.  The payment is recorded and applied by the billing use case
(:func:`tradecover.billing.record_payment`: to the payer's open notices, oldest due date
first [domain D-11]), in a savepoint of the request's transaction; a refusal shows the
page again with the field and a 4xx status, and nothing is written.  Each rendered form
carries a one-time key, so a form sent twice (a double click, a reload) records one
payment: the second answer replays the first (the API's Idempotency-Key protocol).
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from tradecover import billing, idempotency
from tradecover.api.pagination import IdPath
from tradecover.kit.errors import DomainError, ValidationFailed
from tradecover.kit.money import Money, to_decimal
from tradecover.web.forms import form_date, in_savepoint
from tradecover.web.kit import SessionDep, current_viewer, to_sign_in

router = APIRouter(include_in_schema=False)


def new_form_key() -> str:
    """A fresh one-time key for a payment form."""
    return secrets.token_hex(16)


@router.post("/billing/notices/{notice_id}/payments", response_model=None)
def record_payment_form(
    notice_id: IdPath,
    request: Request,
    session: SessionDep,
    payer: Annotated[str, Form(max_length=40)] = "",
    amount: Annotated[str, Form(max_length=40)] = "",
    received_on: Annotated[str, Form(max_length=10)] = "",
    reference: Annotated[str, Form(max_length=200)] = "",
    form_key: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Record a payment of the notice's exporter or programme and show the notice again."""
    from tradecover.web.billing.pages import render_notice

    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    principal = viewer.principal
    recorded: list[int] = []

    def work() -> None:
        view = billing.get_notice(session, principal=principal, notice_id=notice_id)
        kind, _, raw_id = payer.partition(":")
        if kind not in (billing.PAYER_EXPORTER, billing.PAYER_PROGRAMME) or not raw_id.isdigit():
            raise ValidationFailed("please choose who paid", code="invalid_form", field="payer")
        payer_id = int(raw_id)
        allowed = (
            {view.notice.exporter_org_id}
            if kind == billing.PAYER_EXPORTER
            else {s.programme_id for s in view.splits}
        )
        if payer_id not in allowed:
            raise ValidationFailed(
                "the payer is not a payer of this notice", code="invalid_form", field="payer"
            )
        try:
            money = Money.of(to_decimal(amount.strip().replace(",", "")), view.notice.currency)
        except (ValueError, DomainError):
            raise ValidationFailed(
                "please give the amount as a number", code="invalid_form", field="amount"
            ) from None
        day = form_date(received_on.strip(), "received_on")
        if len(form_key) != 32 or not all(c in "0123456789abcdef" for c in form_key):
            raise ValidationFailed("the form has expired", code="invalid_form", field="form_key")
        body = {"payer": payer, "amount": str(money.amount), "on": str(day), "ref": reference}
        held = idempotency.HeldKey(
            principal.org_id,
            f"web-payment:{form_key}",
            idempotency.fingerprint(method="POST", path=request.url.path, body=body),
        )

        def effect() -> int:
            payment = billing.record_payment(
                session,
                principal=principal,
                payer_kind=kind,
                payer_id=payer_id,
                amount=money,
                received_on=day,
                reference=reference,
            )
            return int(payment.id)

        answer = idempotency.answer_once(session, held, status_code=201, effect=effect)
        recorded.append(int(answer.body))

    problem = in_savepoint(session, work)
    return render_notice(
        request,
        session,
        viewer,
        notice_id,
        payment_id=recorded[0] if recorded else None,
        problem=problem,
        typed={"amount": amount, "received_on": received_on, "reference": reference},
    )

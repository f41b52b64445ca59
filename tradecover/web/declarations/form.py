"""The declare-a-shipment form: the buyer picked by name, terms from its limit, a preview.

The exporter picks the buyer among those it holds a limit on (by name, with the limit's
payment terms and credit period).  Left blank, the payment terms are the ones agreed on the
buyer's limit under the chosen policy and the due date is the shipment date plus the
limit's credit period, so that the form never records a shipment on terms the limit does
not cover by default.  Each field that cannot be read is named in the problem.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from tradecover.declarations import Shipment, TransportMode
from tradecover.kit.errors import ValidationFailed
from tradecover.reference import PaymentTerms
from tradecover.reporting.homes import BuyerCover

FIELDS = (
    "policy_id",
    "buyer_id",
    "payment_terms",
    "transport_mode",
    "shipment_date",
    "due_date",
    "goods_description",
    "hs_code",
    "invoice_number",
    "currency",
    "invoice_amount",
    "prepayment",
)
"""The form's fields, in the order a problem names the first one wrong."""

OPTIONAL = frozenset({"payment_terms", "due_date", "prepayment"})
"""Fields that may be left blank: they take their defaults."""


def _int(value: str, field: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise _wrong(field) from None


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _wrong(field) from None


def _amount(value: str, field: str) -> Decimal:
    try:
        amount = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise _wrong(field) from None
    if not amount.is_finite():
        raise _wrong(field)
    return amount


def _wrong(field: str) -> ValidationFailed:
    return ValidationFailed(f"{field} is not a valid value", code="invalid_form", field=field)


def limit_of(buyers: Sequence[BuyerCover], *, policy_id: int, buyer_id: int) -> BuyerCover | None:
    """The exporter's limit on ``buyer_id`` under ``policy_id``, if it holds one."""
    return next((b for b in buyers if b.policy_id == policy_id and b.buyer_id == buyer_id), None)


def shipment_of(org_id: int, form: Mapping[str, str], buyers: Sequence[BuyerCover]) -> Shipment:
    """The shipment the form describes, blanks filled from the buyer's limit."""
    for field in FIELDS:
        if field not in OPTIONAL and not form.get(field, "").strip():
            raise ValidationFailed(f"{field} is required", code="required", field=field)
    policy_id = _int(form["policy_id"], "policy_id")
    buyer_id = _int(form["buyer_id"], "buyer_id")
    limit = limit_of(buyers, policy_id=policy_id, buyer_id=buyer_id)
    shipped = _date(form["shipment_date"], "shipment_date")
    terms_text = form.get("payment_terms", "").strip()
    if not terms_text:
        if limit is None:
            raise ValidationFailed(
                "choose the payment terms: no limit on this buyer under this policy",
                code="required",
                field="payment_terms",
            )
        terms_text = limit.payment_terms
    if terms_text not in set(PaymentTerms):
        raise _wrong("payment_terms")
    if form["transport_mode"] not in set(TransportMode):
        raise _wrong("transport_mode")
    terms, mode = PaymentTerms(terms_text), TransportMode(form["transport_mode"])
    due_text = form.get("due_date", "").strip()
    if due_text:
        due = _date(due_text, "due_date")
    elif limit is not None:
        due = shipped + timedelta(days=limit.credit_period_days)
    else:
        raise ValidationFailed("due_date is required", code="required", field="due_date")
    return Shipment(
        insured_org_id=org_id,
        policy_id=policy_id,
        buyer_id=buyer_id,
        payment_terms=terms,
        transport_mode=mode,
        shipment_date=shipped,
        due_date=due,
        goods_description=form["goods_description"],
        hs_code=form["hs_code"],
        invoice_number=form["invoice_number"],
        currency=form["currency"].strip().upper(),
        invoice_amount=_amount(form["invoice_amount"], "invoice_amount"),
        prepayment=_amount(form.get("prepayment", "").strip() or "0", "prepayment"),
    )

"""Collection confirmations by upload: a CSV or XLSX file, one row per payment (pure).

The first row names the columns (:data:`COLUMNS`, any order, case-insensitive): the
invoice number and the buyer id name the declared invoice; ``amount_paid`` is in the
invoice's currency (0 confirms it as unpaid); ``paid_on`` is the date the money came in.
A row that cannot be read is rejected with ``malformed_row`` naming the column
(``unsafe_text`` for a control or bidirectional character, ``non_ascii_digits`` for a
full-width number: ``kit.text``); the file
itself is read by :func:`tradecover.declarations.upload.read_rows` (same size and row
limits as the declaration uploads).  This module only reads rows: no SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.text import check_number_text, check_text

COLUMNS = ("invoice_number", "buyer_id", "amount_paid", "paid_on")
"""The columns of a collection upload."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentRow:
    """One row of a collection upload, read."""

    invoice_number: str
    buyer_id: int
    amount_paid: Decimal
    paid_on: date


def _malformed(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code="malformed_row", field=field)


def _text(row: dict[str, Any], name: str) -> str:
    value = row.get(name)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    return check_text(str(value).strip(), field=name)


def payment_of(row: dict[str, Any]) -> PaymentRow:
    """The payment of one row, or ``malformed_row`` naming the column that cannot be read."""
    missing = [c for c in COLUMNS if not _text(row, c)]
    if missing:
        raise _malformed(missing[0], f"missing value(s): {', '.join(missing)}")
    buyer = check_number_text(_text(row, "buyer_id"), field="buyer_id")
    if not buyer.isdigit() or not 1 <= int(buyer) <= 2**63 - 1:
        raise _malformed("buyer_id", f"buyer_id must be a positive whole number, got {buyer!r}")
    text = check_number_text(_text(row, "amount_paid"), field="amount_paid")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise _malformed(
            "amount_paid", f"amount_paid must be a decimal number, got {text!r}"
        ) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e15"):
        raise _malformed("amount_paid", "amount_paid must be zero or a positive amount")
    day = _text(row, "paid_on")
    try:
        paid_on = date.fromisoformat(day)
    except ValueError:
        raise _malformed("paid_on", f"paid_on must be a date YYYY-MM-DD, got {day!r}") from None
    invoice = _text(row, "invoice_number")
    if len(invoice) > 64:
        raise _malformed("invoice_number", "invoice_number is longer than 64 characters")
    return PaymentRow(
        invoice_number=invoice, buyer_id=int(buyer), amount_paid=amount, paid_on=paid_on
    )

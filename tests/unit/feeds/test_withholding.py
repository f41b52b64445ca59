"""The projection the storage step writes when the exporter withholds fields
[domain CS-11]: the minimum stays, withheld fields go, nothing of them in the bytes."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from tradecover.feeds.record import (
    DocumentFormat,
    DocumentKind,
    DocumentLine,
    Party,
    TradeDocument,
)
from tradecover.feeds.withholding import is_projection, projection_bytes, withhold

DOCUMENT = TradeDocument(
    kind=DocumentKind.INVOICE,
    format=DocumentFormat.UBL,
    source="ubl",
    document_id="INV-1",
    issue_date=date(2026, 12, 1),
    buyer=Party(name="Berlin Machines GmbH", country="DE"),
    currency="USD",
    total=Decimal("2500.00"),
    due_date=date(2027, 1, 30),
    payment_terms_days=60,
    transport_document="BL-SECRET",
    lines=(
        DocumentLine("1", "SECRET widget", Decimal("3"), Decimal("777.13"), "845961"),
        DocumentLine("2", "spares", None, Decimal("1722.87"), "848210"),
    ),
)


def test_nothing_withheld_is_the_document_itself() -> None:
    assert withhold(DOCUMENT, frozenset()) is DOCUMENT


def test_withheld_fields_go_and_the_minimum_stays() -> None:
    out = withhold(DOCUMENT, {"line_items", "goods_description", "transport_document"})
    assert out.lines == () and out.transport_document is None
    assert out.hs_codes == ("845961",)
    assert (out.total, out.currency, out.buyer, out.due_date, out.payment_terms_days) == (
        DOCUMENT.total,
        "USD",
        DOCUMENT.buyer,
        DOCUMENT.due_date,
        60,
    )
    stored = projection_bytes(out, {"line_items"})
    for secret in (b"SECRET", b"777.13", b"BL-SECRET"):
        assert secret not in stored
    assert is_projection(stored) and json.loads(stored)["withheld"] == ["line_items"]


def test_one_field_withheld_keeps_the_other() -> None:
    no_prices = withhold(DOCUMENT, {"line_items"})
    assert [line.description for line in no_prices.lines] == ["SECRET widget", "spares"]
    assert all(line.net_amount is None and line.quantity is None for line in no_prices.lines)
    no_goods = withhold(DOCUMENT, {"goods_description"})
    assert [line.net_amount for line in no_goods.lines] == [Decimal("777.13"), Decimal("1722.87")]
    assert all(line.description is None for line in no_goods.lines)


def test_original_bytes_are_no_projection() -> None:
    assert not is_projection(b"<Invoice/>")
    assert is_projection(b"")

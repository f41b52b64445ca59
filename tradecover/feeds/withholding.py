"""The projection of a feed document without the fields its exporter withholds
[domain CS-11]: what the storage step writes instead of the original bytes.

The minimum automatic attachment needs (buyer, amounts, currency, dates, payment terms,
the first HS code) always stays; goods descriptions, line items with their quantities and
unit prices, and the transport document go when withheld.  Withholding anything drops the
original bytes: the row keeps this projection (JSON) and the original's SHA-256 only.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Collection
from datetime import date
from decimal import Decimal
from typing import Any

from tradecover.feeds.record import DocumentLine, TradeDocument

PROJECTION = "tradecover.projection/1"
"""The ``projection`` marker of a stored projection (JSON), told from original bytes."""


def _first_hs(document: TradeDocument) -> tuple[str, ...]:
    first = next(iter(document.hs_codes), None) or next(
        (line.hs_code for line in document.lines if line.hs_code), None
    )
    return (first,) if first else ()


def withhold(document: TradeDocument, withheld: Collection[str]) -> TradeDocument:
    """``document`` without the fields in ``withheld`` (field names of
    :class:`tradecover.consents.fields.SharedField`).
    """
    if not withheld:
        return document
    lines: tuple[DocumentLine, ...] = document.lines
    hs_codes = document.hs_codes
    no_goods, no_lines = "goods_description" in withheld, "line_items" in withheld
    if no_lines:
        hs_codes = _first_hs(document)
    if no_goods and no_lines:
        lines = ()
    elif no_goods or no_lines:
        lines = tuple(
            DocumentLine(
                line_id=line.line_id,
                description=None if no_goods else line.description,
                quantity=None if no_lines else line.quantity,
                net_amount=None if no_lines else line.net_amount,
                hs_code=None if no_lines else line.hs_code,
            )
            for line in document.lines
        )
    transport = None if "transport_document" in withheld else document.transport_document
    return dataclasses.replace(
        document, lines=lines, hs_codes=hs_codes, transport_document=transport
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal | date):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def projection_bytes(document: TradeDocument, withheld: Collection[str]) -> bytes:
    """The stored form of a projected document: JSON naming what was withheld."""
    body = {
        "projection": PROJECTION,
        "withheld": sorted(withheld),
        "document": _plain(dataclasses.asdict(document)),
    }
    return json.dumps(body, sort_keys=True).encode()


def is_projection(content: bytes) -> bool:
    """Whether stored ``content`` is a projection (or nothing), not the original bytes."""
    return not content or (content.startswith(b'{"document"') and PROJECTION.encode() in content)

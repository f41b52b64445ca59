"""Export records of a national single window, as JSON objects or CSV rows.

One record per export declaration, with these fields (JSON keys and CSV headers alike):
``declaration_number`` (required), ``version``, ``acceptance_date``, ``exit_date``
(``YYYY-MM-DD``), ``exporter_id`` (EORI or national number), ``exporter_name``,
``consignee_name``, ``consignee_country`` (ISO 3166 alpha-2), ``consignee_ids``
(``scheme:value`` separated by ``;``, or a JSON list), ``hs_code`` (several separated by
``;``, or a JSON list), ``value`` and ``currency`` (ISO 4217), ``invoice_number``,
``transport_document``.  Amounts are read exactly (JSON numbers as ``Decimal``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from tradecover.feeds.record import (
    DocumentFormat,
    DocumentKind,
    IdentifierScheme,
    Party,
    PartyIdentifier,
    Quarantine,
    ReadResult,
    Refusal,
    TradeDocument,
)
from tradecover.feeds.safe_xml import DEFAULT_LIMITS, XmlLimits, check_size
from tradecover.feeds.ubl import hs_digits
from tradecover.feeds.values import (
    check_country_code,
    check_currency_code,
    identifier,
    parse_amount,
    parse_iso_date,
)

RECORD_MALFORMED = "record_malformed"
RECORD_FIELD_MISSING = "record_field_missing"
FIELDS = (
    "declaration_number",
    "version",
    "acceptance_date",
    "exit_date",
    "exporter_id",
    "exporter_name",
    "consignee_name",
    "consignee_country",
    "consignee_ids",
    "hs_code",
    "value",
    "currency",
    "invoice_number",
    "transport_document",
)
"""The fields of a single-window export record, in CSV column order."""

_SCHEMES = {scheme.value: scheme for scheme in IdentifierScheme}


def _text(record: Mapping[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int | Decimal) or isinstance(value, bool):
        raise Refusal(RECORD_MALFORMED, f"{key} must be text")
    text = str(value).strip()
    return text or None


def _list(record: Mapping[str, Any], key: str) -> list[str]:
    value = record.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item).strip() for item in value if str(item).strip()]
    if isinstance(value, str):
        return [item.strip() for item in value.split(";") if item.strip()]
    raise Refusal(RECORD_MALFORMED, f"{key} must be a list or text")


def _consignee_ids(raw: list[str]) -> tuple[PartyIdentifier, ...]:
    found = []
    for item in raw:
        scheme_text, _, value = item.partition(":")
        scheme = _SCHEMES.get(scheme_text.strip().lower())
        if not value or scheme is None:
            found.append(identifier(IdentifierScheme.OTHER, item))
        else:
            found.append(identifier(scheme, value))
    return tuple(found)


def read_single_window_record(
    record: Mapping[str, Any],
    *,
    source: str = "",
    fmt: DocumentFormat = DocumentFormat.SINGLE_WINDOW_JSON,
) -> ReadResult:
    """Read one export record already decoded (a JSON object or a CSV row)."""
    name = source or fmt.value
    number = None
    try:
        if not isinstance(record, Mapping):
            raise Refusal(RECORD_MALFORMED, "a record is a JSON object")
        number = _text(record, "declaration_number")
        if number is None:
            raise Refusal(RECORD_FIELD_MISSING, "declaration_number")
        value = record.get("value")
        amount = (
            value
            if isinstance(value, Decimal)
            else parse_amount(_text(record, "value"), field="value")
        )
        currency = check_currency_code(_text(record, "currency"))
        if amount is not None and currency is None:
            raise Refusal(RECORD_FIELD_MISSING, "currency (the value has none)")
        exporter_id = _text(record, "exporter_id")
        document = TradeDocument(
            kind=DocumentKind.CUSTOMS_DECLARATION,
            format=fmt,
            source=name,
            document_id=number,
            version=_text(record, "version") or "1",
            seller=Party(
                name=_text(record, "exporter_name"),
                identifiers=(
                    (identifier(IdentifierScheme.EORI, exporter_id),) if exporter_id else ()
                ),
            ),
            buyer=Party(
                name=_text(record, "consignee_name"),
                country=check_country_code(_text(record, "consignee_country")),
                identifiers=_consignee_ids(_list(record, "consignee_ids")),
            ),
            currency=currency,
            total=amount,
            invoice_reference=_text(record, "invoice_number"),
            hs_codes=tuple(
                code for raw in _list(record, "hs_code") if (code := hs_digits(raw)) is not None
            ),
            transport_document=_text(record, "transport_document"),
            acceptance_date=parse_iso_date(
                _text(record, "acceptance_date"), field="acceptance_date"
            ),
            exit_date=parse_iso_date(_text(record, "exit_date"), field="exit_date"),
        )
    except Refusal as refusal:
        return Quarantine(fmt, name, (refusal.reason,), number)
    return document


def read_single_window_json(
    data: bytes, *, source: str = "", limits: XmlLimits = DEFAULT_LIMITS
) -> ReadResult:
    """Read one export record sent as a JSON object."""
    fmt = DocumentFormat.SINGLE_WINDOW_JSON
    try:
        check_size(data, limits)
        record = json.loads(data, parse_float=Decimal)
    except Refusal as refusal:
        return Quarantine(fmt, source or fmt.value, (refusal.reason,))
    except (ValueError, RecursionError) as error:
        return Quarantine(
            fmt, source or fmt.value, (Refusal(RECORD_MALFORMED, str(error)[:200]).reason,)
        )
    return read_single_window_record(record, source=source, fmt=fmt)


def read_single_window_csv(
    data: bytes, *, source: str = "", limits: XmlLimits = DEFAULT_LIMITS
) -> Iterator[ReadResult]:
    """Read every row of a CSV export (UTF-8, header row naming the fields)."""
    fmt = DocumentFormat.SINGLE_WINDOW_CSV
    try:
        check_size(data, limits)
        text = data.decode("utf-8-sig")
    except Refusal as refusal:
        yield Quarantine(fmt, source or fmt.value, (refusal.reason,))
        return
    except UnicodeDecodeError as error:
        yield Quarantine(
            fmt, source or fmt.value, (Refusal(RECORD_MALFORMED, f"not UTF-8: {error}").reason,)
        )
        return
    for row in csv.DictReader(io.StringIO(text, newline="")):
        yield read_single_window_record(row, source=source, fmt=fmt)

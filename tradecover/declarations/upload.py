"""Bulk upload of shipments as CSV or XLSX, with a row-level report.

The first row names the columns (:data:`COLUMNS`, any order, case-insensitive;
``prepayment`` may be left out).  Every row is read on its own: a row that cannot be read
(a missing column, a bad date, a number that is not one or is written in full-width
digits, text holding a control or bidirectional character: ``kit.text``) is rejected
with the reason and writes nothing; the others are attached through the one attachment
service, each in its own savepoint
(:func:`tradecover.declarations.service.attach_upload`).  This module only reads files
(pure: no SQL).
"""

from __future__ import annotations

import csv
import io
import itertools
import multiprocessing
import threading
import zipfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from tradecover.declarations.shipment import Shipment, TransportMode
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.text import check_number_text, check_text
from tradecover.reference.payment_terms import PaymentTerms

COLUMNS = (
    "policy_id",
    "buyer_id",
    "invoice_number",
    "shipment_date",
    "due_date",
    "payment_terms",
    "transport_mode",
    "hs_code",
    "goods_description",
    "currency",
    "invoice_amount",
    "prepayment",
)
"""The columns of an upload (``prepayment`` is optional, 0 when absent or blank)."""

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
"""Largest file accepted."""
MAX_ROWS = 1000
"""Most data rows in one file (the batch limit of the attachment service)."""

MAX_COLUMNS = 64
"""Most columns a row may have (bounds the cells read, however wide a sheet claims to be)."""
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
"""Most bytes an XLSX workbook may unpack to (zip bombs are refused before unpacking)."""
MAX_ARCHIVE_MEMBERS = 256
"""Most parts an XLSX workbook may hold."""
PARSE_WORKERS = 2
"""Uploads parsed at the same time; more wait their turn."""

XLSX_MAGIC = b"PK\x03\x04"


def _malformed(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code="malformed_row", field=field)


class FormulaCell(str):
    """An XLSX formula cell the workbook holds no computed value for: its formula text."""


def _text(row: dict[str, Any], name: str) -> str:
    value = row.get(name)
    if value is None:
        return ""
    if isinstance(value, FormulaCell):
        raise ValidationFailed(
            f"{name} is a formula ({check_text(str(value), field=name, prose=True)[:60]}) "
            f"with no computed value: type the value, or save the workbook in a spreadsheet "
            f"program so it stores the values",
            code="formula_without_value",
            field=name,
        )
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return check_text(str(value).strip(), field=name)


def _int(row: dict[str, Any], name: str) -> int:
    text = check_number_text(_text(row, name), field=name)
    if not text.isdigit() or not 1 <= int(text) <= 2**63 - 1:
        raise _malformed(name, f"{name} must be a positive whole number, got {text!r}")
    return int(text)


def _date(row: dict[str, Any], name: str) -> date:
    value = row.get(name)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(row, name)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _malformed(name, f"{name} must be a date YYYY-MM-DD, got {text!r}") from None


def _decimal(row: dict[str, Any], name: str, *, default: str | None = None) -> Decimal:
    text = check_number_text(_text(row, name) or (default or ""), field=name)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _malformed(name, f"{name} must be a decimal number, got {text!r}") from None
    if not value.is_finite() or abs(value) >= Decimal("1e15"):
        raise _malformed(name, f"{name} is not a usable amount")
    return value


def shipment_of(row: dict[str, Any], *, org_id: int) -> Shipment:
    """The shipment of one row, or :class:`ValidationFailed` ``malformed_row`` naming the
    column that cannot be read.
    """
    missing = [c for c in COLUMNS if c != "prepayment" and not _text(row, c)]
    if missing:
        raise _malformed(missing[0], f"missing value(s): {', '.join(missing)}")
    terms = _text(row, "payment_terms").upper()
    if terms not in PaymentTerms.__members__.values():
        raise _malformed("payment_terms", f"unknown payment terms {terms!r}")
    mode = _text(row, "transport_mode").lower()
    if mode not in TransportMode.__members__.values():
        raise _malformed("transport_mode", f"unknown transport mode {mode!r}")
    return Shipment(
        insured_org_id=org_id,
        policy_id=_int(row, "policy_id"),
        buyer_id=_int(row, "buyer_id"),
        payment_terms=PaymentTerms(terms),
        transport_mode=TransportMode(mode),
        shipment_date=_date(row, "shipment_date"),
        due_date=_date(row, "due_date"),
        goods_description=_text(row, "goods_description"),
        hs_code=_text(row, "hs_code"),
        invoice_number=_text(row, "invoice_number"),
        currency=_text(row, "currency").upper(),
        invoice_amount=_decimal(row, "invoice_amount"),
        prepayment=_decimal(row, "prepayment", default="0"),
    )


def _csv_rows(data: bytes) -> Iterator[dict[str, Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(
            "the file is not UTF-8 CSV", code="unreadable_upload", field="file"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header = _header(next(reader, []))
    for values in reader:
        if len(values) > MAX_COLUMNS:
            raise _too_wide()
        if any(v.strip() for v in values):
            yield dict(zip(header, values, strict=False))


def _header(values: Iterable[object]) -> list[str]:
    header = [str(h or "").strip().lower() for h in values]
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise _too_wide()
    return header


def _too_wide() -> ValidationFailed:
    return ValidationFailed(
        f"at most {MAX_COLUMNS} columns per row", code="upload_too_wide", field="file"
    )


def _check_archive(data: bytes) -> None:
    """Refuse a workbook whose parts would inflate past :data:`MAX_UNPACKED_BYTES` (a zip
    bomb) before any part is decompressed: Python's ``zipfile`` never returns more than a
    member's declared size, so the declared sizes bound the work.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise ValidationFailed(
            "the file is not a readable XLSX workbook", code="unreadable_upload", field="file"
        ) from None
    if len(members) > MAX_ARCHIVE_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise ValidationFailed(
            f"the workbook unpacks to more than {MAX_UNPACKED_BYTES} bytes",
            code="upload_too_large",
            field="file",
        )


def _xlsx_rows(data: bytes) -> Iterator[dict[str, Any]]:
    from tradecover.declarations.xlsx_stream import first_sheet_rows

    _check_archive(data)
    # one column more than allowed, to see whether a row goes past the limit; the cells as
    # computed and as written side by side, so a formula without a value is seen as one
    rows = first_sheet_rows(data, max_col=MAX_COLUMNS + 1, data_only=True)
    written = first_sheet_rows(data, max_col=MAX_COLUMNS + 1, data_only=False)
    try:
        header = _header(next(rows, ()))
        next(written, ())
        for values, as_written in zip(rows, written, strict=False):
            if len(values) > MAX_COLUMNS and values[MAX_COLUMNS] not in (None, ""):
                raise _too_wide()
            cells = [_formula_or_value(v, w) for v, w in zip(values, as_written, strict=False)]
            if any(v not in (None, "") for v in cells):
                yield dict(zip(header, cells, strict=False))
    except ValidationFailed:
        raise
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise ValidationFailed(
            "the file is not a readable XLSX workbook", code="unreadable_upload", field="file"
        ) from None
    finally:
        rows.close()
        written.close()


def _formula_or_value(value: Any, as_written: Any) -> Any:
    """A cell's computed value, or its formula (:class:`FormulaCell`) when the workbook
    holds none: a formula never silently reads as a missing value.
    """
    if value is None and isinstance(as_written, str) and as_written.startswith("="):
        return FormulaCell(as_written)
    return value


def _rows_of(filename: str, data: bytes) -> list[dict[str, Any]]:
    """Stream the file's rows and stop at the first row past :data:`MAX_ROWS`."""
    is_xlsx = data.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx")
    stream = _xlsx_rows(data) if is_xlsx else _csv_rows(data)
    try:
        rows = list(itertools.islice(stream, MAX_ROWS + 1))
    except csv.Error as exc:
        raise ValidationFailed(
            f"the CSV cannot be read: {exc}", code="unreadable_upload", field="file"
        ) from None
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
    if len(rows) > MAX_ROWS:
        raise ValidationFailed(
            f"at most {MAX_ROWS} rows per upload", code="batch_too_large", field="file"
        )
    return rows


_PARSERS: ProcessPoolExecutor | None = None
_PARSERS_LOCK = threading.Lock()


def _parsers() -> ProcessPoolExecutor:
    global _PARSERS  # one pool per server process, made on first use
    with _PARSERS_LOCK:
        if _PARSERS is None:
            _PARSERS = ProcessPoolExecutor(
                max_workers=PARSE_WORKERS, mp_context=multiprocessing.get_context("spawn")
            )
        return _PARSERS


def start_parsers() -> None:
    """Start the parser processes now (at server start-up) instead of on the first upload;
    returns at once.
    """
    pool = _parsers()
    for _ in range(PARSE_WORKERS):
        pool.submit(_rows_of, "warm-up.csv", b"")


def _parse(filename: str, data: bytes) -> list[dict[str, Any]] | tuple[str, str, str]:
    """Run in a parser process: the rows, or a refusal as (code, field, message)."""
    try:
        return _rows_of(filename, data)
    except ValidationFailed as exc:
        return (exc.code, exc.field or "file", str(exc))


def read_rows(filename: str, data: bytes) -> list[dict[str, Any]]:
    """The data rows of a CSV or XLSX file (by content, then by name).

    Files are parsed in a small pool of processes (:data:`PARSE_WORKERS`): however many
    uploads arrive at once, at most that many parse at a time, and parsing never holds
    the server's interpreter lock, so other requests go on at their usual pace; each
    parse stops at the row limit.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailed(
            f"the file is larger than {MAX_UPLOAD_BYTES} bytes",
            code="upload_too_large",
            field="file",
        )
    result = _parsers().submit(_parse, filename, data).result()
    if isinstance(result, tuple):
        code, field, message = result
        raise ValidationFailed(message, code=code, field=field)
    return result

r"""What a claim document really is, read from its bytes, and whether it may be stored (pure).

The type of an upload is sniffed from its content (magic bytes), never from its name,
without network or libmagic:

=========================================  ===================================================
content starts with                        type
=========================================  ===================================================
``%PDF-``                                  ``application/pdf``
``\x89PNG\r\n\x1a\n``                      ``image/png``
``\xff\xd8\xff``                           ``image/jpeg``
``II*\0`` or ``MM\0*``                     ``image/tiff``
``PK\x03\x04`` (a ZIP archive)             by its parts: ``word/`` a Word document (docx),
                                           ``xl/`` a workbook (xlsx), ``ppt/`` a presentation
                                           (pptx), else ``application/zip``
``\xd0\xcf\x11\xe0...`` (OLE2)             ``application/x-ole-storage`` (legacy Office)
valid UTF-8 without control characters     ``text/plain`` (``text/csv`` matches it too)
anything else                              ``application/octet-stream``
=========================================  ===================================================

:func:`admit` refuses, in this order: an empty document (422 ``document_empty``), one over
the size limit (413 ``document_too_large``), a declared type not accepted (415
``document_type_not_accepted``), content that does not match the declared type (422
``document_content_mismatch``), content of a type not accepted when no type was declared
(415).  Every refusal names the field ``file``.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Collection

from tradecover.kit.errors import ValidationFailed

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
ZIP = "application/zip"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
OLE = "application/x-ole-storage"
TEXT = "text/plain"
CSV = "text/csv"
UNKNOWN = "application/octet-stream"

DEFAULT_ACCEPTED: tuple[str, ...] = (PDF, PNG, JPEG, TIFF, DOCX, XLSX, TEXT, CSV)
"""The types accepted unless the installation configures others."""

TEXT_TYPES = frozenset({TEXT, CSV})
"""Declared types that plain text content satisfies (a CSV file is text)."""
_UNDECLARED = frozenset({"", UNKNOWN, "binary/octet-stream"})
_ALIASES = {
    "image/jpg": JPEG,
    "image/pjpeg": JPEG,
    "application/x-pdf": PDF,
    "image/tif": TIFF,
    "application/csv": CSV,
    "text/comma-separated-values": CSV,
    "application/x-zip-compressed": ZIP,
}
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE),
)
_OOXML = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))
_TEXT_CONTROLS = frozenset(range(32)) - {9, 10, 12, 13}  # tab, LF, FF and CR are text


class DocumentTooLarge(ValidationFailed):
    """The document is over the size limit (HTTP 413)."""

    status = 413
    default_code = "document_too_large"


class DocumentTypeNotAccepted(ValidationFailed):
    """The document is of a type the installation does not accept (HTTP 415)."""

    status = 415
    default_code = "document_type_not_accepted"


def normalise(declared: str | None) -> str:
    """A declared media type without parameters, in lower case, aliases resolved."""
    base = (declared or "").split(";", 1)[0].strip().lower()
    return _ALIASES.get(base, base)


def _zip_type(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return UNKNOWN
    if "[Content_Types].xml" in names:
        for prefix, kind in _OOXML:
            if any(name.startswith(prefix) for name in names):
                return kind
    return ZIP


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not any(ord(ch) in _TEXT_CONTROLS or ord(ch) == 127 for ch in text)


def sniff(data: bytes) -> str:
    """The media type of ``data`` from its content alone (see the module's table)."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    if data and _is_text(data):
        return TEXT
    return UNKNOWN


def matches(declared: str, sniffed: str) -> bool:
    """True when content of type ``sniffed`` is what ``declared`` says."""
    return declared == sniffed or (declared in TEXT_TYPES and sniffed == TEXT)


def admit(data: bytes, *, declared: str | None, accepted: Collection[str], max_bytes: int) -> str:
    """The media type to store ``data`` under, or the refusal (see the module docstring).

    A declared type (the upload's ``Content-Type``) must be accepted and match the
    content; where none is declared (or only ``application/octet-stream``) the sniffed
    type must be accepted.  A text upload declared ``text/csv`` keeps that type.
    """
    if not data:
        raise ValidationFailed("the document is empty", code="document_empty", field="file")
    if len(data) > max_bytes:
        raise DocumentTooLarge(
            f"the document has {len(data)} bytes, over the limit of {max_bytes}",
            field="file",
            details={"size": len(data), "max_bytes": max_bytes},
        )
    kind = normalise(declared)
    sniffed = sniff(data)
    accepted_types = sorted({normalise(a) for a in accepted})
    if kind in _UNDECLARED:
        kind = sniffed
    elif kind in accepted_types and not matches(kind, sniffed):
        raise ValidationFailed(
            f"the content is {sniffed}, not the declared {kind}",
            code="document_content_mismatch",
            field="file",
            details={"declared": kind, "content": sniffed},
        )
    if kind not in accepted_types:
        raise DocumentTypeNotAccepted(
            f"documents of type {kind} are not accepted; accepted: " + ", ".join(accepted_types),
            field="file",
            details={"type": kind, "accepted": accepted_types},
        )
    return kind

"""The type of a claim document sniffed from its bytes, and the upload's refusals."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.claims.documents import content_type as ct
from tradecover.kit.errors import ValidationFailed

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(17)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(20)
TIFF_LE = b"II*\x00\x08\x00\x00\x00" + bytes(10)
TIFF_BE = b"MM\x00*\x00\x00\x00\x08" + bytes(10)
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(40)
TEXT = b"Dear buyer,\r\nthe invoice INV-1 of 30,000.00 USD is overdue.\tPlease pay.\n"
CSV = b"invoice,amount,due\nINV-1,30000.00,2026-09-01\nINV-2,12500.50,2026-09-15\n"
ELF = b"\x7fELF\x02\x01\x01" + bytes(30)


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


DOCX = _zip("[Content_Types].xml", "_rels/.rels", "word/document.xml")
XLSX = _zip("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml")
PPTX = _zip("[Content_Types].xml", "ppt/presentation.xml")
ZIP = _zip("scan1.pdf", "scan2.pdf")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF, ct.PDF),
        (PNG, ct.PNG),
        (JPEG, ct.JPEG),
        (TIFF_LE, ct.TIFF),
        (TIFF_BE, ct.TIFF),
        (DOCX, ct.DOCX),
        (XLSX, ct.XLSX),
        (PPTX, ct.PPTX),
        (ZIP, ct.ZIP),
        (OLE, ct.OLE),
        (TEXT, ct.TEXT),
        (CSV, ct.TEXT),
        ("发票 INV-1 逾期\n".encode(), ct.TEXT),
        (b"\xef\xbb\xbfinvoice,amount\n", ct.TEXT),
        (ELF, ct.UNKNOWN),
        (b"\x00\x01\x02", ct.UNKNOWN),
        (b"\xff\xfe\x00", ct.UNKNOWN),
        (b"PK\x03\x04 not really a zip", ct.UNKNOWN),
        (b"", ct.UNKNOWN),
    ],
)
def test_the_type_is_read_from_the_content(data: bytes, expected: str) -> None:
    assert ct.sniff(data) == expected


ACCEPTED = ct.DEFAULT_ACCEPTED


@pytest.mark.parametrize(
    ("data", "declared", "stored"),
    [
        (PDF, "application/pdf", ct.PDF),
        (PDF, "Application/PDF; name=claim.pdf", ct.PDF),
        (PDF, "application/x-pdf", ct.PDF),
        (JPEG, "image/jpg", ct.JPEG),
        (PNG, "image/png", ct.PNG),
        (TIFF_BE, "image/tiff", ct.TIFF),
        (DOCX, ct.DOCX, ct.DOCX),
        (XLSX, ct.XLSX, ct.XLSX),
        (CSV, "text/csv", ct.CSV),  # text content satisfies a declared CSV, which it keeps
        (TEXT, "text/plain; charset=utf-8", ct.TEXT),
        (PNG, None, ct.PNG),  # nothing declared: the content decides
        (PDF, "application/octet-stream", ct.PDF),
    ],
)
def test_an_accepted_upload_keeps_its_type(data: bytes, declared: str | None, stored: str) -> None:
    assert ct.admit(data, declared=declared, accepted=ACCEPTED, max_bytes=len(data)) == stored


def _refusal(
    data: bytes,
    declared: str | None,
    *,
    max_bytes: int = 10_000,
    accepted: tuple[str, ...] = ACCEPTED,
) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as refused:
        ct.admit(data, declared=declared, accepted=accepted, max_bytes=max_bytes)
    assert refused.value.field == "file"
    return refused.value


def test_a_document_over_the_limit_is_413_by_one_byte() -> None:
    assert ct.admit(PDF, declared=ct.PDF, accepted=ACCEPTED, max_bytes=len(PDF)) == ct.PDF
    error = _refusal(PDF, ct.PDF, max_bytes=len(PDF) - 1)
    assert (error.status, error.code) == (413, "document_too_large")
    assert error.details == {"size": len(PDF), "max_bytes": len(PDF) - 1}


def test_a_type_not_accepted_is_415() -> None:
    for data, declared in [
        (ZIP, "application/zip"),
        (OLE, "application/msword"),
        (ELF, "application/x-executable"),
        (ZIP, None),
        (ELF, "application/octet-stream"),
        (PPTX, None),
    ]:
        error = _refusal(data, declared)
        assert (error.status, error.code) == (415, "document_type_not_accepted"), declared
    error = _refusal(PNG, "image/png", accepted=("application/pdf",))
    assert error.details == {"type": "image/png", "accepted": ["application/pdf"]}


def test_content_that_is_not_the_declared_type_is_422() -> None:
    for data, declared, found in [
        (PNG, "application/pdf", ct.PNG),
        (PDF, "image/png", ct.PDF),
        (ELF, "application/pdf", ct.UNKNOWN),
        (TEXT, "image/jpeg", ct.TEXT),
        (XLSX, ct.DOCX, ct.XLSX),
        (PDF, "text/csv", ct.PDF),
        (ZIP, ct.XLSX, ct.ZIP),
    ]:
        error = _refusal(data, declared)
        assert (error.status, error.code) == (422, "document_content_mismatch"), declared
        assert error.details == {"declared": ct.normalise(declared), "content": found}


def test_an_empty_document_is_refused() -> None:
    error = _refusal(b"", ct.PDF)
    assert (error.status, error.code) == (422, "document_empty")


@given(st.binary(max_size=300), st.sampled_from([None, *ACCEPTED, "application/zip"]))
def test_any_bytes_are_either_stored_under_their_own_type_or_refused(
    data: bytes, declared: str | None
) -> None:
    sniffed = ct.sniff(data)
    refusal: ValidationFailed | None = None
    stored = ""
    try:
        stored = ct.admit(data, declared=declared, accepted=ACCEPTED, max_bytes=200)
    except ValidationFailed as error:
        refusal = error
    if refusal is not None:
        assert refusal.status in (413, 415, 422) and refusal.field == "file"
    else:
        assert stored in ACCEPTED and 0 < len(data) <= 200
        assert ct.matches(stored, sniffed)

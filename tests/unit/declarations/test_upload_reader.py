"""The upload reader streams: it stops at the row limit, refuses zip bombs and wide sheets."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from openpyxl import Workbook

from tradecover.declarations import upload
from tradecover.kit.errors import ValidationFailed

HEADER = ",".join(upload.COLUMNS)
ROW = "1,2,INV-{n},2026-03-01,2026-05-01,OA,sea,520100,cotton,USD,1000.00,0"


def _csv(rows: int) -> bytes:
    lines = [HEADER] + [ROW.format(n=n) for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def _xlsx(rows: int, *, width: int = len(upload.COLUMNS)) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    header = list(upload.COLUMNS) + [f"extra{i}" for i in range(width - len(upload.COLUMNS))]
    sheet.append(header)
    values = ROW.split(",") + ["x"] * (width - len(upload.COLUMNS))
    for n in range(rows):
        sheet.append([v.replace("{n}", str(n)) for v in values])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package'
        '.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def _raw_xlsx(rows: int) -> bytes:
    """A workbook written part by part (fast): no ``<dimension>``, one shared string per
    row, like a generated export of ``rows`` invoices.
    """
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    header = "".join(f'<c t="inlineStr"><is><t>{c}</t></is></c>' for c in upload.COLUMNS)
    body = "".join(
        f'<row><c><v>1</v></c><c><v>2</v></c><c t="s"><v>{n}</v></c></row>' for n in range(rows)
    )
    strings = "".join(f"<si><t>INV-{n}</t></si>" for n in range(rows))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{main}"><sheetData>'
            f"<row>{header}</row>{body}</sheetData></worksheet>",
        )
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{main}">{strings}</sst>')
    return out.getvalue()


def _code(filename: str, data: bytes) -> str:
    with pytest.raises(ValidationFailed) as caught:
        upload.read_rows(filename, data)
    return caught.value.code


def test_rows_up_to_the_limit_are_read() -> None:
    rows = upload.read_rows("s.csv", _csv(upload.MAX_ROWS))
    assert len(rows) == upload.MAX_ROWS
    assert rows[-1]["invoice_number"] == f"INV-{upload.MAX_ROWS - 1}"
    assert len(upload.read_rows("s.xlsx", _xlsx(3))) == 3
    raw = upload.read_rows("raw.xlsx", _raw_xlsx(5))
    assert [r["invoice_number"] for r in raw] == [f"INV-{n}" for n in range(5)]


@pytest.mark.parametrize(("name", "rows"), [("big.csv", 70_000), ("big.xlsx", 300_000)])
def test_a_huge_file_is_refused_at_the_row_limit_without_reading_the_rest(
    name: str, rows: int
) -> None:
    data = _csv(rows) if name.endswith(".csv") else _raw_xlsx(rows)
    started = time.perf_counter()
    assert _code(name, data) == "batch_too_large"
    # reading every row took seconds; stopping at the limit takes a fraction of one
    assert time.perf_counter() - started < 1.0


def test_a_zip_bomb_is_refused_before_unpacking() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (upload.MAX_UNPACKED_BYTES + 1))
    data = out.getvalue()
    assert len(data) < upload.MAX_UPLOAD_BYTES
    assert _code("bomb.xlsx", data) == "upload_too_large"


def test_too_many_parts_are_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(upload.MAX_ARCHIVE_MEMBERS + 1):
            archive.writestr(f"part{n}.xml", b"")
    assert _code("parts.xlsx", out.getvalue()) == "upload_too_large"


def test_a_sheet_wider_than_the_column_limit_is_refused() -> None:
    assert _code("wide.xlsx", _xlsx(2, width=upload.MAX_COLUMNS + 5)) == "upload_too_wide"
    wide_csv = (HEADER + "\n" + ROW.format(n=1) + ",x" * upload.MAX_COLUMNS + "\n").encode()
    assert _code("wide.csv", wide_csv) == "upload_too_wide"


def test_a_damaged_workbook_is_unreadable() -> None:
    assert _code("broken.xlsx", b"PK\x03\x04 not really a zip") == "unreadable_upload"


def test_a_file_over_the_byte_limit_is_refused() -> None:
    assert _code("huge.csv", b"x" * (upload.MAX_UPLOAD_BYTES + 1)) == "upload_too_large"

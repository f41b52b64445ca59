"""Stream the first sheet of an XLSX workbook row by row, reading only what is asked for.

openpyxl's read-only mode still reads two parts whole before the first row: the shared
strings table, and the sheet itself when it has no ``<dimension>`` element (openpyxl
looks for one by parsing to the end of the sheet's data). A 558 KiB workbook of 300,000
rows then costs tens of seconds before an upload can be refused at its row limit. This
reader keeps openpyxl's cell parsing (types, dates, styles) but skips the dimension scan
and reads shared strings lazily, as far as the rows read so far need them.
"""

from __future__ import annotations

import io
from collections.abc import Generator, Iterator
from typing import IO, Any

from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

_STRING_TAG = f"{{{SHEET_MAIN_NS}}}si"


class LazySharedStrings:
    """The shared strings table, parsed only up to the highest index asked for."""

    def __init__(self, source: IO[bytes] | None) -> None:
        self._source = source
        self._events: Iterator[tuple[str, Any]] | None = (
            iterparse(source) if source is not None else None
        )
        self._strings: list[str] = []

    def __getitem__(self, index: int) -> str:
        while index >= len(self._strings) and self._events is not None:
            for _event, node in self._events:
                if node.tag == _STRING_TAG:
                    self._strings.append(Text.from_tree(node).content.replace("x005F_", ""))
                    node.clear()
                    break
            else:
                self.close()
        return self._strings[index]  # IndexError on a reference past the table

    def close(self) -> None:
        """Stop reading the table."""
        self._events = None
        if self._source is not None:
            self._source.close()
            self._source = None


class _UnsizedSheet(ReadOnlyWorksheet):  # type: ignore[misc]
    """A read-only sheet that does not scan the whole sheet for its size."""

    def _get_size(self) -> None:
        self._min_column, self._min_row, self._max_column, self._max_row = 1, 1, None, None


class _FirstSheetReader(ExcelReader):  # type: ignore[misc]
    """openpyxl's workbook reader, reading only the first worksheet, lazily."""

    strings: LazySharedStrings

    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS)
        self.strings = LazySharedStrings(
            self.archive.open(part.PartName[1:]) if part is not None else None
        )
        self.shared_strings = self.strings

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                self.wb._sheets.append(
                    _UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
                )
                return


def first_sheet_rows(
    data: bytes, *, max_col: int, data_only: bool = True
) -> Generator[tuple[Any, ...], None, None]:
    """The rows of the workbook's first worksheet, each cut at ``max_col`` cells: the values
    the workbook stored (``data_only``), or the cells as written (a formula as its text).

    Raises whatever openpyxl raises on a damaged workbook; the caller turns it into its
    own refusal.
    """
    reader = _FirstSheetReader(io.BytesIO(data), read_only=True, data_only=data_only)
    reader.read()
    try:
        if not reader.wb._sheets:
            return
        sheet = reader.wb._sheets[0]
        for row in sheet.iter_rows(values_only=True, max_col=max_col):
            yield tuple(row)
    finally:
        reader.strings.close()
        reader.archive.close()

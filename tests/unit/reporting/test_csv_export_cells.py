"""The CSV export jobs write every cell formula-safe (docs/security/input-hygiene.md)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from tradecover.reporting.csv_exports import _csv


def test_a_job_export_writes_formulas_as_text() -> None:
    text, count = _csv(
        ("invoice_number", "amount"),
        [('=HYPERLINK("http://x")', Decimal("-12.50")), ("@SUM(A1)", None), ("INV-1", 5)],
    )
    assert count == 3
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["invoice_number", "amount"],
        ['\'=HYPERLINK("http://x")', "-12.50"],
        ["'@SUM(A1)", ""],
        ["INV-1", "5"],
    ]

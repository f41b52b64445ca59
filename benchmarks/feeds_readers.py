"""Benchmark: documents per second of each feed reader, next to the bare parse of the same bytes.

For every reader, N distinct documents are built from the test fixtures (ids changed per
document), then timed twice on one core: the bare parse (lxml ``fromstring`` with the
readers' safe parser for XML; ``json.loads`` for JSON; ``csv.DictReader`` for CSV) and the
full reader (safety checks, extraction, EN 16931 rules, identifiers, record).  The target
volumes of the stream (1,000,000 JSON customs records, 100,000 UBL invoices) are
extrapolated from the rates.

Run: ``.venv/bin/python benchmarks/feeds_readers.py [--documents N] [--pdfs N]``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from lxml import etree

from tradecover.feeds import (
    Quarantine,
    read_cii,
    read_erp_webhook,
    read_facturx_pdf,
    read_single_window_csv,
    read_single_window_json,
    read_ubl,
    read_wco_customs,
    sign,
)
from tradecover.feeds.safe_xml import _parser

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "feeds"
NOW = datetime(2026, 3, 2, 8, 15, 30, tzinfo=UTC)


def _variants(name: str, old: str, count: int) -> list[bytes]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return [text.replace(old, f"{old}-{i}").encode("utf-8") for i in range(count)]


def _rate(function: Callable[[bytes], object], documents: Sequence[bytes]) -> float:
    started = time.perf_counter()
    for document in documents:
        function(document)
    return len(documents) / (time.perf_counter() - started)


def _check(reader: Callable[[bytes], object], documents: Sequence[bytes]) -> None:
    result = reader(documents[0])
    if isinstance(result, Quarantine):
        raise SystemExit(f"benchmark document quarantined: {result.reasons}")


def _bare_xml(document: bytes) -> object:
    return etree.fromstring(document, _parser())


def _bare_json(document: bytes) -> object:
    return json.loads(document, parse_float=Decimal)


def _facturx_pdfs(count: int) -> list[bytes]:
    import facturx
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return [
        bytes(
            facturx.generate_from_binary(
                out.getvalue(), xml, check_xsd=False, flavor="factur-x", level="en16931"
            )
        )
        for xml in _variants("cii_export_invoice.xml", "LY-7781", count)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--pdfs", type=int, default=200)
    args = parser.parse_args()
    n = args.documents
    secret = "whsec_bench"
    erp_bodies = _variants("erp_shipment_event.json", "SHP-2026-118", n)
    headers = {body: sign(body, secret, int(NOW.timestamp())) for body in erp_bodies}
    csv_text = (FIXTURES / "single_window_records.csv").read_text(encoding="utf-8")
    csv_header, csv_row = csv_text.splitlines()[:2]
    csv_file = (
        "\n".join([csv_header] + [csv_row.replace("778,", f"{i:06d},", 1) for i in range(n)]) + "\n"
    ).encode()

    rows: list[tuple[str, int, float, float]] = []
    xml_cases: list[tuple[str, Callable[[bytes], object], list[bytes]]] = [
        ("UBL 2.1 invoice", read_ubl, _variants("ubl_export_invoice.xml", "RW-2026-0042", n)),
        ("CII D16B invoice", read_cii, _variants("cii_export_invoice.xml", "LY-7781", n)),
        (
            "WCO DEC-DMS declaration",
            read_wco_customs,
            _variants("wco_export_declaration.xml", "LRN-TC-0042", n),
        ),
        (
            "WCO RES-DMS exit notification",
            read_wco_customs,
            _variants("wco_exit_notification.xml", "LRN-TC-0042", n),
        ),
    ]
    for label, reader, documents in xml_cases:
        _check(reader, documents)
        rows.append((label, len(documents), _rate(_bare_xml, documents), _rate(reader, documents)))
    json_documents = _variants("single_window_record.json", "26FR0000000000777", n)
    _check(read_single_window_json, json_documents)
    rows.append(
        (
            "single-window JSON record",
            n,
            _rate(_bare_json, json_documents),
            _rate(read_single_window_json, json_documents),
        )
    )
    started = time.perf_counter()
    bare_rows = sum(1 for _ in csv.DictReader(io.StringIO(csv_file.decode())))
    bare = bare_rows / (time.perf_counter() - started)
    started = time.perf_counter()
    read_rows = sum(1 for _ in read_single_window_csv(csv_file))
    rows.append(
        ("single-window CSV row", read_rows, bare, read_rows / (time.perf_counter() - started))
    )

    def erp(body: bytes) -> object:
        return read_erp_webhook(body, headers[body], [secret], now=NOW)

    _check(erp, erp_bodies)
    rows.append(
        ("ERP webhook (HMAC + Pydantic)", n, _rate(_bare_json, erp_bodies), _rate(erp, erp_bodies))
    )
    pdfs = _facturx_pdfs(args.pdfs)
    _check(read_facturx_pdf, pdfs)
    xml_of_pdfs = _variants("cii_export_invoice.xml", "LY-7781", args.pdfs)
    rows.append(
        (
            "Factur-X PDF (bare: its XML)",
            len(pdfs),
            _rate(_bare_xml, xml_of_pdfs),
            _rate(read_facturx_pdf, pdfs),
        )
    )

    print(f"{'reader':34} {'docs':>7} {'bare parse/s':>13} {'reader/s':>10} {'ratio':>6}")
    for label, count, bare_rate, reader_rate in rows:
        print(
            f"{label:34} {count:7d} {bare_rate:13,.0f} {reader_rate:10,.0f} "
            f"{bare_rate / reader_rate:6.1f}"
        )
    rates = {label: reader_rate for label, _, _, reader_rate in rows}
    print(
        f"\n1,000,000 single-window JSON records: "
        f"{1_000_000 / rates['single-window JSON record']:,.0f} s on one core"
    )
    print(
        f"  100,000 UBL invoices:                "
        f"{100_000 / rates['UBL 2.1 invoice']:,.0f} s on one core"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

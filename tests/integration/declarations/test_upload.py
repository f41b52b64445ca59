"""Uploads of CSV and XLSX: a row-level report; a malformed row stops nothing and writes
nothing for itself."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from tests.builders.declarations import TODAY, World, world
from tests.conftest import Cast, Database
from tests.integration.declarations.helpers import counts, reserved
from tradecover.declarations.upload import COLUMNS


@pytest.fixture
def w(app_client: TestClient, cast: Cast, db: Database) -> World:
    return world(app_client, cast, db)


def rows(w: World) -> list[list[object]]:
    due = (TODAY + timedelta(days=60)).isoformat()
    good = [
        w.policy_id,
        w.buyer_id,
        "U-1",
        TODAY.isoformat(),
        due,
        "OA",
        "sea",
        "8459.61",
        "Lathes",
        "USD",
        "20000.00",
        "0",
    ]
    return [
        good,
        [*good[:2], "U-2", "yesterday", *good[4:]],  # malformed date
        [*good[:2], "U-3", *good[3:10], "1,000", "0"],  # malformed amount
        [*good[:2], "U-4", *good[3:10], "500.00", "600.00"],  # prepayment > invoice
        [*good[:2], "U-1", *good[3:]],  # duplicate invoice
        [*good[:2], "U-5", *good[3:5], "CASH", *good[6:]],  # unknown terms
        [*good[:2], "U-6", *good[3:10], "90000.00", ""],  # partly covered
    ]


EXPECTED = [
    (2, "accepted", "covered_in_full", None),
    (3, "rejected", None, ("malformed_row", "shipment_date")),
    (4, "rejected", None, ("malformed_row", "invoice_amount")),
    (5, "rejected", None, ("prepayment_exceeds_invoice", "prepayment")),
    (6, "rejected", None, ("duplicate_invoice_number", "invoice_number")),
    (7, "rejected", None, ("malformed_row", "payment_terms")),
    (8, "accepted", "covered_partly", None),
]


def summary(report: dict[str, object]) -> list[tuple[object, ...]]:
    items = report["report"]
    assert isinstance(items, list)
    return [
        (
            r["row"],
            r["outcome"],
            r["cover_status"],
            (r["problem"]["code"], r["problem"]["field"]) if r["problem"] else None,
        )
        for r in items
    ]


def csv_bytes(data: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.upper() for c in COLUMNS])
    writer.writerows(data)
    return out.getvalue().encode()


def xlsx_bytes(data: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    for row in data:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "make"), [("shipments.csv", csv_bytes), ("shipments.xlsx", xlsx_bytes)]
)
def test_upload_reports_every_row(
    app_client: TestClient, cast: Cast, db: Database, w: World, name: str, make: object
) -> None:
    assert callable(make)
    answer = app_client.post(
        "/api/v1/declarations/uploads",
        headers=cast.exporter.headers,
        files={"file": (name, make(rows(w)), "application/octet-stream")},
    )
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert (data["rows"], data["accepted"], data["rejected"]) == (7, 2, 5)
    assert summary(data) == EXPECTED
    assert reserved(db, w.limit_id) == 10_000_000  # 20,000 in full + 80,000 of 90,000
    assert counts(db)["declarations"] == 2


def test_unreadable_upload_writes_nothing(
    app_client: TestClient, cast: Cast, db: Database, w: World
) -> None:
    before = counts(db)
    answer = app_client.post(
        "/api/v1/declarations/uploads",
        headers=cast.exporter.headers,
        files={"file": ("x.xlsx", b"PK\x03\x04garbage", "application/zip")},
    )
    assert (answer.status_code, answer.json()["code"]) == (422, "unreadable_upload")
    broken = app_client.post(
        "/api/v1/declarations/uploads",
        headers=cast.exporter.headers,
        files={"file": ("x.csv", b'a,"b\r0', "text/csv")},
    )
    assert (broken.status_code, broken.json()["code"]) == (422, "unreadable_upload")
    other = app_client.post(
        "/api/v1/declarations/uploads",
        headers=cast.other_exporter.headers,
        files={"file": ("s.csv", csv_bytes(rows(w)[:1]), "text/csv")},
    )
    assert other.status_code == 200
    assert summary(other.json()) == [(2, "rejected", None, ("policy_not_found", "policy_id"))]
    assert counts(db) == before


def test_an_xlsx_formula_without_a_computed_value_is_refused_never_read_as_missing(
    app_client: TestClient, cast: Cast, db: Database, w: World
) -> None:
    good = rows(w)[0]
    data = [
        [*good[:2], "F-1", *good[3:10], "=2*10000", "0"],  # formula, no cached value
        [*good[:2], "F-2", *good[3:8], '=A1&"x"', *good[9:]],  # formula in a text column
        [*good[:2], "F-3", *good[3:10], "=2*10000", "=0"],  # formula in an optional one
        [*good[:2], "F-4", *good[3:]],  # the control: accepted
    ]
    before = counts(db)["declarations"]
    answer = app_client.post(
        "/api/v1/declarations/uploads",
        headers=cast.exporter.headers,
        files={"file": ("f.xlsx", xlsx_bytes(data), "text/plain")},
    )
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert summary(report) == [
        (2, "rejected", None, ("formula_without_value", "invoice_amount")),
        (3, "rejected", None, ("formula_without_value", "goods_description")),
        (4, "rejected", None, ("formula_without_value", "invoice_amount")),
        (5, "accepted", "covered_in_full", None),
    ]
    assert "=2*10000" in report["report"][0]["problem"]["detail"]
    assert counts(db)["declarations"] == before + 1


def test_an_xlsx_text_cell_that_looks_like_a_formula_stays_text(
    app_client: TestClient, cast: Cast, db: Database, w: World
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    sheet.append([*rows(w)[0][:8], "=1+1 lathes", *rows(w)[0][9:]])
    sheet.cell(row=2, column=9).data_type = "s"  # typed as text: a string cell, not a formula
    out = io.BytesIO()
    book.save(out)
    answer = app_client.post(
        "/api/v1/declarations/uploads",
        headers=cast.exporter.headers,
        files={"file": ("t.xlsx", out.getvalue(), "application/octet-stream")},
    )
    assert answer.status_code == 200, answer.text
    assert summary(answer.json()) == [(2, "accepted", "covered_in_full", None)]
    listed = app_client.get("/api/v1/declarations", headers=cast.exporter.headers).json()
    assert [d["goods_description"] for d in listed["items"]] == ["=1+1 lathes"]

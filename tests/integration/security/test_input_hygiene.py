"""Input hygiene through the API, uploads and the dashboard, on both databases: a NUL
(PostgreSQL cannot store it: it was a 500), a bidirectional override or full-width digits
are a 422 naming the field, and nothing is written."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.builders.declarations import TODAY, World, body, world
from tests.conftest import Cast, Database
from tests.integration.declarations.helpers import counts
from tradecover.declarations.upload import COLUMNS


@pytest.fixture
def w(app_client: TestClient, cast: Cast, db: Database) -> World:
    return world(app_client, cast, db)


def _declare(client: TestClient, cast: Cast, payload: object, key: str) -> object:
    return client.post(
        "/api/v1/declarations",
        json=payload,
        headers={**cast.exporter.headers, "Idempotency-Key": key},
    )


@pytest.mark.parametrize(
    ("over", "field", "code"),
    [
        ({"invoice_number": "INV\x00-1"}, "body.ShipmentIn.invoice_number", "unsafe_text"),
        ({"goods_description": "Lathes\x00"}, "body.ShipmentIn.goods_description", "unsafe_text"),
        (
            {"goods_description": "Lathes \u202egpj.exe"},
            "body.ShipmentIn.goods_description",
            "unsafe_text",
        ),
        ({"invoice_number": "INV\n1"}, "body.ShipmentIn.invoice_number", "unsafe_text"),
        ({"invoice_amount": "１００"}, "body.ShipmentIn.invoice_amount", "string_pattern_mismatch"),
    ],
)
def test_unsafe_declaration_is_422_naming_the_field_and_writes_nothing(
    app_client: TestClient,
    cast: Cast,
    db: Database,
    w: World,
    over: dict[str, str],
    field: str,
    code: str,
) -> None:
    before = counts(db)
    answer = _declare(app_client, cast, body(w, **over), "hyg-1")
    assert answer.status_code == 422, answer.text  # type: ignore[attr-defined]
    data = answer.json()  # type: ignore[attr-defined]
    assert (data["code"], data["field"], data["errors"][0]["type"]) == (
        "invalid_request",
        field,
        code,
    )
    assert counts(db) == before
    # the key was not used up: the clean retry goes through
    fine = _declare(app_client, cast, body(w, goods_description="Lathes\nand parts"), "hyg-1")
    assert fine.status_code == 201, fine.text  # type: ignore[attr-defined]
    assert fine.json()["goods_description"] == "Lathes\nand parts"  # type: ignore[attr-defined]


def test_unsafe_query_parameter_is_422(app_client: TestClient, cast: Cast, w: World) -> None:
    answer = app_client.get(
        "/api/v1/declarations", params={"status": "active\x00"}, headers=cast.exporter.headers
    )
    assert (answer.status_code, answer.json()["code"], answer.json()["field"]) == (
        422,
        "unsafe_text",
        "query.status",
    )


def _csv(rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([list(COLUMNS), *rows])
    return out.getvalue().encode()


def test_upload_rows_refuse_unsafe_text_and_full_width_numbers_and_keep_formulas_as_text(
    app_client: TestClient, cast: Cast, db: Database, w: World
) -> None:
    due = (TODAY + timedelta(days=60)).isoformat()
    good = [
        w.policy_id,
        w.buyer_id,
        "H-1",
        TODAY.isoformat(),
        due,
        "OA",
        "sea",
        "8459.61",
        "=1+1",
        "USD",
        "1000.00",
        "0",
    ]
    rows = [
        good,
        [*good[:2], "H-2\x00", *good[3:]],
        [*good[:2], "H-3", *good[3:8], "Lathes\u202e", *good[9:]],
        [*good[:2], "H-4", *good[3:10], "１０００", "0"],
        ["１", *good[1:2], "H-5", *good[3:]],
    ]
    answer = app_client.post(
        "/api/v1/declarations/uploads",
        headers=cast.exporter.headers,
        files={"file": ("s.csv", _csv(rows), "text/csv")},
    )
    assert answer.status_code == 200, answer.text
    report = [
        (r["row"], r["outcome"], r["problem"] and (r["problem"]["code"], r["problem"]["field"]))
        for r in answer.json()["report"]
    ]
    assert report == [
        (2, "accepted", None),
        (3, "rejected", ("unsafe_text", "invoice_number")),
        (4, "rejected", ("unsafe_text", "goods_description")),
        (5, "rejected", ("non_ascii_digits", "invoice_amount")),
        (6, "rejected", ("non_ascii_digits", "policy_id")),
    ]
    assert counts(db)["declarations"] == 1
    listed = app_client.get("/api/v1/declarations", headers=cast.exporter.headers).json()
    items = listed["items"] if isinstance(listed, dict) else listed
    assert [d["goods_description"] for d in items] == ["=1+1"]  # stored as the text it was

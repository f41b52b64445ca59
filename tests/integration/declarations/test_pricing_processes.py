"""A rate table published through one server process prices the next declaration of every
server process at once: each keeps its tables and classes cached and checks their stamp
with the facts of every attachment (no query per declaration)."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

import httpx
from fastapi.testclient import TestClient

from tests.builders.declarations import body, world
from tests.conftest import Cast, Database
from tests.integration.declarations.test_shipment_pricing import (
    RISK_BASED,
    publish_unrated_factor,
)
from tests.servers import serve_process


def _declare(url: str, cast: Cast, payload: dict[str, Any], key: str) -> Any:
    r = httpx.post(
        f"{url}/api/v1/declarations",
        json=payload,
        timeout=30,
        headers={**cast.exporter.headers, "Idempotency-Key": key},
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_a_version_published_in_one_process_prices_the_next_declaration_in_each(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    w = world(app_client, cast, db, **RISK_BASED)
    with ExitStack() as stack:
        first, second = (stack.enter_context(serve_process(db.url)) for _ in range(2))
        # each process prices on version 1 and keeps it (twice: the ERP fast path too)
        for n, url in enumerate((first, second, first, second)):
            data = _declare(url, cast, body(w, invoice_number=f"V1-{n}"), f"v1-{n}")
            assert (data["rate_explanation"]["table"]["version"], data["premium"]) == (1, "9.35")
        publish_unrated_factor(app_client, cast, "1.20")  # a third process publishes v2
        for n, url in enumerate((second, first, first, second)):
            data = _declare(url, cast, body(w, invoice_number=f"V2-{n}"), f"v2-{n}")
            # 0.085 % x unrated 1.20 = 0.102 %
            assert (data["rate_explanation"]["table"]["version"], data["premium"]) == (2, "10.20")

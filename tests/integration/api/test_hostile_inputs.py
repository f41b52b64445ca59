"""No route answers 500 to any input: schemathesis fuzzes every operation of our own OpenAPI.

Each operation is called with generated valid and invalid bodies, parameters and ids,
as the insurer's admin (who reaches the deepest code paths) and as an exporter.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings

from tests.conftest import Cast
from tradecover.api.app import create_app
from tradecover.config import Settings


@pytest.fixture
def fuzzed_app(settings: Settings, cast: Cast) -> Iterator[FastAPI]:
    app = create_app(settings)
    app.state.fuzz_headers = [cast.admin.headers, cast.exporter.headers]
    yield app
    app.state.engine.dispose()


@pytest.fixture
def api_schema(fuzzed_app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_input_makes_a_route_fail(case: Any, fuzzed_app: FastAPI) -> None:
    for headers in fuzzed_app.state.fuzz_headers:
        response = case.call(headers=headers)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text}")
        if response.status_code >= 400 and response.status_code != 405:
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.json()["code"]

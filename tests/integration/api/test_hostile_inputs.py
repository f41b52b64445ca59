"""No route answers 500 to any input: schemathesis fuzzes every operation of our own OpenAPI.

Each operation is called with generated bodies, parameters and ids (schema-conforming and
not) as the insurer's admin (who reaches the deepest code paths) and as an exporter; every
refusal must be a problem+json document with a stable ``code``.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from tests.conftest import BACKENDS, Cast
from tradecover.api.app import create_app
from tradecover.config import Settings

EXAMPLES = int(os.environ.get("TRADECOVER_FUZZ_EXAMPLES", "15"))


def _operations(schema: Any) -> list[Any]:
    operations = []
    for result in schema.get_all_operations():
        operations.append(result.ok())
    return operations


# One backend, the production one: the request models refuse what is hostile before any
# statement is sent (tests/unit/kit/test_inputs.py), so a second database adds only minutes.
@pytest.mark.parametrize("database", [BACKENDS[-1]], indirect=True)
def test_no_input_makes_any_route_fail(settings: Settings, cast: Cast) -> None:
    app = create_app(settings)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = _operations(schema)
    assert len(operations) > 20
    credentials = [cast.admin.headers, cast.exporter.headers]

    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any) -> None:
            for headers in credentials:
                response = case.call(headers=headers)
                where = f"{case.method} {case.formatted_path}"
                if response.status_code >= 500:
                    failures.append(f"{where} -> {response.status_code}: {response.text[:300]}")
                elif response.status_code >= 400 and response.status_code != 405:
                    kind = "".join(response.headers.get("content-type", []))
                    if not kind.startswith("application/problem+json") or not response.json().get(
                        "code"
                    ):
                        failures.append(f"{where} -> {response.status_code} without a problem")

        call()
    app.state.engine.dispose()
    assert failures == []

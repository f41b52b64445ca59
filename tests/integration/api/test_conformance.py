"""The server and its OpenAPI agree: schemathesis runs its conformance checks over every
operation (``docs/operations/api-conformance.md``) on a bounded, derandomised budget.

Checked: no 5xx; schema-valid requests accepted; schema-invalid ones refused; 405 with an
``Allow`` header for an undeclared method (and for OPTIONS, exactly the declared methods);
status codes, content types, headers and bodies of answers as documented. A schema-valid
request refused by a business rule (a schedule that does not add up, a role the
organisation kind does not have) is no disagreement: the schema states shape, the rules
state meaning; such a refusal is a 4xx problem with its own code. A refusal by a code that
means "the request is malformed" is a disagreement and fails the test.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema

from tests.conftest import BACKENDS, Cast
from tradecover.api.app import create_app
from tradecover.config import Settings

EXAMPLES = int(os.environ.get("TRADECOVER_CONFORMANCE_EXAMPLES", "1"))
SHAPE_CODES = frozenset(
    {
        "invalid_request",
        "malformed_json",
        "unsafe_text",
        "non_ascii_digits",
        "idempotency_key_required",
        "invalid_idempotency_key",
        "number_out_of_range",
        "value_out_of_range",
        "method_not_allowed",
        "not_found",
    }
)
"""Refusals that say the request's shape is wrong: the schema must have said so first."""


def _business_refusal(check: str, status: int | None, body: bytes | None) -> bool:
    """A schema-valid request refused by a business rule (not a conformance failure)."""
    import json

    if check != "positive_data_acceptance" or status is None or not 400 <= status < 500:
        return False
    try:
        code = json.loads(body or b"{}").get("code")
    except ValueError:
        return False
    return isinstance(code, str) and code not in SHAPE_CODES


# The schema and the server's answers do not depend on the database: one run, on the
# production database (PostgreSQL where configured, as in CI), keeps make test short.
@pytest.mark.parametrize("database", [BACKENDS[-1]], indirect=True)
def test_the_server_conforms_to_its_openapi(settings: Settings, cast: Cast) -> None:
    app = create_app(settings)
    config = SchemathesisConfig.from_dict(
        {
            "seed": 20261207,
            "headers": cast.admin.headers,
            "generation": {"max-examples": EXAMPLES, "deterministic": True},
            "phases": {"stateful": {"enabled": False}},
        }
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    failures: list[str] = []
    errors: list[str] = []
    scenarios = 0
    for event in from_schema(schema).execute():
        if isinstance(event, events.NonFatalError):
            errors.append(f"{event.label}: {event.info}")
        if not isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            continue
        scenarios += 1
        recorder = event.recorder
        for case_id, nodes in recorder.checks.items():
            for node in nodes:
                if node.status != Status.FAILURE:
                    continue
                interaction = recorder.interactions.get(case_id)
                response = interaction.response if interaction else None
                status = response.status_code if response else None
                body = response.content if response else None
                if _business_refusal(node.name, status, body):
                    continue
                case = recorder.cases[case_id].value
                title = node.failure_info.failure.title if node.failure_info else ""
                failures.append(
                    f"{node.name}: {case.method} {case.formatted_path} -> "
                    f"{status} {title} {(body or b'')[:200]!r}"
                )
    app.state.engine.dispose()
    assert scenarios > 100
    assert errors == []
    assert failures == []

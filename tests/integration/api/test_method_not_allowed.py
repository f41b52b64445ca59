"""405 names the resource's methods in ``Allow``, whichever route serves each of them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tradecover.api.openapi_conformance import LINE_TEXT_PATTERN


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("OPTIONS", "/api/v1/buyers", "GET, HEAD, POST"),
        ("DELETE", "/api/v1/declarations", "GET, HEAD, POST"),
        ("PATCH", "/api/v1/countries/DE", "GET, HEAD, PUT"),
        ("PUT", "/sign-in", "GET, HEAD, POST"),
    ],
)
def test_a_wrong_method_is_405_with_every_method_of_the_resource(
    app_client: TestClient, method: str, path: str, allow: str
) -> None:
    answer = app_client.request(method, path)
    assert (answer.status_code, answer.headers["allow"]) == (405, allow)
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == "method_not_allowed"
    assert answer.json()["detail"] == f"{method} is not allowed on this resource (allowed: {allow})"


def test_the_schema_marks_a_required_idempotency_key_required(app_client: TestClient) -> None:
    schema = app_client.get("/openapi.json").json()
    pay = schema["paths"]["/api/v1/billing/payments"]["post"]["parameters"]
    key = next(p for p in pay if p["name"] == "Idempotency-Key")
    assert key["required"] is True
    assert (key["schema"]["type"], key["schema"]["minLength"]) == ("string", 1)
    q = next(
        p for p in schema["paths"]["/api/v1/policies"]["get"]["parameters"] if p["name"] == "q"
    )
    assert q["schema"]["anyOf"][0]["pattern"] == LINE_TEXT_PATTERN

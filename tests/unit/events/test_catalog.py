"""The event catalogue: payloads checked against their schema, schemas published as files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tradecover.events import (
    CATALOG,
    OutboxEntry,
    checked_payload,
    envelope_schema,
    message_body,
    schema_documents,
)
from tradecover.kit.errors import ValidationFailed

DOCS = Path(__file__).resolve().parents[3] / "docs" / "events"
DECIDED = {
    "application_id": 7,
    "policy_id": 3,
    "buyer_id": 9,
    "outcome": "approved",
    "approved_amount": "250000.00",
    "currency": "USD",
    "limit_id": 11,
}


def test_the_published_schema_files_are_the_models() -> None:
    expected = schema_documents(CATALOG.values())
    found = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.json")}
    assert found == expected, "run: python scripts/events_schemas.py"


def test_every_product_event_is_catalogued() -> None:
    wanted = {
        "limit.decided",
        "limit.reduced",
        "limit.cancelled",
        "declaration.attached",
        "declaration.refused",
        "declaration.corrected",
        "notice.issued",
        "notice.paid",
        "notice.overdue",
        "policy.issued",
        "policy.suspended",
        "policy.renewed",
        "policy.terminated",
        "claim.filed",
        "claim.decided",
        "claim.paid",
        "recovery.shared",
        "consent.granted",
        "consent.revoked",
        "document.quarantined",
    }
    assert wanted <= set(CATALOG)
    assert all(t.version >= 1 for t in CATALOG.values())


def test_a_payload_that_matches_passes_as_json_values() -> None:
    assert checked_payload("limit.decided", DECIDED) == DECIDED


@pytest.mark.parametrize(
    "change",
    [{"approved_amount": "1e5"}, {"currency": "usd"}, {"surprise": 1}, {"buyer_id": "nine"}],
)
def test_a_payload_off_its_schema_is_refused(change: dict[str, object]) -> None:
    with pytest.raises(ValidationFailed):
        checked_payload("limit.decided", DECIDED | change)


def test_an_unknown_type_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        checked_payload("limit.approved", DECIDED)


def test_the_body_follows_its_envelope_schema() -> None:
    entry = OutboxEntry(
        sequence=1,
        event_id="evt_1",
        event_type="limit.decided",
        version=1,
        subject="limit_application:7",
        org_id=2,
        occurred_at=datetime(2026, 12, 7, 9, 30, tzinfo=UTC),
        payload=DECIDED,
    )
    body = json.loads(message_body(entry))
    schema = envelope_schema(CATALOG["limit.decided"])
    assert set(body) == set(schema["required"])
    assert body["data"] == DECIDED and body["type"] == schema["properties"]["type"]["const"]

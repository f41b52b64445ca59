"""Checks every registered document passes: its number printed on it, its hash in the
audit log, and the verification answers genuine for its bytes and not for altered ones."""

from __future__ import annotations

import hashlib
import re

from fastapi.testclient import TestClient

from tests.conftest import Actor, Database
from tests.integration.mail.smtp import pdf_text
from tradecover import audit
from tradecover.db.engine import transaction

NUMBER = re.compile(r"DOC-[0-9]{4}-[0-9]{6,}")


def assert_registered(
    db: Database, client: TestClient, content: bytes, reader: Actor, kind: str
) -> str:
    """The document number of ``content`` once every check of a registered document passed
    [domain DOC-1, DOC-2, DOC-3]."""
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    numbers: set[str] = set(NUMBER.findall(text))
    assert len(numbers) == 1, text
    number = next(iter(numbers))
    assert f"/verify?number={number}" in text
    digest = hashlib.sha256(content).hexdigest()
    with transaction(db.factory) as s:
        (entry,) = audit.history(s, entity_type="document", entity_id=number)
        assert entry.action == "document.issued"
        assert entry.after["sha256"] == digest and entry.after["kind"] == kind
    genuine = client.post(
        "/api/v1/documents/verify",
        json={"number": number, "sha256": digest},
        headers=reader.headers,
    )
    assert genuine.status_code == 200, genuine.text
    assert genuine.json()["outcome"] == "genuine" and genuine.json()["kind"] == kind
    altered = hashlib.sha256(content + b"\n").hexdigest()
    forged = client.post(
        "/api/v1/documents/verify",
        json={"number": number, "sha256": altered},
        headers=reader.headers,
    )
    assert forged.json() == {
        "number": number,
        "outcome": "not_genuine",
        "kind": None,
        "issued_on": None,
    }
    return number

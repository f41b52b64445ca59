"""The ERP route remembers a key that authenticated and has the database confirm it in the
request's own first round trip: a key revoked since is still refused at once, and writes
nothing; the answer is the same JSON the declaration's own read gives.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders.declarations import World, body, world
from tests.conftest import Cast, Database
from tests.integration.declarations.helpers import counts


@pytest.fixture
def w(app_client: TestClient, cast: Cast, db: Database) -> World:
    return world(app_client, cast, db)


def _post(client: TestClient, cast: Cast, payload: Any, key: str) -> Any:
    return client.post(
        "/api/v1/declarations",
        json=payload,
        headers={**cast.exporter.headers, "Idempotency-Key": key},
    )


def _revoke_exporters_key(client: TestClient, cast: Cast) -> None:
    keys = client.get(
        f"/api/v1/organisations/{cast.exporter.org_id}/api-keys", headers=cast.admin.headers
    ).json()
    for key in keys:
        assert (
            client.delete(f"/api/v1/api-keys/{key['id']}", headers=cast.admin.headers).status_code
            == 204
        )


def test_a_key_revoked_after_it_declared_is_refused_at_once(
    app_client: TestClient, cast: Cast, db: Database, w: World
) -> None:
    first = _post(app_client, cast, body(w, invoice_number="K-1"), "known-1")
    assert first.status_code == 201, first.text
    again = _post(app_client, cast, body(w, invoice_number="K-2"), "known-2")
    assert again.status_code == 201, again.text  # the remembered key, confirmed
    _revoke_exporters_key(app_client, cast)
    before = counts(db)
    single = _post(app_client, cast, body(w, invoice_number="K-3"), "known-3")
    assert (single.status_code, single.json()["code"]) == (401, "api_key_revoked")
    batch = _post(app_client, cast, {"declarations": [body(w, invoice_number="K-4")]}, "known-4")
    assert (batch.status_code, batch.json()["code"]) == (401, "api_key_revoked")
    assert counts(db) == before


def test_a_revoked_key_gets_401_even_when_every_item_is_unreadable(
    app_client: TestClient, cast: Cast, db: Database, w: World
) -> None:
    """Such a batch never reaches the database's confirmation: the key is checked anew."""
    assert _post(app_client, cast, body(w), "known-5").status_code == 201
    _revoke_exporters_key(app_client, cast)
    before = counts(db)
    unreadable = [body(w, invoice_number="U-1", prepayment="99999999")]
    answer = _post(app_client, cast, {"declarations": unreadable}, "known-6")
    assert (answer.status_code, answer.json()["code"]) == (401, "api_key_revoked")
    assert counts(db) == before


def test_the_answer_is_the_declarations_own_view(
    app_client: TestClient, cast: Cast, w: World
) -> None:
    declared = _post(app_client, cast, body(w, invoice_number="V-1", prepayment="100.00"), "view-1")
    assert declared.status_code == 201, declared.text
    read = app_client.get(
        f"/api/v1/declarations/{declared.json()['id']}", headers=cast.exporter.headers
    )
    view = {k: v for k, v in read.json().items() if k != "history"}
    assert declared.json() == view
    batch = _post(app_client, cast, {"declarations": [body(w, invoice_number="V-2")]}, "view-2")
    item = batch.json()["items"][0]["declaration"]
    read = app_client.get(f"/api/v1/declarations/{item['id']}", headers=cast.exporter.headers)
    assert item == {k: v for k, v in read.json().items() if k != "history"}


def test_a_large_batch_with_a_remembered_key_is_attached_and_replayed(
    app_client: TestClient, cast: Cast, db: Database, w: World
) -> None:
    """More items than the event loop decides go to a worker thread: same answers."""
    assert _post(app_client, cast, body(w, invoice_number="L-0"), "large-0").status_code == 201
    items = [body(w, invoice_number=f"L-{n}", invoice_amount="100.00") for n in range(1, 26)]
    items.append(body(w, invoice_number="L-1"))  # a duplicate within the batch
    answer = _post(app_client, cast, {"declarations": items}, "large-1")
    assert answer.status_code == 200, answer.text
    assert (answer.json()["accepted"], answer.json()["rejected"]) == (25, 1)
    before = counts(db)
    replay = _post(app_client, cast, {"declarations": items}, "large-1")
    assert (replay.status_code, replay.json()) == (200, answer.json())
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert counts(db) == before
    _revoke_exporters_key(app_client, cast)
    before = counts(db)  # (the revocation is audited)
    refused = _post(
        app_client,
        cast,
        {"declarations": [body(w, invoice_number=f"R-{n}") for n in range(20)]},
        "large-2",
    )
    assert (refused.status_code, refused.json()["code"]) == (401, "api_key_revoked")
    assert counts(db) == before


def test_the_key_is_checked_even_when_no_policy_of_the_request_exists(
    app_client: TestClient, cast: Cast, db: Database, w: World
) -> None:
    """The remembered key and the stored answer ride on the policies' statement: they come
    back when it finds no policy at all."""
    assert _post(app_client, cast, body(w, invoice_number="P-1"), "nopol-1").status_code == 201
    missing = _post(app_client, cast, body(w, invoice_number="P-2", policy_id=987654), "nopol-2")
    assert (missing.status_code, missing.json()["code"]) == (404, "policy_not_found")
    _revoke_exporters_key(app_client, cast)
    before = counts(db)
    revoked = _post(app_client, cast, body(w, invoice_number="P-3", policy_id=987654), "nopol-3")
    assert (revoked.status_code, revoked.json()["code"]) == (401, "api_key_revoked")
    assert counts(db) == before

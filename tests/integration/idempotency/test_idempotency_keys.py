"""The same Idempotency-Key sent many times at once creates one effect and identical replays."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select, text

from tests.conftest import Database, make_org
from tradecover.audit import service as audit
from tradecover.audit.model import AuditEntry
from tradecover.db.engine import transaction
from tradecover.idempotency import service as idem
from tradecover.kit.errors import Conflict, ValidationFailed


def _effects(db: Database, org_id: int) -> int:
    with transaction(db.factory) as s:
        return int(
            s.execute(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.org_id == org_id, AuditEntry.action == "effect")
            ).scalar_one()
        )


def _write_once(
    db: Database, org_id: int, key: str, body: dict[str, str], *, fails: bool = False
) -> object:
    """What a route does: hold the key, perform the effect and store the answer in one
    transaction (``fails``: the effect fails after writing)."""
    held = idem.HeldKey(org_id, key, idem.fingerprint(method="POST", path="/things", body=body))
    with transaction(db.factory) as s:

        def effect() -> object:
            entry = audit.record(
                s,
                org_id=org_id,
                actor="apikey:1",
                action="effect",
                entity_type="thing",
                entity_id=key,
                after=body,
            )
            if fails:
                raise RuntimeError("the effect failed")
            return {"id": entry.id, **body}

        answer = idem.answer_once(s, held, status_code=201, effect=effect)
    return ("replay" if answer.replayed else "first", answer.status_code, answer.body)


def _left_in_progress(
    db: Database, org_id: int, key: str, fingerprint: str, *, stale: bool
) -> None:
    """A key left ``in_progress`` by the retired two-transaction protocol."""
    created = (
        ("2020-01-01 00:00:00" if db.backend == "sqlite" else "2020-01-01T00:00:00+00:00")
        if stale
        else None
    )
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO idempotency_keys (org_id, key, fingerprint, status, created_at)"
                " VALUES (:org, :key, :fingerprint, 'in_progress', "
                + (":created)" if stale else "CURRENT_TIMESTAMP)")
            ),
            {"org": org_id, "key": key, "fingerprint": fingerprint, "created": created},
        )


def test_concurrent_retries_create_one_effect(db: Database) -> None:
    with transaction(db.factory) as s:
        org_id = make_org(s, slug="retrying-erp")
    body = {"invoice": "INV-1", "amount": "100.00"}
    barrier = threading.Barrier(16)
    outcomes: list[object] = []
    lock = threading.Lock()

    def client() -> None:
        barrier.wait()
        for _attempt in range(1000):  # up to ~10 s: a loaded CI machine can be slow
            try:
                result = _write_once(db, org_id, "key-1", body)
            except Conflict:
                time.sleep(0.01)  # still in flight: a real client retries after a pause
                continue
            with lock:
                outcomes.append(result)
            return

    threads = [threading.Thread(target=client) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _effects(db, org_id) == 1
    firsts = [o for o in outcomes if o[0] == "first"]  # type: ignore[index]
    replays = [o for o in outcomes if o[0] == "replay"]  # type: ignore[index]
    assert len(firsts) == 1
    assert len(firsts) + len(replays) == 16
    assert all(r[2] == firsts[0][2] for r in replays)  # type: ignore[index]


def test_same_key_with_another_body_is_refused(db: Database) -> None:
    with transaction(db.factory) as s:
        org_id = make_org(s, slug="careless-erp")
    _write_once(db, org_id, "key-2", {"amount": "1"})
    with pytest.raises(ValidationFailed) as refused:
        _write_once(db, org_id, "key-2", {"amount": "2"})
    assert refused.value.code == "idempotency_key_reused"
    assert _effects(db, org_id) == 1


def test_keys_are_scoped_per_organisation(db: Database) -> None:
    with transaction(db.factory) as s:
        first, second = make_org(s, slug="erp-one"), make_org(s, slug="erp-two")
    a = _write_once(db, first, "shared-key", {"amount": "1"})
    b = _write_once(db, second, "shared-key", {"amount": "1"})
    assert a[0] == b[0] == "first"  # type: ignore[index]
    assert a[2] != b[2]  # type: ignore[index]


def test_failed_effect_releases_the_key(db: Database) -> None:
    with transaction(db.factory) as s:
        org_id = make_org(s, slug="flaky-erp")
    with pytest.raises(RuntimeError):
        _write_once(db, org_id, "k", {"amount": "1"}, fails=True)
    assert _effects(db, org_id) == 0
    assert _write_once(db, org_id, "k", {"amount": "1"})[0] == "first"  # type: ignore[index]
    assert _effects(db, org_id) == 1


def test_a_key_left_in_progress_is_running_until_stale_then_taken_over(db: Database) -> None:
    with transaction(db.factory) as s:
        org_id = make_org(s, slug="crashed-erp")
    body = {"amount": "1"}
    fingerprint = idem.fingerprint(method="POST", path="/things", body=body)
    _left_in_progress(db, org_id, "fresh", fingerprint, stale=False)
    with pytest.raises(Conflict):
        _write_once(db, org_id, "fresh", body)
    _left_in_progress(db, org_id, "stale", fingerprint, stale=True)
    assert _write_once(db, org_id, "stale", body)[0] == "first"  # type: ignore[index]
    assert _write_once(db, org_id, "stale", body)[0] == "replay"  # type: ignore[index]
    assert _effects(db, org_id) == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "bad\nkey"])
def test_malformed_keys_are_refused(db: Database, key: str) -> None:
    with pytest.raises(ValidationFailed) as refused, transaction(db.factory) as s:
        idem.hold(s, idem.HeldKey(1, key, "f"))
    assert refused.value.field == "Idempotency-Key"


def test_a_key_held_in_the_effects_transaction_replays_what_was_stored(db: Database) -> None:
    """The one-transaction protocol (``hold`` then ``store`` before the commit), on each
    database: the stored answer is replayed, another body is refused, nothing half-done."""
    with transaction(db.factory) as s:
        org_id = make_org(s, slug="holder")
    fingerprint = idem.fingerprint(method="POST", path="/things", body={"n": "1"})
    with transaction(db.factory) as s:
        assert idem.hold(s, idem.HeldKey(org_id, "h-1", fingerprint)) is None
        idem.store(
            s,
            idem.HeldKey(org_id, "h-1", fingerprint),
            status_code=201,
            body_json='{"id": 7, "amount": "10.00"}',
        )
    with transaction(db.factory) as s:
        replay = idem.hold(s, idem.HeldKey(org_id, "h-1", fingerprint))
    assert replay == idem.Replay(201, {"id": 7, "amount": "10.00"})
    other = idem.fingerprint(method="POST", path="/things", body={"n": "2"})
    with pytest.raises(ValidationFailed) as refused, transaction(db.factory) as s:
        idem.hold(s, idem.HeldKey(org_id, "h-1", other))
    assert refused.value.code == "idempotency_key_reused"
    with db.factory() as s:  # a hold that is rolled back leaves no key behind
        assert idem.hold(s, idem.HeldKey(org_id, "h-2", fingerprint)) is None
        s.rollback()
    with transaction(db.factory) as s:
        assert idem.hold(s, idem.HeldKey(org_id, "h-2", fingerprint)) is None

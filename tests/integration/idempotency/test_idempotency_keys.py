"""The same Idempotency-Key sent many times at once creates one effect and identical replays."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

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
        return int(s.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.org_id == org_id, AuditEntry.action == "effect")).scalar_one())


def _write_once(db: Database, org_id: int, key: str, body: dict[str, str]) -> object:
    """What a route does: claim, perform the effect and store the answer in one transaction."""
    claimed = idem.claim(db.factory, org_id=org_id, key=key, request_fingerprint=idem.fingerprint(
        method="POST", path="/things", body=body))
    if isinstance(claimed, idem.Replay):
        return ("replay", claimed.status_code, claimed.body)
    try:
        with transaction(db.factory) as s:
            entry = audit.record(s, org_id=org_id, actor="apikey:1", action="effect",
                                 entity_type="thing", entity_id=key, after=body)
            answer = {"id": entry.id, **body}
            idem.complete(s, claimed, status_code=201, body=answer)
    except BaseException:
        idem.abandon(db.factory, claimed)
        raise
    return ("first", 201, answer)


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
    claimed = idem.claim(db.factory, org_id=org_id, key="k", request_fingerprint="f")
    assert isinstance(claimed, idem.Claim)
    with pytest.raises(Conflict):
        idem.claim(db.factory, org_id=org_id, key="k", request_fingerprint="f")
    idem.abandon(db.factory, claimed)
    again = idem.claim(db.factory, org_id=org_id, key="k", request_fingerprint="f")
    assert isinstance(again, idem.Claim)


def test_a_claim_left_by_a_crash_can_be_taken_over(db: Database) -> None:
    with transaction(db.factory) as s:
        org_id = make_org(s, slug="crashed-erp")
    idem.claim(db.factory, org_id=org_id, key="k", request_fingerprint="f")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE idempotency_keys SET created_at = :t"),
                      {"t": "2020-01-01 00:00:00" if db.backend == "sqlite"
                       else "2020-01-01T00:00:00+00:00"})
    taken = idem.claim(db.factory, org_id=org_id, key="k", request_fingerprint="f",
                       stale_after=timedelta(minutes=2))
    assert isinstance(taken, idem.Claim)


@pytest.mark.parametrize("key", ["", "x" * 256, "bad\nkey"])
def test_malformed_keys_are_refused(db: Database, key: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        idem.claim(db.factory, org_id=1, key=key, request_fingerprint="f")
    assert refused.value.field == "Idempotency-Key"


def test_a_key_held_in_the_effects_transaction_replays_what_was_stored(db: Database) -> None:
    """The one-transaction protocol (``hold`` then ``store`` before the commit), on each
    database: the stored answer is replayed, another body is refused, nothing half-done."""
    with transaction(db.factory) as s:
        org_id = make_org(s, slug="holder")
    fingerprint = idem.fingerprint(method="POST", path="/things", body={"n": "1"})
    with transaction(db.factory) as s:
        assert idem.hold(s, idem.HeldKey(org_id, "h-1", fingerprint)) is None
        idem.store(s, idem.HeldKey(org_id, "h-1", fingerprint), status_code=201,
                   body_json='{"id": 7, "amount": "10.00"}')
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

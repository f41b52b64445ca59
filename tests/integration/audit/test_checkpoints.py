"""Signed checkpoints make the audit log tamper-evident against whoever controls the
database: each of the seven tampers below fools the hash chain alone (``verify_all`` finds
nothing) and is named by the verification against the checkpoints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from tests.conftest import Database, make_org
from tradecover.audit import checkpointing
from tradecover.audit import service as audit
from tradecover.audit.chain import GENESIS_HASH, entry_hash
from tradecover.audit.checkpoint import Checkpoint
from tradecover.audit.keystore import FileKeyStore
from tradecover.audit.model import AuditChainHead, AuditEntry
from tradecover.audit.sink import FileSink
from tradecover.db.engine import transaction

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
Fields = list[dict[str, Any]]


@dataclass
class Log:
    """An audited organisation, its checkpoint key folder and sink."""

    db: Database
    org_id: int
    keys: FileKeyStore
    sink: FileSink

    def checkpoint(self) -> Checkpoint:
        with transaction(self.db.factory) as s:
            return checkpointing.take_checkpoint(s, keys=self.keys, sink=self.sink, at=AT)

    def record(self, i: int) -> None:
        with transaction(self.db.factory) as s:
            audit.record(
                s,
                org_id=self.org_id,
                actor="user:1",
                action="test.changed",
                entity_type="thing",
                entity_id=i,
                reason=f"step {i}",
                before={"n": i},
                after={"n": i + 1},
            )

    def report(self) -> checkpointing.VerifyReport:
        keys = {k.key_id: k.public_key for k in self.keys.published()}
        with transaction(self.db.factory) as s:
            assert audit.verify_all(s) == []  # the hash chain alone is fooled
            return checkpointing.verify_against(s, copies=[self.sink.read_all()], public_keys=keys)


@pytest.fixture
def log(db: Database, tmp_path: Path) -> Log:
    """Chain 0 of an exporter: its creation entry and five more; checkpoint 1 pins position 3,
    checkpoint 2 position 6."""
    with transaction(db.factory) as s:
        org_id = make_org(s, slug="audited-exporter")
    audited = Log(db, org_id, FileKeyStore(tmp_path / "keys"), FileSink(tmp_path / "cp.jsonl"))
    audited.keys.rotate(at=AT)
    for i in range(5):
        audited.record(i)
        if i in (1, 4):
            audited.checkpoint()
    return audited


def _forge(db: Database, org_id: int, chain: int, mutate: Callable[[Fields], Fields]) -> None:
    """Rewrite one chain as an attacker with the database's keys would: triggers off, the
    entries changed, every hash and the head recomputed."""
    with db.engine.begin() as conn:
        _triggers(conn, db.backend, on=False)
        s = Session(bind=conn)
        rows = list(
            s.execute(
                select(AuditEntry)
                .where(AuditEntry.org_id == org_id, AuditEntry.chain == chain)
                .order_by(AuditEntry.seq)
            ).scalars()
        )
        names = ("occurred_at", "actor", "action", "entity_type", "entity_id", "reason")
        fields = [{n: getattr(r, n) for n in (*names, "before", "after")} for r in rows]
        for row in rows:
            s.delete(row)
        s.flush()
        prev = GENESIS_HASH
        for seq, f in enumerate(mutate(fields), start=1):
            digest = entry_hash(prev_hash=prev, org_id=org_id, seq=seq, chain=chain, **f)
            s.add(AuditEntry(org_id=org_id, chain=chain, seq=seq, prev_hash=prev, hash=digest, **f))
            prev = digest
            s.flush()
        head = s.get(AuditChainHead, (org_id, chain))
        assert head is not None
        head.last_seq, head.last_hash = seq, prev
        s.flush()
        s.close()
        _triggers(conn, db.backend, on=True)


def _triggers(conn: Connection, backend: str, *, on: bool) -> None:
    if backend == "postgresql":
        conn.execute(
            text(f"ALTER TABLE audit_entries {'ENABLE' if on else 'DISABLE'} TRIGGER USER")
        )
    elif not on:
        conn.execute(text("DROP TRIGGER IF EXISTS tc_audit_entries_no_update"))
        conn.execute(text("DROP TRIGGER IF EXISTS tc_audit_entries_no_delete"))


def _tampered(report: checkpointing.VerifyReport) -> list[str]:
    assert not report.intact
    return report.problems()


def test_an_untouched_log_matches_its_checkpoints_and_names_what_came_since(log: Log) -> None:
    log.record(5)
    report = log.report()
    assert report.intact
    assert report.checkpoints == 2
    assert report.changes() == [
        f"organisation {log.org_id} chain 0: 1 entries appended since checkpoint 2"
    ]


def test_a_changed_entry_is_detected(log: Log) -> None:
    def change(fields: Fields) -> Fields:
        fields[4]["reason"] = "rewritten"
        return fields

    _forge(log.db, log.org_id, 0, change)
    assert _tampered(log.report()) == [
        f"organisation {log.org_id} chain 0: entries at positions 4 to 6 rewritten since "
        "checkpoint 1 (checkpoint 2 recorded another hash at position 6)"
    ]


def test_an_entry_removed_from_the_middle_is_detected(log: Log) -> None:
    _forge(log.db, log.org_id, 0, lambda fields: fields[:1] + fields[2:])
    assert _tampered(log.report()) == [
        f"organisation {log.org_id} chain 0: entries at positions 1 to 3 rewritten since the "
        "first entry (checkpoint 1 recorded another hash at position 3)"
    ]


def test_the_last_entry_removed_is_detected(log: Log) -> None:
    _forge(log.db, log.org_id, 0, lambda fields: fields[:-1])
    assert _tampered(log.report()) == [
        f"organisation {log.org_id} chain 0: entries from position 6 removed (checkpoint 2 "
        "recorded position 6)"
    ]


def test_reordered_entries_are_detected(log: Log) -> None:
    _forge(log.db, log.org_id, 0, lambda f: [f[0], f[1], f[2], f[4], f[3], f[5]])
    assert _tampered(log.report()) == [
        f"organisation {log.org_id} chain 0: entries at positions 4 to 6 rewritten since "
        "checkpoint 1 (checkpoint 2 recorded another hash at position 6)"
    ]


def test_a_forged_entry_with_every_hash_recomputed_is_detected(log: Log) -> None:
    def forge(fields: Fields) -> Fields:
        forged = dict(fields[1], action="limit.approved", reason="forged")
        return [fields[0], forged, *fields[1:-1]]  # same length, same head position

    _forge(log.db, log.org_id, 0, forge)
    assert _tampered(log.report()) == [
        f"organisation {log.org_id} chain 0: entries at positions 1 to 3 rewritten since the "
        "first entry (checkpoint 1 recorded another hash at position 3)"
    ]


def test_a_rewritten_head_is_detected(log: Log) -> None:
    def rewrite_head(fields: Fields) -> Fields:
        fields[-1]["after"] = {"n": 999}
        return fields

    _forge(log.db, log.org_id, 0, rewrite_head)
    assert _tampered(log.report()) == [
        f"organisation {log.org_id} chain 0: entries at positions 4 to 6 rewritten since "
        "checkpoint 1 (checkpoint 2 recorded another hash at position 6)"
    ]


def test_a_dropped_checkpoint_is_detected(log: Log) -> None:
    log.checkpoint()
    lines = log.sink.path.read_text().splitlines()
    log.sink.path.write_text("\n".join([lines[0], lines[2]]) + "\n")
    assert _tampered(log.report()) == ["checkpoint 2 is missing from the sequence"]


def test_a_sharded_chain_cut_short_is_detected(db: Database, tmp_path: Path) -> None:
    with transaction(db.factory) as s:
        org_id = make_org(s, slug="sharded-exporter")
        audit.append_many(
            s,
            [
                (
                    5,
                    audit.Pending(
                        org_id, "apikey:1", "declaration.attached", "declaration", f"d{i}"
                    ),
                )
                for i in range(3)
            ],
        )
    log = Log(db, org_id, FileKeyStore(tmp_path / "keys"), FileSink(tmp_path / "cp.jsonl"))
    log.keys.rotate(at=AT)
    log.checkpoint()
    _forge(db, org_id, 5, lambda fields: fields[:1])
    assert _tampered(log.report()) == [
        f"organisation {org_id} chain 5: entries from position 2 removed (checkpoint 1 "
        "recorded position 3)"
    ]


def test_no_checkpoint_is_signed_over_a_tampered_log(log: Log) -> None:
    _forge(log.db, log.org_id, 0, lambda fields: fields[:-1])
    before = log.sink.path.read_text()
    with pytest.raises(checkpointing.AuditTampered, match="no longer matches checkpoint 2"):
        log.checkpoint()
    assert log.sink.path.read_text() == before


def test_a_plain_break_fails_the_verification_against_checkpoints(log: Log) -> None:
    with log.db.engine.begin() as conn:
        _triggers(conn, log.db.backend, on=False)
        conn.execute(
            text("UPDATE audit_entries SET reason = 'x' WHERE org_id = :o AND seq = 2"),
            {"o": log.org_id},
        )
        _triggers(conn, log.db.backend, on=True)
    keys = {k.key_id: k.public_key for k in log.keys.published()}
    with transaction(log.db.factory) as s:
        report = checkpointing.verify_against(s, copies=[log.sink.read_all()], public_keys=keys)
    assert len(report.breaks) == 1
    assert _tampered(report) == [report.breaks[0].describe()]
    assert report.breaks[0].describe().endswith("at position 2 was changed")

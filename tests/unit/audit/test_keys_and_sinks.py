"""The key-file store (rotation keeps old public keys) and the checkpoint sinks."""

from __future__ import annotations

import json
import stat
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tradecover.audit.checkpoint import Checkpoint, PinnedHead, issue, verify_checkpoints
from tradecover.audit.keystore import (
    FileKeyStore,
    SigningKeyMissing,
    published_keys_json,
    read_published_keys,
)
from tradecover.audit.sink import FileSink, ObjectStoreSink, open_sink, read_checkpoints

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


def test_rotation_retires_the_old_key_but_keeps_publishing_it(tmp_path: Path) -> None:
    store = FileKeyStore(tmp_path / "keys")
    with pytest.raises(SigningKeyMissing):
        store.signing_key()
    first = store.rotate(at=AT)
    assert store.signing_key()[0] == first.key_id
    assert stat.S_IMODE((tmp_path / "keys" / f"{first.key_id}.pem").stat().st_mode) == 0o600
    second = store.rotate(at=LATER)
    assert store.signing_key()[0] == second.key_id
    assert [(k.key_id, k.retired_at) for k in store.published()] == [
        (first.key_id, LATER),
        (second.key_id, None),
    ]
    assert not (tmp_path / "keys" / f"{first.key_id}.pem").exists()  # private half destroyed
    published = json.dumps(published_keys_json(store.published()))
    assert read_published_keys(published) == {
        first.key_id: first.public_key,
        second.key_id: second.public_key,
    }


def _sign(store: FileKeyStore, last: Checkpoint | None) -> Checkpoint:
    key_id, key = store.signing_key()
    heads = [PinnedHead(1, 0, 1 + (last.number if last else 0), "e" * 64)]
    return issue(last=last, heads=heads, issued_at=AT, key_id=key_id, private_key=key)


def test_checkpoints_signed_before_a_rotation_still_verify(tmp_path: Path) -> None:
    store = FileKeyStore(tmp_path / "keys")
    sink = FileSink(tmp_path / "checkpoints.jsonl")
    store.rotate(at=AT)
    sink.append_next(lambda last: _sign(store, last))
    store.rotate(at=LATER)
    sink.append_next(lambda last: _sign(store, last))
    written = sink.read_all()
    assert [c.number for c in written] == [1, 2]
    assert written[0].key_id != written[1].key_id
    keys = {k.key_id: k.public_key for k in store.published()}
    assert verify_checkpoints([written], keys) == (written, [])
    lines = (tmp_path / "checkpoints.jsonl").read_text().splitlines()
    assert [json.loads(line)["number"] for line in lines] == [1, 2]


def test_an_export_document_reads_like_the_file(tmp_path: Path) -> None:
    store = FileKeyStore(tmp_path / "keys")
    store.rotate(at=AT)
    sink = open_sink(str(tmp_path / "c.jsonl"))
    sink.append_next(lambda last: _sign(store, last))
    sink.append_next(lambda last: _sign(store, last))
    document = json.dumps({"checkpoints": [c.to_json() for c in sink.read_all()]})
    assert read_checkpoints(document) == sink.read_all()
    assert read_checkpoints("") == []


def test_the_object_store_sink_writes_one_object_per_checkpoint(tmp_path: Path) -> None:
    store = FileKeyStore(tmp_path / "keys")
    store.rotate(at=AT)
    sink = open_sink(f"memory://audit-{uuid.uuid4().hex}/checkpoints")
    assert isinstance(sink, ObjectStoreSink)
    for _ in range(3):
        sink.append_next(lambda last: _sign(store, last))
    assert [c.number for c in sink.read_all()] == [1, 2, 3]
    assert [name.rsplit("/", 1)[-1] for name in sink._names()] == [
        "checkpoint-0000000001.json",
        "checkpoint-0000000002.json",
        "checkpoint-0000000003.json",
    ]

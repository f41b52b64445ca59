"""The hash chain names the first entry that was changed, removed or reordered."""

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tradecover.audit.chain import (
    GENESIS_HASH,
    ChainedEntry,
    entry_hash,
    entry_text_before_seq,
    verify_chain,
)


def _chain(n: int, org_id: int = 7) -> list[ChainedEntry]:
    entries, prev = [], GENESIS_HASH
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for seq in range(1, n + 1):
        fields = {
            "org_id": org_id,
            "seq": seq,
            "occurred_at": start + timedelta(minutes=seq),
            "actor": "user:1",
            "action": "policy.issued",
            "entity_type": "policy",
            "entity_id": str(seq),
            "reason": None,
            "before": {"state": "quoted"},
            "after": {"state": "active", "amount": "10.00"},
        }
        digest = entry_hash(prev_hash=prev, **fields)  # type: ignore[arg-type]
        entries.append(ChainedEntry(id=100 + seq, prev_hash=prev, hash=digest, **fields))  # type: ignore[arg-type]
        prev = digest
    return entries


def _verify(entries: list[ChainedEntry], head: ChainedEntry | None = None) -> object:
    last = head or entries[-1]
    return verify_chain(7, entries, head_seq=last.seq, head_hash=last.hash)


def test_intact_chain_verifies() -> None:
    assert _verify(_chain(5)) is None


def test_changed_entry_is_named() -> None:
    entries = _chain(5)
    entries[2] = replace(entries[2], after={"state": "active", "amount": "99.00"})
    found = _verify(entries)
    assert found is not None
    assert (found.seq, found.entry_id, found.problem) == (3, 103, "changed")  # type: ignore[attr-defined]


def test_removed_entry_is_named() -> None:
    entries = _chain(5)
    del entries[1]
    found = _verify(entries, head=_chain(5)[-1])
    assert (found.seq, found.problem) == (2, "missing")  # type: ignore[attr-defined]


def test_reordered_entries_are_named() -> None:
    entries = _chain(5)
    entries[1], entries[3] = entries[3], entries[1]
    found = _verify(entries, head=_chain(5)[-1])
    assert (found.seq, found.entry_id, found.problem) == (2, 104, "reordered")  # type: ignore[attr-defined]


def test_truncated_tail_is_detected() -> None:
    full = _chain(5)
    found = verify_chain(7, full[:4], head_seq=5, head_hash=full[-1].hash)
    assert (found.seq, found.problem) == (5, "truncated")  # type: ignore[union-attr]


def test_an_entry_moved_to_another_chain_is_named() -> None:
    entries = _chain(3)
    entries[1] = replace(entries[1], chain=4)
    found = _verify(entries)
    assert (found.seq, found.entry_id, found.problem) == (2, 102, "changed")  # type: ignore[attr-defined]


def test_the_chain_number_is_hashed_from_chain_one_on() -> None:
    fields = {
        "prev_hash": GENESIS_HASH,
        "org_id": 7,
        "seq": 1,
        "occurred_at": datetime(2026, 11, 1, tzinfo=UTC),
        "actor": "user:1",
        "action": "declaration.attached",
        "entity_type": "declaration",
        "entity_id": "1",
        "reason": None,
        "before": None,
        "after": {"n": 1},
    }
    unsharded = entry_hash(**fields)  # type: ignore[arg-type]
    assert entry_hash(**fields, chain=0) == unsharded  # type: ignore[arg-type]
    assert entry_hash(**fields, chain=3) != unsharded  # type: ignore[arg-type]
    assert entry_hash(**fields, chain=3) != entry_hash(**fields, chain=4)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(
    seq=st.integers(min_value=1, max_value=10**9),
    chain=st.integers(min_value=0, max_value=64),
    actor=st.text(max_size=20),
    reason=st.none() | st.text(max_size=30),
    after=st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=8), max_size=4),
)
def test_the_text_before_the_position_hashes_as_the_entry(
    seq: int, chain: int, actor: str, reason: str | None, after: dict[str, object]
) -> None:
    """[domain CS-8] The access log's one-statement append hashes in the database
    ``prev + text_before_seq + seq + "}"``: the same hash the verifier recomputes."""
    at = datetime(2026, 12, 7, 23, 1, 2, 345678, tzinfo=UTC)
    common = {
        "org_id": 7,
        "occurred_at": at,
        "actor": actor,
        "action": "data.read",
        "entity_type": "exporter_data",
        "entity_id": "shipment_core",
        "reason": reason,
        "before": None,
        "after": after,
        "chain": chain,
    }
    prefix = entry_text_before_seq(**common)  # type: ignore[arg-type]
    direct = hashlib.sha256((GENESIS_HASH + prefix + str(seq) + "}").encode()).hexdigest()
    assert direct == entry_hash(prev_hash=GENESIS_HASH, seq=seq, **common)  # type: ignore[arg-type]

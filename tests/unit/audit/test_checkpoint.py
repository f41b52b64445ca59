"""Signed checkpoints: the statement, its signature, the sequence and the pinned chains."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from tradecover.audit.checkpoint import (
    GENESIS_DIGEST,
    Checkpoint,
    CheckpointFormatError,
    Pin,
    PinnedHead,
    compare_chain,
    issue,
    key_id_of,
    raw_public_key,
    verify_checkpoints,
)

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
KEY_ID = key_id_of(raw_public_key(KEY))
PUBLIC = {KEY_ID: raw_public_key(KEY)}
HEADS = (
    PinnedHead(1, 0, 4, "a" * 64),
    PinnedHead(2, 0, 2, "b" * 64),
    PinnedHead(2, 7, 9, "c" * 64),
)


def _series(n: int, heads: tuple[PinnedHead, ...] = HEADS) -> list[Checkpoint]:
    series: list[Checkpoint] = []
    for _ in range(n):
        series.append(
            issue(
                last=series[-1] if series else None,
                heads=heads,
                issued_at=AT,
                key_id=KEY_ID,
                private_key=KEY,
            )
        )
    return series


def test_checkpoints_chain_by_number_and_previous_digest() -> None:
    first, second = _series(2)
    assert (first.number, first.previous) == (1, GENESIS_DIGEST)
    assert (second.number, second.previous) == (2, first.digest())
    assert verify_checkpoints([[first, second]], PUBLIC) == ([first, second], [])


def test_a_checkpoint_survives_its_json_line() -> None:
    (first,) = _series(1)
    assert Checkpoint.from_json(first.to_json()) == first
    with pytest.raises(CheckpointFormatError):
        Checkpoint.from_json({"number": "x"})


@given(index=st.integers(0, 2), digit=st.sampled_from("0123456789def"))
def test_altered_heads_no_longer_match_the_signed_statement(index: int, digit: str) -> None:
    (checkpoint,) = _series(1)
    heads = list(checkpoint.heads)
    heads[index] = replace(heads[index], hash=digit * 64)
    altered = replace(checkpoint, heads=tuple(heads))
    valid, findings = verify_checkpoints([[altered]], PUBLIC)
    assert valid == []
    assert [(f.problem, f.org_id) for f in findings] == [
        ("checkpoint_heads_altered", heads[index].org_id)
    ]


def test_an_altered_statement_or_a_foreign_key_is_refused() -> None:
    (checkpoint,) = _series(1)
    later = replace(checkpoint, issued_at=datetime(2027, 1, 1, tzinfo=UTC))
    assert [f.problem for f in verify_checkpoints([[later]], PUBLIC)[1]] == [
        "checkpoint_signature_invalid"
    ]
    assert [f.message for f in verify_checkpoints([[checkpoint]], {})[1]] == [
        f"checkpoint 1 is signed with unknown key {KEY_ID}"
    ]
    impostor = Ed25519PrivateKey.generate()
    forged = issue(last=None, heads=HEADS, issued_at=AT, key_id=KEY_ID, private_key=impostor)
    assert [f.problem for f in verify_checkpoints([[forged]], PUBLIC)[1]] == [
        "checkpoint_signature_invalid"
    ]


def test_a_dropped_checkpoint_is_named() -> None:
    series = _series(5)
    _valid, findings = verify_checkpoints([[series[0], series[3], series[4]]], PUBLIC)
    assert [f.message for f in findings] == ["checkpoints 2 to 3 are missing from the sequence"]
    _valid, findings = verify_checkpoints([series[1:]], PUBLIC)
    assert [f.message for f in findings] == ["checkpoint 1 is missing from the sequence"]


def test_copies_without_any_checkpoint_fail() -> None:
    assert [f.message for f in verify_checkpoints([[]], PUBLIC)[1]] == [
        "the copies given hold no checkpoint"
    ]


def test_copies_that_disagree_are_named() -> None:
    series = _series(2)
    other = issue(
        last=series[0],
        heads=HEADS[:1],
        issued_at=AT,
        key_id=KEY_ID,
        private_key=KEY,
    )
    _valid, findings = verify_checkpoints([series, [series[0], other]], PUBLIC)
    assert [f.message for f in findings] == ["checkpoint 2 differs between the copies given"]


def test_an_organisation_copy_verifies_on_its_own() -> None:
    copy = [c.for_organisation(2) for c in _series(2)]
    assert {h.org_id for c in copy for h in c.heads} == {2}
    valid, findings = verify_checkpoints([copy], PUBLIC, org_id=2)
    assert (len(valid), findings) == (2, [])
    # read as the whole log's copy, organisation 1's heads are missing
    _valid, findings = verify_checkpoints([copy], PUBLIC)
    assert {f.problem for f in findings} == {"checkpoint_heads_altered"}


PINS = [Pin(1, 3, "h3"), Pin(2, 6, "h6"), Pin(3, 6, "h6")]


def test_every_pin_holding_names_only_the_entries_appended() -> None:
    found = compare_chain(4, 0, PINS, {3: "h3", 6: "h6"}, 8)
    assert found is not None
    assert (found.tampered, found.message) == (
        False,
        "organisation 4 chain 0: 2 entries appended since checkpoint 3",
    )
    assert compare_chain(4, 0, PINS, {3: "h3", 6: "h6"}, 6) is None


def test_a_rewrite_is_placed_after_the_last_pin_that_holds() -> None:
    found = compare_chain(4, 0, PINS, {3: "h3", 6: "forged"}, 6)
    assert found is not None
    assert (found.problem, found.checkpoint, found.message) == (
        "entries_rewritten",
        2,
        "organisation 4 chain 0: entries at positions 4 to 6 rewritten since checkpoint 1 "
        "(checkpoint 2 recorded another hash at position 6)",
    )
    found = compare_chain(4, 0, PINS, {3: "forged", 6: "h6"}, 6)
    assert found is not None
    assert found.message.startswith("organisation 4 chain 0: entries at positions 1 to 3 ")


def test_removed_entries_and_chains_are_named() -> None:
    found = compare_chain(4, 5, PINS, {3: "h3"}, 5)
    assert found is not None
    assert found.message == (
        "organisation 4 chain 5: entries from position 6 removed (checkpoint 2 recorded position 6)"
    )
    found = compare_chain(4, 5, PINS, {}, 0)
    assert found is not None
    assert (found.problem, found.tampered) == ("chain_removed", True)


def test_a_chain_opened_since_the_last_checkpoint_is_a_change() -> None:
    found = compare_chain(4, 9, [], {}, 3)
    assert found is not None
    assert (found.problem, found.tampered) == ("chain_opened", False)
    assert compare_chain(4, 9, [], {}, 0) is None

"""Pure hash-chain rules: how an entry is hashed and how a chain is verified."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tradecover.kit.canonical import canonical_json

GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class ChainedEntry:
    """The hashed content of one audit entry."""

    id: int
    org_id: int
    seq: int
    occurred_at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    reason: str | None
    before: Any
    after: Any
    prev_hash: str
    hash: str
    chain: int = 0


def entry_hash(
    *,
    prev_hash: str,
    org_id: int,
    seq: int,
    occurred_at: datetime,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    reason: str | None,
    before: Any,
    after: Any,
    chain: int = 0,
) -> str:
    """SHA-256 over the previous hash and a canonical serialisation of the entry.

    The chain number is part of the hashed content from chain 1 on (chain 0 hashes as
    before the log was sharded, so older entries keep verifying).
    """
    fields: dict[str, Any] = {
        "org_id": org_id,
        "seq": seq,
        "occurred_at": occurred_at.isoformat(),
        "actor": actor,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "reason": reason,
        "before": before,
        "after": after,
    }
    if chain:
        fields["chain"] = chain
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode()).hexdigest()


SEQ_TAIL = '"seq":'
"""What the hashed text of an entry ends with before its position and the closing brace:
``seq`` sorts last among the hashed fields."""


def entry_text_before_seq(
    *,
    org_id: int,
    occurred_at: datetime,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    reason: str | None,
    before: Any,
    after: Any,
    chain: int = 0,
) -> str:
    """The hashed text of an entry up to its position: :func:`entry_hash` is the SHA-256 of
    ``prev_hash + this + str(seq) + "}"``, so that a writer that learns the position and
    the previous hash only in the database can hash there (the access log's one-statement
    append [domain CS-8]) and still verify here.
    """
    fields: dict[str, Any] = {
        "org_id": org_id,
        "seq": 0,
        "occurred_at": occurred_at.isoformat(),
        "actor": actor,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "reason": reason,
        "before": before,
        "after": after,
    }
    if chain:
        fields["chain"] = chain
    text = canonical_json(fields)
    if not text.endswith(SEQ_TAIL + "0}"):  # pragma: no cover - a field sorting after seq
        raise ValueError("the position is not the last hashed field")
    return text[: -len("0}")]


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first entry at which a chain stops verifying, and why."""

    org_id: int
    seq: int
    entry_id: int | None
    problem: str  # "changed", "missing", "reordered", "truncated"
    chain: int = 0

    def describe(self) -> str:
        """A sentence naming the entry (and its chain, when not the organisation's chain 0)."""
        ident = f"entry id {self.entry_id}" if self.entry_id is not None else "an entry"
        where = f"organisation {self.org_id}" + (f" chain {self.chain}" if self.chain else "")
        return f"{where}: {ident} at position {self.seq} was {self.problem}"


def verify_chain(
    org_id: int,
    entries: Iterable[ChainedEntry],
    *,
    head_seq: int,
    head_hash: str,
    chain: int = 0,
) -> ChainBreak | None:
    """Walk one chain of an organisation in id order; return the first break or ``None``.

    ``head_seq``/``head_hash`` are the chain head kept beside the log, which lets the
    verifier notice entries removed from the end.
    """
    ordered = list(entries)
    present = {entry.seq for entry in ordered}
    prev = GENESIS_HASH
    for position, entry in enumerate(ordered, start=1):
        if entry.seq != position:
            if position in present:
                return ChainBreak(org_id, position, entry.id, "reordered", chain)
            return ChainBreak(org_id, position, None, "missing", chain)
        recomputed = entry_hash(
            prev_hash=prev,
            org_id=entry.org_id,
            seq=entry.seq,
            occurred_at=entry.occurred_at,
            actor=entry.actor,
            action=entry.action,
            entity_type=entry.entity_type,
            entity_id=entry.entity_id,
            reason=entry.reason,
            before=entry.before,
            after=entry.after,
            chain=entry.chain,
        )
        if (
            entry.prev_hash != prev
            or recomputed != entry.hash
            or entry.org_id != org_id
            or entry.chain != chain
        ):
            return ChainBreak(org_id, position, entry.id, "changed", chain)
        prev = entry.hash
    if len(ordered) != head_seq or prev != head_hash:
        return ChainBreak(org_id, len(ordered) + 1, None, "truncated", chain)
    return None

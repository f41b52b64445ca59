"""Recording audit entries in the caller's transaction, and verifying every chain.

Each organisation has chain 0 (its own records: the default of :func:`record`) and
``AUDIT_CHAINS`` more chains that high-volume writers shard their entries over by entity
(:func:`chain_for`): declarations on different credit limits append to different chains, so
they never wait for each other on one chain head.  Every chain is append-only and
hash-chained on its own; :func:`verify_all` verifies each and names its first bad entry.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, case, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tradecover.audit.chain import (
    GENESIS_HASH,
    ChainBreak,
    ChainedEntry,
    entry_hash,
    entry_text_before_seq,
    verify_chain,
)
from tradecover.audit.model import AuditChainHead, AuditEntry
from tradecover.kit.canonical import canonical_json
from tradecover.kit.dates import utc_now

AUDIT_CHAINS = 64
"""Sharded chains per organisation besides chain 0."""


_HEADS = cast(Table, AuditChainHead.__table__)
_INSERT_ENTRY = insert(cast(Table, AuditEntry.__table__))
_INSERT_ONE_ENTRY = _INSERT_ENTRY.returning(cast(Table, AuditEntry.__table__).c.id)
_LOCK_HEADS = {
    dialect: upsert(_HEADS)
    .on_conflict_do_update(
        index_elements=["org_id", "chain"],
        set_={"last_seq": _HEADS.c.last_seq},
    )
    .returning(_HEADS.c.org_id, _HEADS.c.chain, _HEADS.c.last_seq, _HEADS.c.last_hash)
    for dialect, upsert in ((True, postgresql.insert), (False, sqlite.insert))
}

_MOVE_HEADS = (
    update(_HEADS)
    .where(_HEADS.c.org_id == bindparam("o"), _HEADS.c.chain == bindparam("c"))
    .values(last_seq=bindparam("s"), last_hash=bindparam("h"))
)


def chain_for(key: int) -> int:
    """The sharded chain (1..``AUDIT_CHAINS``) of an entity key, e.g. a credit limit id."""
    return 1 + key % AUDIT_CHAINS


def record(
    session: Session,
    *,
    org_id: int,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str | int,
    reason: str | None = None,
    before: Any = None,
    after: Any = None,
    at: datetime | None = None,
    chain: int = 0,
) -> AuditEntry:
    """Append one entry to ``org_id``'s chain ``chain`` inside the current transaction.

    The caller's pending changes are flushed first (as every audited change expects its
    rows written when its entry is).  The chain head row is locked and created if missing
    by ONE cached upsert (PostgreSQL locks the row it conflicts on; on SQLite the ``BEGIN
    IMMEDIATE`` transaction already serialises writers), so entries of one chain get
    gap-free positions while other chains and organisations never wait; the entry is
    written and the head moved with cached Core statements, as :func:`append_many` does.
    """
    session.flush()
    connection = session.connection()
    locked = connection.execute(
        _LOCK_HEADS[connection.dialect.name == "postgresql"],
        {"org_id": org_id, "chain": chain, "last_seq": 0, "last_hash": GENESIS_HASH},
    ).one()
    occurred_at = at or utc_now()
    prev_hash = str(locked[3])
    seq = int(locked[2]) + 1
    values: dict[str, Any] = {
        "org_id": org_id,
        "chain": chain,
        "seq": seq,
        "occurred_at": occurred_at,
        "actor": actor,
        "action": action,
        "entity_type": entity_type,
        "entity_id": str(entity_id),
        "reason": reason,
        "before": before,
        "after": after,
        "prev_hash": prev_hash,
    }
    values["hash"] = entry_hash(
        prev_hash=prev_hash,
        org_id=org_id,
        seq=seq,
        occurred_at=occurred_at,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        reason=reason,
        before=before,
        after=after,
        chain=chain,
    )
    entry_id = connection.execute(_INSERT_ONE_ENTRY, values).scalar_one()
    connection.execute(_MOVE_HEADS, {"o": org_id, "c": chain, "s": seq, "h": values["hash"]})
    return AuditEntry(id=int(entry_id), **values)


@dataclass(frozen=True, slots=True)
class Pending:
    """One entry to append with :func:`append_many` (the chain is given there)."""

    org_id: int
    actor: str
    action: str
    entity_type: str
    entity_id: str
    reason: str | None = None
    before: Any = None
    after: Any = None


def _lock_heads(
    session: Session, keys: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], tuple[int, str]]:
    """Lock the heads of ``keys`` (organisation, chain), creating those missing, with ONE
    upsert in (organisation, chain) order: key -> (last position, last hash).

    ``INSERT ... ON CONFLICT DO UPDATE`` (a no-op update) locks an existing head and creates
    a missing one row by row in the order given, so concurrent writers take every head,
    old or new, in the same order and cannot deadlock (a locking read followed by an insert
    of the missing heads could: it holds a later head while it waits on an earlier one).
    """
    connection = session.connection()
    # one cached statement run as an executemany (rendered as ONE multi-row insert in the
    # order given) on the session's connection: a multi-row VALUES built per call is
    # compiled afresh each time, and the ORM's bulk-DML layer costs more CPU than the SQL
    rows = connection.execute(
        _LOCK_HEADS[connection.dialect.name == "postgresql"],
        [
            {"org_id": o, "chain": c, "last_seq": 0, "last_hash": GENESIS_HASH}
            for o, c in sorted(keys)
        ],
    )
    return {(int(r[0]), int(r[1])): (int(r[2]), str(r[3])) for r in rows}


def chain_rows(
    org_id: int,
    chain: int,
    head: tuple[int, str],
    entries: Sequence[Pending],
    occurred_at: datetime,
    rows: list[dict[str, Any]],
) -> tuple[int, str]:
    """Hash ``entries`` onto one chain whose locked head is ``head`` (last position, last
    hash), appending their column values to ``rows``; returns the chain's new head.
    """
    seq, prev = head
    for entry in entries:
        seq += 1
        digest = entry_hash(
            prev_hash=prev,
            org_id=org_id,
            seq=seq,
            occurred_at=occurred_at,
            actor=entry.actor,
            action=entry.action,
            entity_type=entry.entity_type,
            entity_id=entry.entity_id,
            reason=entry.reason,
            before=entry.before,
            after=entry.after,
            chain=chain,
        )
        rows.append(
            {
                "org_id": org_id,
                "chain": chain,
                "seq": seq,
                "occurred_at": occurred_at,
                "actor": entry.actor,
                "action": entry.action,
                "entity_type": entry.entity_type,
                "entity_id": entry.entity_id,
                "reason": entry.reason,
                "before": entry.before,
                "after": entry.after,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    return seq, prev


def _move_heads(session: Session, moved: dict[int, dict[int, tuple[int, str]]]) -> None:
    """Move the locked heads: on PostgreSQL, one update (by chain) for several chains of
    one organisation, as the attachment path writes; else (one head, several
    organisations as an access log spanning many exporters, or SQLite, whose driver loops
    an executemany in C) an executemany of one cached statement.
    """
    connection = session.connection()
    single = len(moved) == 1 and len(next(iter(moved.values()))) == 1
    if len(moved) == 1 and not single and connection.dialect.name == "postgresql":
        [(org_id, heads)] = moved.items()
        key = _HEADS.c.chain
        connection.execute(
            update(_HEADS)
            .where(_HEADS.c.org_id == org_id, key.in_(sorted(heads)))
            .values(
                last_seq=case({c: m[0] for c, m in heads.items()}, value=key),
                last_hash=case({c: m[1] for c, m in heads.items()}, value=key),
            )
        )
        return
    connection.execute(
        _MOVE_HEADS,
        [
            {"o": org_id, "c": chain, "s": seq, "h": digest}
            for org_id, heads in sorted(moved.items())
            for chain, (seq, digest) in sorted(heads.items())
        ],
    )


def append_many(session: Session, entries: Sequence[tuple[int, Pending]]) -> None:
    """Append ``(chain, entry)`` pairs in the caller's transaction with set-based SQL.

    The chain heads involved, of every organisation, are locked with ONE upsert (in
    (organisation, chain) order, so that concurrent writers cannot deadlock, see
    :func:`_lock_heads`); the entries are written with ONE multi-row insert in
    chain-position order (ids follow positions, as the verifier expects) and the heads
    moved with one update (one organisation) or one executemany (several).  Call it last
    in a transaction, just before the commit: the head locks are then held shortest.
    """
    if not entries:
        return
    occurred_at = utc_now()
    by_chain: dict[tuple[int, int], list[Pending]] = {}
    for chain, entry in entries:
        by_chain.setdefault((entry.org_id, chain), []).append(entry)
    rows: list[dict[str, Any]] = []
    # every head of every organisation locked by one upsert
    heads = _lock_heads(session, list(by_chain))
    moved: dict[int, dict[int, tuple[int, str]]] = {}
    for key in sorted(by_chain):
        org_id, chain = key
        moved.setdefault(org_id, {})[chain] = chain_rows(
            org_id, chain, heads[key], by_chain[key], occurred_at, rows
        )
    _move_heads(session, moved)
    # executemany of one cached statement: a multi-row VALUES with JSON values is compiled
    # afresh on every call (~1 ms CPU per attachment); rows keep their order (ids follow
    # positions)
    session.connection().execute(_INSERT_ENTRY, rows)


_APPEND_LOG = (
    "SELECT audit_append_log(%(o)b::bigint[], %(c)b::integer[], %(key)b::integer[], "
    "%(actor)b::text[], %(action)b::text[], %(entity_type)b::text[], %(entity_id)b::text[], "
    "%(reason)b::text[], %(before)b::text[], %(after)b::text[], %(text)b::text[], "
    "%(at)b::timestamptz, %(relaxed)b::boolean)"
)
"""The one call of the database function (migration 0041) that appends a batch: a fixed
text, which the driver prepares after a few runs; its arrays travel in binary (``%b``: the
text form would escape every quote of the entries' JSON, character by character)."""


def append_log(
    session: Session, entries: Sequence[tuple[int, Pending]], *, relaxed_commit: bool = False
) -> None:
    """:func:`append_many` in ONE round trip on PostgreSQL, for the access log of a read
    [domain CS-8]: the database function ``audit_append_log`` locks the chain heads
    involved with one upsert in (organisation, chain) order (creating those missing),
    hashes each entry onto its chain there (SHA-256 of the previous hash and the entry's
    canonical text, :func:`~tradecover.audit.chain.entry_text_before_seq`, with its
    position: the hash :func:`verify_all` recomputes), inserts the entries in position
    order and moves the heads; ``relaxed_commit`` lets the transaction commit without
    waiting for its WAL flush (ADR 0025).  Same chains, hashes and positions as
    :func:`append_many`, which it is on other databases.
    """
    if not entries:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql" or connection.dialect.driver != "psycopg":
        append_many(session, entries)
        return
    occurred_at = utc_now()
    by_chain: dict[tuple[int, int], list[Pending]] = {}
    for chain, entry in entries:
        by_chain.setdefault((entry.org_id, chain), []).append(entry)
    keys = sorted(by_chain)
    values: dict[str, list[Any]] = {
        name: []
        for name in ("key", "actor", "action", "entity_type", "entity_id", "reason", "text")
    }
    values["before"], values["after"] = [], []
    for index, (org_id, chain) in enumerate(keys, start=1):
        for entry in by_chain[(org_id, chain)]:
            values["key"].append(index)
            values["actor"].append(entry.actor)
            values["action"].append(entry.action)
            values["entity_type"].append(entry.entity_type)
            values["entity_id"].append(entry.entity_id)
            values["reason"].append(entry.reason)
            values["before"].append(None if entry.before is None else canonical_json(entry.before))
            values["after"].append(None if entry.after is None else canonical_json(entry.after))
            values["text"].append(
                entry_text_before_seq(
                    org_id=org_id,
                    occurred_at=occurred_at,
                    actor=entry.actor,
                    action=entry.action,
                    entity_type=entry.entity_type,
                    entity_id=entry.entity_id,
                    reason=entry.reason,
                    before=entry.before,
                    after=entry.after,
                    chain=chain,
                )
            )
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        cursor.execute(
            _APPEND_LOG,
            {
                "o": [o for o, _c in keys],
                "c": [c for _o, c in keys],
                **values,
                "at": occurred_at,
                "relaxed": relaxed_commit,
            },
        )


def _entries(session: Session, org_id: int, chain: int) -> Iterator[ChainedEntry]:
    rows = session.execute(
        select(AuditEntry)
        .where(AuditEntry.org_id == org_id, AuditEntry.chain == chain)
        .order_by(AuditEntry.id)
        .execution_options(yield_per=2000)
    ).scalars()
    for row in rows:
        yield ChainedEntry(
            id=row.id,
            org_id=row.org_id,
            seq=row.seq,
            occurred_at=row.occurred_at,
            actor=row.actor,
            action=row.action,
            entity_type=row.entity_type,
            entity_id=row.entity_id,
            reason=row.reason,
            before=row.before,
            after=row.after,
            prev_hash=row.prev_hash,
            hash=row.hash,
            chain=row.chain,
        )


def verify_all(session: Session, *, org_id: int | None = None) -> list[ChainBreak]:
    """Verify every chain of every organisation (or of ``org_id`` only); one break (the
    first) per broken chain.
    """
    heads = select(AuditChainHead.org_id, AuditChainHead.chain)
    stored = select(AuditEntry.org_id, AuditEntry.chain).distinct()
    if org_id is not None:
        heads = heads.where(AuditChainHead.org_id == org_id)
        stored = stored.where(AuditEntry.org_id == org_id)
    chains = {(int(o), int(c)) for o, c in session.execute(heads)}
    chains |= {(int(o), int(c)) for o, c in session.execute(stored)}
    breaks: list[ChainBreak] = []
    for org, chain in sorted(chains):
        head = session.get(AuditChainHead, (org, chain))
        head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
        found = verify_chain(
            org, _entries(session, org, chain), head_seq=head_seq, head_hash=head_hash, chain=chain
        )
        if found:
            breaks.append(found)
    return breaks


def history(
    session: Session, *, entity_type: str, entity_id: str | int, org_id: int | None = None
) -> list[AuditEntry]:
    """All entries about one entity, oldest first (optionally within one organisation)."""
    query = select(AuditEntry).where(
        AuditEntry.entity_type == entity_type, AuditEntry.entity_id == str(entity_id)
    )
    if org_id is not None:
        query = query.where(AuditEntry.org_id == org_id)
    return list(session.execute(query.order_by(AuditEntry.id)).scalars())


def readable_entries(org_id: int | None) -> Select[AuditEntry]:
    """The entries of ``org_id``'s chains, or of every chain when None (the insurer's view).

    Every list of entries starts from this statement.
    """
    query = select(AuditEntry)
    return query if org_id is None else query.where(AuditEntry.org_id == org_id)


def _filtered(
    org_id: int | None, entity_type: str | None, entity_id: str | None
) -> Select[AuditEntry]:
    query = readable_entries(org_id)
    if entity_type:
        query = query.where(AuditEntry.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    return query


def latest_entries(
    session: Session,
    *,
    org_id: int | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    limit: int = 50,
) -> list[AuditEntry]:
    """The newest ``limit`` entries, optionally of one organisation, entity type or entity."""
    query = _filtered(org_id, entity_type, entity_id)
    return list(session.execute(query.order_by(AuditEntry.id.desc()).limit(limit)).scalars())


def page_of_entries(
    session: Session,
    *,
    org_id: int | None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    limit: int,
    offset: int,
) -> tuple[list[AuditEntry], int]:
    """A page of entries, newest first, and how many match (``org_id`` None: every chain)."""
    query = _filtered(org_id, entity_type, entity_id)
    total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    rows = session.execute(query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset))
    return list(rows.scalars()), total

"""The PostgreSQL attachment store: each of the two steps is ONE pipelined round trip
(psycopg pipeline mode) instead of a dozen.

1. :meth:`PostgresStore.load`: one statement locks (creating where missing) the reservation
   rows of the limits the exporter holds on each shipment's buyer under its policy and the
   audit chain heads of those buyers, both in key order so that concurrent writers cannot
   deadlock, reserves the new declarations' ids, takes the request key's advisory lock and
   reads the facts (the read model it is built with, a
   :class:`~tradecover.declarations.attachment.repository.PipelinedFactsReader`); a second reads the
   policies, the key's stored answer and, for a remembered API key, its row (in a snapshot
   taken after the lock, so that it sees what an earlier holder committed).
2. :meth:`PostgresStore.write`: the declarations, the moved reservations, the audit entries
   hashed on the locked heads, the heads themselves, the events (one multi-row insert into
   the outbox) and the key's answer, in ONE statement
   (JSON recordsets for the inserts, arrays for the updates) whose text never changes, so
   the server plans it once per connection; COMMIT follows in the same trip when asked.

The idempotency protocol is :mod:`tradecover.idempotency.service`'s, its statements sent here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
import psycopg
from sqlalchemy.orm import Session

from tradecover import audit, events, idempotency
from tradecover.access import KEY_ROW_VALUE_SQL, KnownApiKeys, key_row_parameters
from tradecover.audit import GENESIS_HASH
from tradecover.db.arrays import ints, texts
from tradecover.db.base import json_default
from tradecover.declarations.attachment.record import DeclarationRecord
from tradecover.declarations.attachment.repository import (
    Finish,
    KeyedRequest,
    KeyNotConfirmed,
    PipelinedFactsReader,
    concurrent_duplicate,
)
from tradecover.declarations.facts import AttachmentFacts
from tradecover.declarations.model import Declaration
from tradecover.declarations.shipment import Shipment

_LOCKS = """
WITH reserved AS (
  INSERT INTO limit_reservations
    (limit_id, currency, outstanding_minor, cap_minor, last_reserved_minor, updated_at)
  SELECT l.id, l.currency, 0, l.amount_minor, 0, %(now)s
  FROM {pair_limits}
  ORDER BY l.id
  ON CONFLICT (limit_id) DO UPDATE SET outstanding_minor = limit_reservations.outstanding_minor
  RETURNING limit_id, outstanding_minor),
heads AS (
  INSERT INTO audit_chain_heads (org_id, chain, last_seq, last_hash)
  SELECT %(org_id)s, c, 0, %(genesis)s FROM unnest(%(chains)s::int[]) AS c ORDER BY c
  ON CONFLICT (org_id, chain) DO UPDATE SET last_seq = audit_chain_heads.last_seq
  RETURNING chain, last_seq, last_hash)
SELECT
 (SELECT json_agg(json_build_array(limit_id, outstanding_minor)) FROM reserved),
 (SELECT json_agg(json_build_array(chain, last_seq, last_hash)) FROM heads),
 (SELECT json_agg(nextval(pg_get_serial_sequence('declarations', 'id')))
    FROM generate_series(1, %(n)s)),
 """
"""The facts statement's locks and reserved ids, the read model's columns following."""

_COLUMNS = tuple(
    c.key
    for c in Declaration.__table__.columns
    if c.key not in ("ended_at", "ended_by", "end_reason")
)
"""The declarations' columns the insert writes (all but the end of a declaration's life)."""

_AUDIT_COLUMNS = (
    "org_id",
    "chain",
    "seq",
    "occurred_at",
    "actor",
    "action",
    "entity_type",
    "entity_id",
    "reason",
    "before",
    "after",
    "prev_hash",
    "hash",
)

_WRITE = f"""
WITH declared AS (
  INSERT INTO declarations ({", ".join(_COLUMNS)})
  SELECT {", ".join(_COLUMNS)} FROM json_populate_recordset(NULL::declarations, %(rows)s::json)
  RETURNING 1),
reserved AS (
  UPDATE limit_reservations r SET outstanding_minor = u.outstanding,
    last_reserved_minor = u.taken, cap_minor = u.cap, updated_at = %(now)s
  FROM unnest(%(limit_ids)s::bigint[], %(outstanding)s::bigint[], %(taken)s::bigint[],
              %(caps)s::bigint[]) AS u(id, outstanding, taken, cap)
  WHERE r.limit_id = u.id RETURNING 1),
audited AS (
  INSERT INTO audit_entries ({", ".join(_AUDIT_COLUMNS)})
  SELECT {", ".join(_AUDIT_COLUMNS)}
  FROM json_populate_recordset(NULL::audit_entries, %(entries)s::json) RETURNING 1),
moved AS (
  UPDATE audit_chain_heads h SET last_seq = u.seq, last_hash = u.hash
  FROM unnest(%(chains)s::int[], %(seqs)s::int[], %(hashes)s::text[]) AS u(chain, seq, hash)
  WHERE h.org_id = %(org_id)s AND h.chain = u.chain RETURNING 1),
outboxed AS ({events.OUTBOX_INSERT_SQL})"""
_WRITE_SELECT = """
SELECT (SELECT count(*) FROM declared), (SELECT count(*) FROM reserved),
       (SELECT count(*) FROM audited), (SELECT count(*) FROM moved),
       (SELECT count(*) FROM outboxed)"""

# the facts statement's plan does not depend on its parameters (equality probes): plan it
# once per connection, not on every bind (custom plans cost ~0.6 ms each)
_GENERIC_PLANS = "SET LOCAL plan_cache_mode = force_generic_plan"


def _facts_statement(read: PipelinedFactsReader) -> str:
    """The facts statement of ``read``: the locks, the reserved ids and the facts."""
    return _LOCKS.replace("{pair_limits}", read.pair_limits) + ",\n ".join(
        f"({sql})" for sql in read.fact_columns
    )


def _policies_statement(policies: str, later: tuple[str, ...]) -> str:
    """The policies, each row led by the values of ``later`` (scalar queries): one row at
    least (a LEFT JOIN of the policies on their one row), so that the values come back
    even when none of the policies exists.
    """
    if not later:
        return policies
    values = ", ".join(f"({sql}) AS later_{i}" for i, sql in enumerate(later))
    columns = policies.split(" FROM ", 1)[0].removeprefix("SELECT ")
    return (
        f"SELECT later.*, {columns} FROM (SELECT {values}) AS later"
        " LEFT JOIN policies p ON p.id = ANY(%(policy_ids)s::bigint[])"
    )


_WRITES = (
    _WRITE + _WRITE_SELECT,
    _WRITE + f",\nanswered AS ({idempotency.STORE_SQL})" + _WRITE_SELECT,
)


def _write_sql(keyed: bool) -> str:
    """The writes' statement, the key's answer stored in it when keyed."""
    return _WRITES[keyed]


def _driver(session: Session) -> psycopg.Connection[Any]:
    connection: Any = session.connection().connection.driver_connection
    return connection  # type: ignore[no-any-return]


class PostgresStore:
    """The attachment store on PostgreSQL (see the module's docstring)."""

    name = "postgresql"

    def __init__(self, facts: PipelinedFactsReader) -> None:
        """A store reading the facts with ``facts`` (its statements built once, here)."""
        self.facts = facts
        statement = _facts_statement(facts)
        self._facts_sql = (statement, statement + f",\n ({idempotency.LOCK_SQL})")
        self._policies_sql: dict[tuple[str, ...], str] = {}

    def facts_sql(self, keyed: bool) -> str:
        """The facts statement, with the key's advisory lock as its last column when keyed."""
        return self._facts_sql[keyed]

    def policies_sql(self, later: tuple[str, ...]) -> str:
        """The policies statement led by the values of ``later`` (made once per ``later``)."""
        found = self._policies_sql.get(later)
        if found is None:
            found = self._policies_sql[later] = _policies_statement(self.facts.policies, later)
        return found

    def pair_limit_ids(
        self, session: Session, *, org_id: int, policy_id: int, buyer_id: int
    ) -> set[int]:
        """The ids of the exporter's limits on the buyer under the policy."""
        return self.facts.limit_ids_of_pair(
            session.connection(), org_id=org_id, policy_id=policy_id, buyer_id=buyer_id
        )

    def load(
        self,
        session: Session,
        *,
        org_id: int,
        shipments: Sequence[Shipment],
        now: datetime,
        keyed: KeyedRequest | None,
    ) -> AttachmentFacts:
        """Hold the key, lock and read everything the decisions need: ONE round trip."""
        session.flush()  # e.g. a correction's old row, ended in this transaction
        params = self.facts.parameters(org_id=org_id, shipments=shipments)
        params.update(
            now=now,
            genesis=GENESIS_HASH,
            n=len(shipments),
            chains=ints(sorted({audit.chain_for(s.buyer_id) for s in shipments})),
        )
        later: list[tuple[str, dict[str, Any]]] = []
        if keyed is not None:
            lock, stored = idempotency.hold_statements(keyed.held)
            params.update(lock[1])
            later.append(stored)
            if keyed.unconfirmed is not None:
                later.insert(0, (KEY_ROW_VALUE_SQL, key_row_parameters(keyed.unconfirmed)))
        for _sql, values in later:
            params.update(values)
        connection = _driver(session)
        with connection.pipeline():
            connection.execute(_GENERIC_PLANS)
            facts = connection.execute(self.facts_sql(keyed is not None), params)
            policies = connection.execute(
                self.policies_sql(tuple(sql for sql, _v in later)), params
            )
        row, policy_rows = facts.fetchone(), policies.fetchall()
        assert row is not None
        size = len(later)
        if keyed is not None:
            ahead = list(policy_rows[0][:size])
            policy_rows = [r[size:] for r in policy_rows if r[size] is not None]
            if keyed.unconfirmed is not None:
                key_row = ahead.pop(0)
                if not KnownApiKeys.confirms(
                    [key_row] if key_row is not None else [], keyed.unconfirmed, keyed.principal
                ):
                    raise KeyNotConfirmed
            replay = idempotency.judge(keyed.held, locked=bool(row[-1]), stored=ahead[0])
            if replay is not None:
                raise idempotency.Replayed(replay)
            row = row[:-1]
        reserved, heads, ids = (value or [] for value in row[:3])
        found = self.facts.facts_of(row[3:], policy_rows)
        found.outstanding = {r[0]: r[1] for r in reserved}
        found.heads = {r[0]: (r[1], r[2]) for r in heads}
        found.ids = list(ids)
        return found

    def write(
        self,
        session: Session,
        *,
        facts: AttachmentFacts,
        org_id: int,
        values: Sequence[dict[str, Any]],
        moved: dict[int, tuple[int, int, int]],
        now: datetime,
        finish: Finish,
        keyed: KeyedRequest | None,
        commit: bool,
    ) -> list[DeclarationRecord]:
        """Everything in ONE statement, COMMIT after it when ``commit``: ONE round trip."""
        records = [
            DeclarationRecord(id=new_id, **row)
            for new_id, row in zip(facts.ids, values, strict=False)
        ]
        finished = finish(records)
        params = _write_parameters(
            facts=facts,
            org_id=org_id,
            values=values,
            records=records,
            moved=moved,
            entries=finished.entries,
            now=now,
        )
        params["outbox"] = events.outbox_recordset(finished.events, now)
        if keyed is not None:
            assert finished.answer is not None
            params.update(
                idempotency.store_statement(
                    keyed.held, status_code=keyed.status, body_json=finished.answer
                )[1]
            )
        connection = _driver(session)
        try:
            with connection.pipeline():
                connection.execute(_write_sql(keyed is not None), params)
                if commit:
                    connection.commit()
        except psycopg.errors.UniqueViolation:
            raise concurrent_duplicate() from None
        return records


def stored_json(value: Any) -> str | None:
    """JSON text of a JSONText column.  The audit hash is computed over the canonical form
    of the values (:func:`tradecover.audit.chain.entry_hash`) and readers parse the text,
    so the stored text need not be canonical: orjson, with what JSON has no type for
    written as :func:`~tradecover.db.base.canonical_json` writes it.
    """
    return (
        None
        if value is None
        else orjson.dumps(value, default=json_default, option=orjson.OPT_NON_STR_KEYS).decode()
    )


def _records(rows: list[dict[str, Any]]) -> str:
    """Rows as the JSON array ``json_populate_recordset`` reads: ONE parameter however
    many rows and columns (binding a parameter per value costs more CPU than the insert).
    """
    return orjson.dumps(rows).decode()


def _write_parameters(
    *,
    facts: AttachmentFacts,
    org_id: int,
    values: Sequence[dict[str, Any]],
    records: list[DeclarationRecord],
    moved: dict[int, tuple[int, int, int]],
    entries: Sequence[tuple[int, audit.Pending]],
    now: datetime,
) -> dict[str, Any]:
    assert facts.heads is not None
    declarations = [{name: row[name] for name in _COLUMNS if name != "id"} for row in values]
    for row, record in zip(declarations, records, strict=True):
        row["id"] = record.id
        row["rate"] = str(row["rate"])
        row["rate_explanation"] = stored_json(row["rate_explanation"])
    by_chain: dict[int, list[audit.Pending]] = {}
    for chain, entry in entries:
        by_chain.setdefault(chain, []).append(entry)
    audit_rows: list[dict[str, Any]] = []
    moved_heads = {
        chain: audit.chain_rows(org_id, chain, facts.heads[chain], pending, now, audit_rows)
        for chain, pending in sorted(by_chain.items())
    }
    for audit_row in audit_rows:
        audit_row["before"] = stored_json(audit_row["before"])
        audit_row["after"] = stored_json(audit_row["after"])
    limit_ids = sorted(moved)
    chains = sorted(moved_heads)
    return {
        "rows": _records(declarations),
        "entries": _records(audit_rows),
        "org_id": org_id,
        "now": now,
        "limit_ids": ints(limit_ids),
        "outstanding": ints(moved[i][0] for i in limit_ids),
        "taken": ints(moved[i][1] for i in limit_ids),
        "caps": ints(moved[i][2] for i in limit_ids),
        "chains": ints(chains),
        "seqs": ints(moved_heads[c][0] for c in chains),
        "hashes": texts(moved_heads[c][1] for c in chains),
    }

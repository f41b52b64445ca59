"""The attachment's two round trips on PostgreSQL (psycopg pipeline mode).

:func:`tradecover.declarations.service.attach_many` decides cover in Python on facts it
reads before and writes what it decided after; on PostgreSQL both sides go to the server
as one pipelined batch of statements each, instead of a dozen round trips:

1. :func:`load_facts`: lock (creating where missing) the reservation rows of the limits
   the exporter holds on each shipment's buyer under its policy and the audit chain
   heads of those buyers, both in key order so that concurrent writers cannot deadlock;
   reserve the new declarations' ids; read the buyers, limits with their versions,
   already-declared invoices and the policies.
2. :func:`write`: the declarations, the moved reservations, the audit entries hashed on
   the locked heads and the heads themselves, in ONE statement (JSON recordsets for the
   inserts, arrays for the updates) whose text never changes, so the server plans it once
   per connection.

The cover decision, premium and every rule stay in the service; this module only moves
rows.  The locks are held to the end of the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any, TypeVar

import orjson
import psycopg
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, configure_mappers
from sqlalchemy.types import TypeDecorator

from tradecover.audit import service as audit
from tradecover.audit.chain import GENESIS_HASH
from tradecover.db.base import json_default
from tradecover.declarations.cover import CountryCoverStatus
from tradecover.declarations.facts import (
    AttachmentFacts,
    BuyerRow,
    LimitVersionRow,
    pick_limits,
)
from tradecover.declarations.model import Declaration
from tradecover.declarations.shipment import Shipment
from tradecover.kit.errors import Conflict
from tradecover.policies.model import Policy
from tradecover.pricing.rate_book_repository import STAMP_COLUMNS, stamp_of

# ONE statement: the locks (reservation rows in limit id order, then chain heads in chain
# order: every attachment takes them in that one order) and the facts, each as a JSON array
# (a statement costs the server and the driver more than the rows it returns).  Pairs are
# looked up by equality in LATERAL subqueries with a LIMIT: one index probe each, whatever
# the planner's statistics say (a join planned on stale statistics scanned all of the
# exporter's declarations for every batch).
_FACTS = """
WITH reserved AS (
  INSERT INTO limit_reservations
    (limit_id, currency, outstanding_minor, cap_minor, last_reserved_minor, updated_at)
  SELECT l.id, l.currency, 0, l.amount_minor, 0, %(now)s
  FROM unnest(%(limit_policies)s::bigint[], %(limit_buyers)s::bigint[]) AS w(policy_id, buyer_id)
  CROSS JOIN LATERAL (SELECT * FROM credit_limits l WHERE l.org_id = %(org_id)s
   AND l.buyer_id = w.buyer_id AND l.policy_id = w.policy_id LIMIT 100) AS l
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
 (SELECT json_agg(json_build_array(b.id, b.country,
    EXISTS (SELECT 1 FROM exporter_buyer_relationships r
             WHERE r.org_id = %(org_id)s AND r.buyer_id = b.id)
    OR EXISTS (SELECT 1 FROM credit_limits l WHERE l.org_id = %(org_id)s AND l.buyer_id = b.id),
    EXISTS (SELECT 1 FROM possible_loss_notices n
             WHERE n.exporter_org_id = %(org_id)s AND n.buyer_id = b.id AND n.status = 'open'),
    (SELECT v.cover_status FROM country_risk_versions v WHERE v.country = b.country
      ORDER BY v.id DESC LIMIT 1),
    (SELECT r.pd FROM buyer_ratings r WHERE r.buyer_id = b.id ORDER BY r.id DESC LIMIT 1)))
  FROM buyers b WHERE b.id = ANY(%(buyer_ids)s::bigint[])),
 (SELECT json_agg(json_build_array(l.id, l.policy_id, l.buyer_id, l.status, v.id, v.kind,
    v.currency, v.amount_minor, v.effective_from, v.expires_on, v.indemnity_pct, v.number))
  FROM unnest(%(limit_policies)s::bigint[], %(limit_buyers)s::bigint[]) AS w(policy_id, buyer_id)
  CROSS JOIN LATERAL (SELECT * FROM credit_limits l WHERE l.org_id = %(org_id)s
   AND l.buyer_id = w.buyer_id AND l.policy_id = w.policy_id LIMIT 100) AS l
  LEFT JOIN LATERAL (SELECT * FROM credit_limit_versions v WHERE v.limit_id = l.id
   LIMIT 1000) AS v ON true),
 (SELECT json_agg(json_build_array(d.id, d.buyer_id, d.invoice_number))
  FROM unnest(%(pair_buyers)s::bigint[], %(pair_invoices)s::text[]) AS w(buyer_id, invoice)
  CROSS JOIN LATERAL (SELECT d.id, d.buyer_id, d.invoice_number FROM declarations d
   WHERE d.exporter_org_id = %(org_id)s AND d.buyer_id = w.buyer_id
     AND d.invoice_number = w.invoice AND d.status = 'active' LIMIT 1) AS d),
 (""" + STAMP_COLUMNS[0] + """),
 (""" + STAMP_COLUMNS[1] + ")"

# the declarations' columns the insert writes (all but the end of a declaration's life)
_COLUMNS = tuple(c.key for c in Declaration.__table__.columns
                 if c.key not in ("ended_at", "ended_by", "end_reason"))

_POLICY_COLUMNS = [(c.key, c.type if isinstance(c.type, TypeDecorator) else None)
                   for c in Policy.__table__.columns]
_POLICIES = (f"SELECT {', '.join(key for key, _t in _POLICY_COLUMNS)} FROM policies"
             " WHERE id = ANY(%(policy_ids)s::bigint[])")


_DIALECT = postgresql.psycopg.dialect()  # type: ignore[no-untyped-call]


def _policy(row: Sequence[Any]) -> Policy:
    """A read-only policy built from a raw row, its column types applied."""
    return transient(Policy, {key: kind.process_result_value(value, _DIALECT) if kind else value
                              for (key, kind), value in zip(_POLICY_COLUMNS, row, strict=True)})


_AUDIT_COLUMNS = ("org_id", "chain", "seq", "occurred_at", "actor", "action", "entity_type",
                  "entity_id", "reason", "before", "after", "prev_hash", "hash")

# ONE statement: the declarations and audit entries (as JSON recordsets: one parameter
# however many rows), the moved reservations and chain heads (and a caller's riding
# writes, as further WITH queries: :func:`_with_riders`)
_WRITE = f"""
WITH declared AS (
  INSERT INTO declarations ({', '.join(_COLUMNS)})
  SELECT {', '.join(_COLUMNS)} FROM json_populate_recordset(NULL::declarations, %(rows)s::json)
  RETURNING 1),
reserved AS (
  UPDATE limit_reservations r SET outstanding_minor = u.outstanding,
    last_reserved_minor = u.taken, cap_minor = u.cap, updated_at = %(now)s
  FROM unnest(%(limit_ids)s::bigint[], %(outstanding)s::bigint[], %(taken)s::bigint[],
              %(caps)s::bigint[]) AS u(id, outstanding, taken, cap)
  WHERE r.limit_id = u.id RETURNING 1),
audited AS (
  INSERT INTO audit_entries ({', '.join(_AUDIT_COLUMNS)})
  SELECT {', '.join(_AUDIT_COLUMNS)}
  FROM json_populate_recordset(NULL::audit_entries, %(entries)s::json) RETURNING 1),
moved AS (
  UPDATE audit_chain_heads h SET last_seq = u.seq, last_hash = u.hash
  FROM unnest(%(chains)s::int[], %(seqs)s::int[], %(hashes)s::text[]) AS u(chain, seq, hash)
  WHERE h.org_id = %(org_id)s AND h.chain = u.chain RETURNING 1)"""
_WRITE_SELECT = """
SELECT (SELECT count(*) FROM declared), (SELECT count(*) FROM reserved),
       (SELECT count(*) FROM audited), (SELECT count(*) FROM moved)"""


RowT = TypeVar("RowT")

_configure_mappers_once = cache(configure_mappers)
""":func:`transient` rows need configured mappers: configured by the first attachment
(every model is imported by then), not checked under SQLAlchemy's lock on every one."""

Statement = tuple[str, dict[str, Any]]
"""A caller's raw SQL statement and its parameters."""


@dataclass(slots=True)
class Riders:
    """A caller's own SQL carried by the attachment's two round trips.

    E.g. the ERP route's Idempotency-Key and API key confirmation, at no statement of their
    own:

    - ``columns``: scalar subqueries added to the facts statement's select list (e.g. an
      advisory lock);
    - ``later``: scalar subqueries read by the next statement of that round trip (the
      policies'), in a snapshot taken after the facts statement ran (e.g. an answer an
      earlier holder of that lock committed);
    - ``check``: handed the values of ``columns`` and of ``later`` before anything is
      decided (it raises to stop);
    - ``last``: builds, from the outcomes, data-modifying statements written as WITH
      queries of the writes' statement; COMMIT follows when ``commit``.

    Their parameter names must differ from the attachment's own (prefix them).
    ``written`` tells the caller whether the second round trip happened (a set with
    nothing to write makes none).
    """

    columns: Sequence[Statement] = ()
    later: Sequence[Statement] = ()
    check: Callable[[list[Any], list[Any]], None] | None = None
    last: Callable[[Sequence[Any]], Sequence[Statement]] | None = None
    commit: bool = False
    written: bool = False


@lru_cache(maxsize=64)
def _facts_sql(columns: tuple[str, ...]) -> str:
    return _FACTS + "".join(f",\n ({sql})" for sql in columns)


@lru_cache(maxsize=64)
def _policies_sql(later: tuple[str, ...]) -> str:
    """The policies, each row led by the riders' values: one row at least (a LEFT JOIN of
    the policies on the riders' one row), so that the values come back even when none of
    the policies exists.
    """
    if not later:
        return _POLICIES
    values = ", ".join(f"({sql}) AS rider_{i}" for i, sql in enumerate(later))
    return (f"SELECT riders.*, {', '.join(f'p.{key}' for key, _t in _POLICY_COLUMNS)}"
            f" FROM (SELECT {values}) AS riders"
            " LEFT JOIN policies p ON p.id = ANY(%(policy_ids)s::bigint[])")


@lru_cache(maxsize=64)
def _write_sql(riding: tuple[str, ...]) -> str:
    return (_WRITE + "".join(f",\nrider_{i} AS ({sql})" for i, sql in enumerate(riding))
            + _WRITE_SELECT)


def _with_riders(sql_of: Callable[[tuple[str, ...]], str], params: dict[str, Any],
                 riding: Sequence[Statement]) -> Statement:
    """The attachment's statement with the riders' SQL in it, and all their parameters."""
    merged = dict(params)
    for _sql, values in riding:
        for name, value in values.items():
            if name in params or merged.get(name, value) != value:
                raise ValueError(f"the rider parameter {name!r} collides with another")
            merged[name] = value
    return sql_of(tuple(sql for sql, _values in riding)), merged


def _driver(session: Session) -> psycopg.Connection[Any]:
    connection: Any = session.connection().connection.driver_connection
    return connection  # type: ignore[no-any-return]


def _facts_parameters(*, org_id: int, shipments: Sequence[Shipment], chains: Sequence[int],
                      now: datetime) -> dict[str, Any]:
    pairs = sorted({(s.policy_id, s.buyer_id) for s in shipments})
    return {"org_id": org_id, "now": now, "genesis": GENESIS_HASH,
            "limit_policies": _ints(p for p, _b in pairs),
            "limit_buyers": _ints(b for _p, b in pairs),
            "policy_ids": _ints(sorted({s.policy_id for s in shipments})),
            "buyer_ids": _ints(sorted({s.buyer_id for s in shipments})),
            "pair_buyers": _ints(s.buyer_id for s in shipments),
            "pair_invoices": _texts(s.invoice_number.strip() for s in shipments),
            "chains": _ints(sorted(set(chains))), "n": len(shipments)}


# the facts statement's plan does not depend on its parameters (equality probes): plan it
# once per connection, not on every bind (custom plans cost ~0.6 ms each)
_GENERIC_PLANS = "SET LOCAL plan_cache_mode = force_generic_plan"


def load_facts(session: Session, *, org_id: int, shipments: Sequence[Shipment],
               chains: Sequence[int], now: datetime, riders: Riders | None = None
               ) -> AttachmentFacts:
    """Lock and read everything the decisions of ``shipments`` need, in ONE round trip.

    ``chains`` are the audit chains their entries will go on; their heads are locked.
    """
    riders = riders or Riders()
    _configure_mappers_once()
    session.flush()
    facts_sql, facts_params, policies_sql, policies_params = _statements(
        riders, _facts_parameters(org_id=org_id, shipments=shipments, chains=chains, now=now))
    connection = _driver(session)
    with connection.pipeline():
        connection.execute(_GENERIC_PLANS)
        facts = connection.execute(facts_sql, facts_params)
        policies = connection.execute(policies_sql, policies_params)
    return _checked(riders, facts.fetchone(), policies.fetchall())


async def load_facts_async(connection: psycopg.AsyncConnection[Any], *, org_id: int,
                           shipments: Sequence[Shipment], chains: Sequence[int],
                           now: datetime, riders: Riders) -> AttachmentFacts:
    """:func:`load_facts` on an asynchronous connection of
    :func:`tradecover.db.engine.make_async_pool`, in its transaction.
    """
    _configure_mappers_once()
    facts_sql, facts_params, policies_sql, policies_params = _statements(
        riders, _facts_parameters(org_id=org_id, shipments=shipments, chains=chains, now=now))
    async with connection.pipeline():  # (its pool plans generically: no SET LOCAL)
        facts = await connection.execute(facts_sql, facts_params)
        policies = await connection.execute(policies_sql, policies_params)
    return _checked(riders, await facts.fetchone(), await policies.fetchall())


def _statements(riders: Riders, params: dict[str, Any]
                ) -> tuple[str, dict[str, Any], str, dict[str, Any]]:
    """The facts and policies statements with the riders' SQL in them, and parameters."""
    facts_sql, facts_params = _with_riders(_facts_sql, params, riders.columns)
    policies_sql, policies_params = _with_riders(_policies_sql, params, riders.later)
    return facts_sql, facts_params, policies_sql, policies_params


def _checked(riders: Riders, row: Sequence[Any] | None,
             policies: Sequence[Sequence[Any]]) -> AttachmentFacts:
    """The riders' check on what they read, then the facts."""
    assert row is not None
    size, later = len(riders.columns), len(riders.later)
    facts_row, values = (row[:len(row) - size], list(row[len(row) - size:])) if size else (
        row, [])
    if later:
        later_values = list(policies[0][:later])
        policies = [r[later:] for r in policies if r[later] is not None]
    else:
        later_values = []
    if riders.check is not None:
        riders.check(values, later_values)
    return _facts_of(facts_row, policies)


def _facts_of(row: Sequence[Any] | None, policies: Sequence[Sequence[Any]]) -> AttachmentFacts:
    """The facts in the rows of :data:`_FACTS` and :data:`_POLICIES`."""
    assert row is not None
    reserved, heads, ids, buyers, limits, duplicates = (value or [] for value in row[:6])
    versions: dict[int, list[LimitVersionRow]] = {}
    limit_heads: dict[int, tuple[int, int, str]] = {}
    for r in limits:
        limit_heads[r[0]] = (r[1], r[2], r[3])
        bucket = versions.setdefault(r[0], [])
        if r[4] is not None:
            bucket.append(LimitVersionRow(
                r[4], r[5], r[6], r[7], date.fromisoformat(r[8]),
                date.fromisoformat(r[9]) if r[9] is not None else None,
                Decimal(r[10]) if r[10] is not None else None, r[11]))
    return AttachmentFacts(
        policies={int(r[0]): _policy(r) for r in policies},
        buyers={r[0]: BuyerRow(country=r[1], known=bool(r[2]), frozen=bool(r[3]),
                               country_status=CountryCoverStatus(r[4] or "open"),
                               pd=Decimal(r[5]) if r[5] is not None else None)
                for r in buyers},
        limits=pick_limits(limit_heads, versions),
        duplicates={(r[1], r[2]): r[0] for r in duplicates},
        outstanding={r[0]: r[1] for r in reserved},
        heads={r[0]: (r[1], r[2]) for r in heads},
        ids=list(ids), pricing_stamp=stamp_of(row[6:8]))


def _stored_json(value: Any) -> str | None:
    """JSON text of a JSONText column.  The audit hash is computed over the canonical form
    of the values (:func:`tradecover.audit.chain.entry_hash`) and readers parse the text,
    so the stored text need not be canonical: orjson, with what JSON has no type for
    written as :func:`~tradecover.db.base.canonical_json` writes it.
    """
    return None if value is None else orjson.dumps(
        value, default=json_default, option=orjson.OPT_NON_STR_KEYS).decode()


def _ints(values: Iterable[int]) -> str:
    """Integers as a PostgreSQL array literal, cast in the statement (``::bigint[]``): the
    driver then binds one string instead of inspecting every element of a list.
    """
    return "{" + ",".join(str(int(v)) for v in values) + "}"


def _texts(values: Iterable[str]) -> str:
    """Strings as a PostgreSQL array literal (each quoted, with quotes and backslashes
    escaped), cast in the statement (``::text[]``), for the reason of :func:`_ints`.
    """
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
                          for v in values) + "}"


def _records(rows: list[dict[str, Any]]) -> str:
    """Rows as the JSON array ``json_populate_recordset`` reads: ONE parameter however
    many rows and columns (binding a parameter per value costs more CPU than the insert).
    """
    return orjson.dumps(rows).decode()


def transient(model: type[RowT], values: dict[str, Any]) -> RowT:
    """An ORM object built from column values for reading only (never added to a session:
    the rows are written, or were read, by this module's own statements), without the
    ORM's per-attribute change tracking, which costs more than the rest of an item's
    attachment.
    """
    # no instance state either: an attribute present in the instance's dict is read
    # straight from it, and a transient row never loads, refreshes or flushes anything
    row: RowT = object.__new__(model)
    row.__dict__.update(values)
    return row


def _write_parameters(*, facts: AttachmentFacts, org_id: int,
                      values: Sequence[dict[str, Any]], moved: dict[int, tuple[int, int, int]],
                      entries: Sequence[tuple[int, audit.Pending]], now: datetime
                      ) -> dict[str, Any]:
    assert facts.heads is not None
    declarations = [{name: row[name] for name in _COLUMNS} for row in values]
    for row in declarations:
        row["rate"] = str(row["rate"])
        row["rate_explanation"] = _stored_json(row["rate_explanation"])
    by_chain: dict[int, list[audit.Pending]] = {}
    for chain, entry in entries:
        by_chain.setdefault(chain, []).append(entry)
    audit_rows: list[dict[str, Any]] = []
    moved_heads = {chain: audit.chain_rows(org_id, chain, facts.heads[chain], pending, now,
                                           audit_rows)
                   for chain, pending in sorted(by_chain.items())}
    for audit_row in audit_rows:
        audit_row["before"] = _stored_json(audit_row["before"])
        audit_row["after"] = _stored_json(audit_row["after"])
    limit_ids = sorted(moved)
    chains = sorted(moved_heads)
    return {"rows": _records(declarations), "entries": _records(audit_rows),
            "org_id": org_id, "now": now, "limit_ids": _ints(limit_ids),
            "outstanding": _ints(moved[i][0] for i in limit_ids),
            "taken": _ints(moved[i][1] for i in limit_ids),
            "caps": _ints(moved[i][2] for i in limit_ids), "chains": _ints(chains),
            "seqs": _ints(moved_heads[c][0] for c in chains),
            "hashes": _texts(moved_heads[c][1] for c in chains)}


def concurrent_duplicate() -> Conflict:
    """The refusal of a set one of whose invoices a concurrent request declared for the same
    buyer after the facts were read (the partial unique index caught it).
    """
    return Conflict("an invoice of this request was declared concurrently for the same "
                    "buyer; retry", code="duplicate_invoice_number", field="invoice_number")


def write(session: Session, *, facts: AttachmentFacts, org_id: int,
          values: Sequence[dict[str, Any]], moved: dict[int, tuple[int, int, int]],
          entries: Sequence[tuple[int, audit.Pending]], now: datetime,
          last: Sequence[Statement] = (), commit: bool = False) -> None:
    """Write ``values`` (the declarations, their ids from ``facts.ids``), the reservations
    ``moved`` (limit id -> outstanding, taken, cap) and the audit ``entries`` on the heads
    locked by :func:`load_facts`, in ONE round trip.  A concurrent declaration of the same
    invoice (the partial unique index) is a :class:`Conflict`.  A caller's ``last``
    statements ride in that statement, then COMMIT follows when ``commit`` (see
    :class:`Riders`).
    """
    sql, params = _with_riders(_write_sql, _write_parameters(
        facts=facts, org_id=org_id, values=values, moved=moved, entries=entries, now=now),
        last)
    connection = _driver(session)
    try:
        with connection.pipeline():
            connection.execute(sql, params)
            if commit:
                connection.commit()
    except psycopg.errors.UniqueViolation:
        raise concurrent_duplicate() from None


async def write_async(connection: psycopg.AsyncConnection[Any], *, facts: AttachmentFacts,
                      org_id: int, values: Sequence[dict[str, Any]],
                      moved: dict[int, tuple[int, int, int]],
                      entries: Sequence[tuple[int, audit.Pending]], now: datetime,
                      last: Sequence[Statement] = (), commit: bool = False) -> None:
    """:func:`write` on an asynchronous connection."""
    sql, params = _with_riders(_write_sql, _write_parameters(
        facts=facts, org_id=org_id, values=values, moved=moved, entries=entries, now=now),
        last)
    try:
        async with connection.pipeline():
            await connection.execute(sql, params)
            if commit:
                await connection.commit()
    except psycopg.errors.UniqueViolation:
        raise concurrent_duplicate() from None

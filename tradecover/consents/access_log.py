"""The access log [domain CS-8]: every read of an exporter's data by another
organisation, and every refused one, recorded in the exporter's tamper-evident audit chain.

A read path opens a :class:`ReadContext` on its session (:func:`start_reading`); every ORM record
the database hands that session while it is open and that belongs to another organisation
is noted (a ``loaded_as_persistent`` listener: the records actually read, not the ones
displayed).  :func:`finish_reading` turns the context into one audit entry per exporter read
(reader, organisation, role, consent, scope, purpose, records, when) and queues them.

Written without slowing reads and without losing any: a request's entries are written by
:func:`record_reads` in the request's own transaction, just before its commit and so
before the response is sent, with ONE :func:`tradecover.audit.append_many` (one
multi-row insert); a refused read is written in a transaction of its own.  A read whose
transaction did not commit sent no data, so nothing is lost on a crash (see the ADR on
consent enforcement).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tradecover.access import Principal
from tradecover.audit import AuditEntry, Pending, append_log, chain_for
from tradecover.consents.guard import EXPORTER_COLUMNS, ConsentRequired, Readable
from tradecover.consents.reads import EVENT_READS
from tradecover.consents.rules import Purpose, Scope
from tradecover.kit.dates import utc_now

READ = "data.read"
"""The audit action of a read of exporter data by another organisation."""

REFUSED = "data.read_refused"
"""The audit action of a read the guard refused."""

ENTITY = "exporter_data"
"""The audit entity type of access-log entries (the entity id is the scope)."""

_KEY = "consents.reading"


@dataclass(slots=True)
class ReadContext:
    """One request's read of exporter data: who, what for, and which records."""

    reader: Principal
    scope: Scope
    purpose: Purpose
    path: str
    records: dict[int, dict[str, list[int]]] = field(default_factory=dict)
    readable: Readable | None = None
    at: datetime = field(default_factory=utc_now)


_TABLES: dict[type, str] = {}


@event.listens_for(Session, "loaded_as_persistent")
def _noted(session: Session, instance: object) -> None:
    """Note a record a read path loaded, when it belongs to another organisation (plain
    dictionary reads of the loaded state: this runs for every row a read loads).
    """
    context: ReadContext | None = session.info.get(_KEY)
    if context is None:
        return
    state = instance.__dict__
    org = None
    for name in EXPORTER_COLUMNS:
        org = state.get(name)
        if org is not None:
            break
    if not isinstance(org, int) or org == context.reader.org_id:
        return
    kind = type(instance)
    table = _TABLES.get(kind)
    if table is None:
        table = _TABLES[kind] = str(getattr(kind, "__tablename__", kind.__name__))
    ids = context.records.setdefault(org, {}).setdefault(table, [])
    record_id = state.get("id")
    if isinstance(record_id, int) and len(ids) < 1000:
        ids.append(record_id)


def start_reading(
    session: Session, reader: Principal, scope: Scope, purpose: Purpose, path: str
) -> ReadContext:
    """Open the read context of a request on ``session``."""
    context = ReadContext(reader, scope, purpose, path)
    session.info[_KEY] = context
    return context


def _entry(context: ReadContext, action: str, org_id: int, after: dict[str, Any]) -> Pending:
    return Pending(
        org_id=org_id,
        actor=context.reader.actor,
        action=action,
        entity_type=ENTITY,
        entity_id=context.scope.value,
        reason=context.purpose.value,
        after={
            "reader_org_id": context.reader.org_id,
            "reader_role": context.reader.role.value,
            "scope": context.scope.value,
            "purpose": context.purpose.value,
            "path": context.path,
            "read_at": context.at.isoformat(),
            **after,
        },
    )


def finish_reading(session: Session) -> list[Pending]:
    """Close ``session``'s read context: one access-log entry per exporter read."""
    context: ReadContext | None = session.info.pop(_KEY, None)
    if context is None:
        return []
    entries = []
    for org, tables in sorted(context.records.items()):
        basis = context.readable.basis(org) if context.readable else "contract"
        entries.append(_entry(context, READ, org, {"consent": basis, "records": tables}))
    return entries


def record_export(
    session: Session,
    reader: Principal,
    scope: Scope,
    purpose: Purpose,
    path: str,
    table: str,
    seen: dict[int, list[int]],
) -> None:
    """Log an export of exporter data (a job's CSV) like a read [domain CS-8]: one entry per
    exporter other than the reader's organisation, with the records exported (the first
    1000 ids), in ``session``'s transaction.
    """
    context = ReadContext(reader, scope, purpose, path)
    context.records = {
        org: {table: ids[:1000]} for org, ids in sorted(seen.items()) if org != reader.org_id
    }
    session.info[_KEY] = context
    record_reads(session, finish_reading(session))


def refused_read(session: Session, error: ConsentRequired, path: str) -> Pending:
    """The access-log entry of a refused read (on the exporter's chain when one was named,
    else on the reader's own).
    """
    session.info.pop(_KEY, None)
    context = ReadContext(error.reader, error.scope, error.purpose, path)
    org = error.exporter_org_id if error.exporter_org_id is not None else error.reader.org_id
    return _entry(
        context, REFUSED, org, {"consent": None, "exporter_org_id": error.exporter_org_id}
    )


WEBHOOK_ROLE = "webhook"
"""The reader role of a webhook delivery in the access log (the endpoint reads, no user)."""


@dataclass(frozen=True, slots=True)
class DeliveryRead:
    """One exporter's event offered to another organisation's webhook endpoint
    [domain CS-17]: delivered under ``basis`` (contract or a consent id), or refused
    (``basis`` None: no consent covers it).
    """

    reader_org_id: int
    endpoint_id: int
    exporter_org_id: int
    event_type: str
    basis: str | None
    event_sequence: int


def record_deliveries(session: Session, deliveries: list[DeliveryRead]) -> None:
    """Log a relay's deliveries of exporters' events to other organisations' endpoints, and
    the deliveries it refused, like reads [domain CS-8] [domain CS-18]: one entry per
    exporter, endpoint, scope, purpose and basis (the events' outbox positions as its
    records), on the exporter's chain, appended set-based in the relay's own transaction.
    Events that carry no exporter data (``OTHER_EVENTS``) are no read.
    """
    at = utc_now().isoformat()
    entries = [
        Pending(
            org_id=d.exporter_org_id,
            actor=f"webhook:{d.endpoint_id}",
            action=READ if d.basis is not None else REFUSED,
            entity_type=ENTITY,
            entity_id=read.scope.value,
            reason=read.purpose.value,
            after={
                "reader_org_id": d.reader_org_id,
                "reader_role": WEBHOOK_ROLE,
                "scope": read.scope.value,
                "purpose": read.purpose.value,
                "path": f"webhook endpoint {d.endpoint_id}",
                "read_at": at,
                "consent": d.basis,
                "records": {"outbox_events": [d.event_sequence]},
            },
        )
        for d in deliveries
        if d.reader_org_id != d.exporter_org_id
        and (read := EVENT_READS.get(d.event_type)) is not None
    ]
    record_reads(session, entries)


def coalesce(entries: list[Pending]) -> list[Pending]:
    """One entry per exporter, reader, action, scope, purpose, basis and route among
    ``entries``: the records merged, the reads counted, the first and last read's time
    kept [domain CS-8].
    """
    groups: dict[tuple[Any, ...], tuple[Pending, dict[str, set[int]]]] = {}
    for e in entries:
        a = e.after
        key = (e.org_id, e.actor, e.action, e.entity_id, e.reason, a.get("consent"), a["path"])
        found = groups.get(key)
        if found is None:
            after = {**a, "reads": 0}
            found = groups[key] = (
                Pending(
                    e.org_id, e.actor, e.action, e.entity_type, e.entity_id, e.reason, None, after
                ),
                {},
            )
        kept, records = found
        kept.after["reads"] += 1
        kept.after["last_read_at"] = a["read_at"]
        for table, ids in (a.get("records") or {}).items():
            records.setdefault(table, set()).update(ids)
    out = []
    for kept, records in groups.values():
        kept.after["records"] = {t: sorted(ids)[:1000] for t, ids in records.items()}
        out.append(kept)
    return out


def record_reads(session: Session, entries: list[Pending], *, relaxed: bool = False) -> None:
    """Append ``entries``, coalesced, to their exporters' chains in ``session``'s
    transaction [domain CS-8]: the read and its log commit together, so a crash loses
    neither one without the other.  Two statements on PostgreSQL, whatever the number of
    exporters read (:func:`tradecover.audit.append_log`: the upsert that locks the chain
    heads, then one statement that inserts the entries and moves the heads).  The chain of
    an entry is the reader's shard, so readers never wait on the exporter's own chain.
    ``relaxed``: the transaction commits without waiting for its WAL flush (the server has
    the rows once ``COMMIT`` returns, and writes them within 3 x ``wal_writer_delay``, see
    ADR 0025).
    """
    if not entries:
        return
    rows = coalesce(entries)
    append_log(
        session,
        [(chain_for(e.after["reader_org_id"]), e) for e in rows],
        relaxed_commit=relaxed,
    )


@dataclass(frozen=True, slots=True)
class AccessRead:
    """One line of an exporter's access log."""

    entry_id: int
    at: datetime
    action: str
    actor: str
    reader_org_id: int
    reader_role: str
    consent: str | None
    scope: str
    purpose: str
    path: str
    records: dict[str, list[int]]
    reads: int = 1

    @property
    def refused(self) -> bool:
        """Whether the guard refused the read."""
        return self.action == REFUSED

    @property
    def record_count(self) -> int:
        """How many records the read returned."""
        return sum(len(ids) for ids in self.records.values())


def reads_of(
    session: Session,
    exporter_org_id: int,
    *,
    days: int = 90,
    reader_org_id: int | None = None,
    scope: str | None = None,
    limit: int = 500,
) -> list[AccessRead]:
    """The reads of ``exporter_org_id``'s data in the last ``days`` days, newest first,
    optionally by one reader organisation or of one scope.
    """
    query = select(AuditEntry).where(
        AuditEntry.org_id == exporter_org_id,
        AuditEntry.entity_type == ENTITY,
        AuditEntry.action.in_((READ, REFUSED)),
        AuditEntry.occurred_at >= utc_now() - timedelta(days=days),
    )
    if scope:
        query = query.where(AuditEntry.entity_id == scope)
    rows = session.execute(query.order_by(AuditEntry.id.desc()).limit(limit * 4)).scalars()
    out: list[AccessRead] = []
    for row in rows:
        after: dict[str, Any] = row.after or {}
        if reader_org_id is not None and after.get("reader_org_id") != reader_org_id:
            continue
        out.append(
            AccessRead(
                entry_id=row.id,
                at=datetime.fromisoformat(after.get("read_at") or row.occurred_at.isoformat()),
                action=row.action,
                actor=row.actor,
                reader_org_id=int(after.get("reader_org_id", 0)),
                reader_role=str(after.get("reader_role", "")),
                consent=after.get("consent"),
                scope=row.entity_id,
                purpose=row.reason or "",
                path=str(after.get("path", "")),
                records=dict(after.get("records") or {}),
                reads=int(after.get("reads", 1)),
            )
        )
        if len(out) >= limit:
            break
    return out

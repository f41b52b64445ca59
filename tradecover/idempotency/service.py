"""Holding, storing and replaying idempotency keys (Stripe / IETF draft semantics).

A keyed route runs its effect in ONE transaction: it holds the key there and stores the
answer with the effect, so the effect and the stored answer commit together and a failed
request leaves nothing behind, not even the key.  A retry with the same key and body gets
the stored answer; with another body a 422; while the first request is still running a 409
(PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` makes the retry wait and replay).

That protocol is ONE, whatever the I/O: a :class:`HeldKey` is held (:func:`hold`; on
PostgreSQL a transaction-scoped advisory lock, then the stored answer read), the answer found
is judged (:func:`judge`: a replay, 422 for another request, 409 while another holds it),
and the answer is stored with the effect (:func:`store`).  A caller that sends its own
statements (the PostgreSQL attachment store's pipelined round trips) sends the very same
SQL: :func:`hold_statements` and :func:`store_statement`.  A route whose effect is a
function of the session runs all three with :func:`answer_once`.  A key left
``in_progress`` by the retired two-transaction protocol is judged still running until
``stale_after``, then taken over.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tradecover.db.base import canonical_json
from tradecover.idempotency.model import IdempotencyRecord
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, ValidationFailed

MAX_KEY_LENGTH = 255
STALE_AFTER = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class Replay:
    """The key was used before with the same request: answer as the first time."""

    status_code: int
    body: Any


_RECORDS = cast(Table, IdempotencyRecord.__table__)


def fingerprint(*, method: str, path: str, body: Any) -> str:
    """SHA-256 of the method, path and canonical body of a request."""
    return hashlib.sha256(f"{method.upper()} {path}\n{canonical_json(body)}".encode()).hexdigest()


def check_key(key: str) -> str:
    """Refuse empty, over-long or non-printable keys."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed(
            f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} printable characters",
            code="invalid_idempotency_key",
            field="Idempotency-Key",
        )
    return key


# --- one transaction: the key held, the answer stored with the effect ------------------


@dataclass(frozen=True, slots=True)
class HeldKey:
    """An ``Idempotency-Key`` of an organisation held for one request (its fingerprint)."""

    org_id: int
    key: str
    fingerprint: str


class Replayed(Exception):
    """The key's stored answer is the answer (raised by a use case that held the key)."""

    def __init__(self, replay: Replay) -> None:
        super().__init__("replay")
        self.replay = replay


LOCK_SQL = (
    "SELECT pg_try_advisory_xact_lock(%(idempotency_org)s::int, hashtext(%(idempotency_key)s))"
)
STORED_SQL = """SELECT json_build_array(fingerprint, status, status_code, response_body,
 created_at) FROM idempotency_keys
WHERE org_id = %(idempotency_org)s AND key = %(idempotency_key)s"""


def hold_statements(held: HeldKey) -> tuple[tuple[str, dict[str, Any]], tuple[str, dict[str, Any]]]:
    """PostgreSQL: the two scalar queries that hold ``held``: the advisory lock (a boolean),
    and the stored answer (a JSON array or NULL) for a LATER statement, whose snapshot then
    sees whatever an earlier holder committed.  Their parameters are prefixed, so that they
    can ride in another statement.  Judge what they return with :func:`judge`.
    """
    params = {"idempotency_org": held.org_id, "idempotency_key": check_key(held.key)}
    return (LOCK_SQL, params), (STORED_SQL, params)


def judge(
    held: HeldKey, *, locked: bool, stored: list[Any] | None, stale_after: timedelta = STALE_AFTER
) -> Replay | None:
    """Judge what holding the key found (the lock taken or not, the stored answer's JSON
    array or ``None``): ``None`` when this request may go on, the stored answer of an
    earlier use (a replay); 409 while another request holds the key, 422 when the key came
    with another request.
    """
    if not locked:
        raise Conflict(
            "a request with this Idempotency-Key is still being processed",
            code="idempotency_in_progress",
        )
    if stored is None:
        return None
    fingerprint, status, status_code, body, created_at = stored
    return _judged(
        (
            fingerprint,
            status,
            status_code,
            None if body is None else json.loads(body),
            datetime.fromisoformat(created_at),
        ),
        held.fingerprint,
        stale_after,
    )


def _found(record: IdempotencyRecord) -> tuple[str, str, int | None, Any, datetime]:
    return (
        record.fingerprint,
        record.status,
        record.status_code,
        record.response_body,
        record.created_at,
    )


def _judged(
    found: tuple[str, str, int | None, Any, datetime],
    request_fingerprint: str,
    stale_after: timedelta,
) -> Replay | None:
    try:
        _judge(found, request_fingerprint, stale_after)
    except Replayed as replayed:
        return replayed.replay
    return None


def _judge(
    found: tuple[str, str, int | None, Any, datetime],
    request_fingerprint: str,
    stale_after: timedelta,
) -> None:
    """Raise 422 for another request, :class:`Replayed` for a completed one and 409 while a
    claim is fresh; return when a stale claim may be taken over.
    """
    stored_fingerprint, status, status_code, body, created_at = found
    if stored_fingerprint != request_fingerprint:
        raise ValidationFailed(
            "this Idempotency-Key was used with a different request",
            code="idempotency_key_reused",
            field="Idempotency-Key",
        )
    if status == "completed":
        raise Replayed(Replay(status_code or 200, body))
    # left in progress by the retired two-transaction protocol and never completed
    if utc_now() - created_at.replace(tzinfo=created_at.tzinfo or UTC) < stale_after:
        raise Conflict(
            "a request with this Idempotency-Key is still being processed",
            code="idempotency_in_progress",
        )


def hold(session: Session, held: HeldKey, *, stale_after: timedelta = STALE_AFTER) -> Replay | None:
    """Hold ``held`` in the caller's transaction, which goes on to run the effect and
    :func:`store` the answer before it commits: effect and answer commit together, and a
    crash or an error rolls both back (nothing to abandon).

    On PostgreSQL the statements of :func:`hold_statements` (one round trip): a concurrent
    request with the same key gets 409 at once instead of waiting.  SQLite's
    ``BEGIN IMMEDIATE`` transaction already serialises writers.  Returns what
    :func:`judge` says.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        driver: Any = connection.connection.driver_connection
        with driver.pipeline():
            locked, stored = (driver.execute(sql, values) for sql, values in hold_statements(held))
        answer = stored.fetchone()
        return judge(
            held,
            locked=bool(locked.fetchone()[0]),
            stored=answer[0] if answer else None,
            stale_after=stale_after,
        )
    check_key(held.key)
    record = session.execute(
        select(IdempotencyRecord).where(
            IdempotencyRecord.org_id == held.org_id, IdempotencyRecord.key == held.key
        )
    ).scalar_one_or_none()
    if record is None:
        return None
    return _judged(_found(record), held.fingerprint, stale_after)


STORE_SQL = """
INSERT INTO idempotency_keys
  (org_id, key, fingerprint, status, status_code, response_body, created_at, completed_at)
VALUES (%(idempotency_org)s, %(idempotency_key)s, %(idempotency_fingerprint)s, 'completed',
        %(idempotency_status)s, %(idempotency_body)s, %(idempotency_now)s,
        %(idempotency_now)s)
ON CONFLICT (org_id, key) DO UPDATE SET status = 'completed',
  status_code = EXCLUDED.status_code, response_body = EXCLUDED.response_body,
  completed_at = EXCLUDED.completed_at
WHERE idempotency_keys.status = 'in_progress'"""


def store_statement(
    held: HeldKey, *, status_code: int, body_json: str
) -> tuple[str, dict[str, Any]]:
    """PostgreSQL: the statement of :func:`store` (its parameters prefixed, so that it can
    also ride as a WITH query in another statement), to send with the effect's writes; the
    answer comes as the JSON text the client is sent (encoded once for both).
    """
    return STORE_SQL, {
        "idempotency_org": held.org_id,
        "idempotency_key": held.key,
        "idempotency_fingerprint": held.fingerprint,
        "idempotency_status": status_code,
        "idempotency_body": body_json,
        "idempotency_now": utc_now(),
    }


_STORE_PORTABLE = {
    dialect: insert(_RECORDS)
    .values(
        org_id=bindparam("org_id"),
        key=bindparam("key"),
        fingerprint=bindparam("fingerprint"),
        status="completed",
        status_code=bindparam("status_code"),
        response_body=bindparam("response_body"),
        created_at=bindparam("now"),
        completed_at=bindparam("now"),
    )
    .on_conflict_do_update(
        index_elements=["org_id", "key"],
        set_={
            "status": "completed",
            "status_code": bindparam("status_code"),
            "response_body": bindparam("response_body"),
            "completed_at": bindparam("now"),
        },
        where=_RECORDS.c.status == "in_progress",
    )
    for dialect, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


def store(session: Session, held: HeldKey, *, status_code: int, body_json: str) -> None:
    """Store the answer (its JSON text) of a key held with :func:`hold`, in the effect's
    transaction (a stale key left in progress is taken over).
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            *store_statement(held, status_code=status_code, body_json=body_json)
        )
        return
    connection.execute(
        _STORE_PORTABLE[connection.dialect.name],
        {
            "org_id": held.org_id,
            "key": held.key,
            "fingerprint": held.fingerprint,
            "status_code": status_code,
            "response_body": json.loads(body_json),
            "now": utc_now(),
        },
    )


@dataclass(frozen=True, slots=True)
class Answer:
    """A keyed route's answer: its status and JSON value, and whether it is a replay."""

    status_code: int
    body: Any
    replayed: bool


def answer_once(
    session: Session, held: HeldKey, *, status_code: int, effect: Callable[[], Any]
) -> Answer:
    """The protocol for a route whose effect runs in ``session``'s transaction (which the
    route commits): :func:`hold` ``held``, then the stored answer of an earlier use (a
    replay) or the answer ``effect`` returns (a JSON value), stored with the effect by
    :func:`store`.
    """
    replay = hold(session, held)
    if replay is not None:
        return Answer(replay.status_code, replay.body, replayed=True)
    body = effect()
    store(session, held, status_code=status_code, body_json=json.dumps(body))
    return Answer(status_code, body, replayed=False)

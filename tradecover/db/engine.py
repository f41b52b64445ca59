"""Engine and session factory; SQLite is made safe for money (IMMEDIATE, FULL sync, WAL)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from psycopg.abc import Buffer
from psycopg.adapt import Loader
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from tradecover.config import DB_CONNECT_TIMEOUT_S, DB_POOL_TIMEOUT_S


def make_engine(
    url: str,
    *,
    echo: bool = False,
    connect_timeout_s: int = DB_CONNECT_TIMEOUT_S,
    pool_timeout_s: float = DB_POOL_TIMEOUT_S,
) -> Engine:
    """Create an engine; on SQLite every transaction starts with ``BEGIN IMMEDIATE``.

    SQLite has no ``SELECT ... FOR UPDATE``; taking the write lock when the transaction
    begins makes read-check-write sequences safe there, the same code path that uses
    row locks and conditional updates on PostgreSQL.  On a server database a new
    connection waits at most ``connect_timeout_s`` for the server and a request at most
    ``pool_timeout_s`` for a pooled connection, so that an unreachable database is
    answered within seconds (503), never after a long stall.
    """
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and ":memory:" not in url:
            from pathlib import Path

            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    engine = create_engine(
        url,
        echo=echo,
        pool_size=10,
        max_overflow=20,
        pool_timeout=pool_timeout_s,
        connect_args={"connect_timeout": connect_timeout_s},
    )
    ping_when_idle(engine)

    @event.listens_for(engine, "connect")
    def _json_by_orjson(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.adapters.register_loader("json", OrjsonLoader)

    return engine


IDLE_BEFORE_PING_S = 1.0
"""A pooled connection idle for longer than this is pinged before it is handed out."""


def ping_when_idle(engine: Engine, idle_s: float = IDLE_BEFORE_PING_S) -> None:
    """Ping a pooled connection on checkout only when it sat idle for over ``idle_s``.

    ``pool_pre_ping`` pings on every checkout: a round trip per request, the most of all
    on a busy server, whose connections were in use a moment ago.  A connection the
    server dropped (a restart, an idle timeout) has sat idle, so it is still caught: the
    pool replaces it with a fresh one and the request never sees it.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("checked_in_at")
        if since is None or time.monotonic() - since <= idle_s:
            return  # just connected, or in use a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:
            raise DisconnectionError(str(exc)) from exc
        if not alive:
            raise DisconnectionError("the connection did not answer a ping")


class OrjsonLoader(Loader):
    """PostgreSQL ``json`` results parsed by orjson (the attachment's facts come back as
    JSON arrays; the standard library's parser costs several times more).
    """

    def load(self, data: Buffer) -> Any:
        """Parse one value."""
        return orjson.loads(bytes(data))


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit when the block ends normally, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()

"""The PostgreSQL pool pings a connection only when it sat idle, and replaces one the
server dropped without the request noticing.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from tests.conftest import PG_URL, pg_database_url
from tradecover.db.engine import IDLE_BEFORE_PING_S, make_async_pool, make_engine

# the pool of a server database (SQLite has no pool to ping)
SERVERS = ["postgresql"] if PG_URL else []


@pytest.fixture(params=SERVERS)
def pinged(request: pytest.FixtureRequest) -> Any:
    """An engine on a fresh database, and the list of pings it made."""
    engine = make_engine(pg_database_url(f"pool_{request.param}"))
    pings: list[float] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_conn: Any) -> bool:
        pings.append(time.monotonic())
        return ping(dbapi_conn)

    engine.dialect.do_ping = counted  # type: ignore[method-assign]
    yield engine, pings
    engine.dispose()


def _backend_pid(engine: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_in_use_a_moment_ago_is_not_pinged(pinged: Any) -> None:
    engine, pings = pinged
    first = _backend_pid(engine)
    for _ in range(20):
        assert _backend_pid(engine) == first  # the same pooled connection every time
    assert pings == []


def test_a_connection_the_server_dropped_while_idle_is_replaced(pinged: Any) -> None:
    engine, pings = pinged
    dropped = _backend_pid(engine)
    with psycopg.connect(engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False), autocommit=True) as other:  # not from the pool
        other.execute("SELECT pg_terminate_backend(%s)", (dropped,))
    time.sleep(IDLE_BEFORE_PING_S + 0.2)
    replaced = _backend_pid(engine)  # no error: the ping found it dead
    assert replaced != dropped
    assert len(pings) >= 1


def test_the_async_pool_replaces_a_connection_dropped_while_idle(
        pinged: Any) -> None:
    """The ERP endpoint's pool: same rule as the engine's (ping only after idling)."""
    engine, _pings = pinged
    url = engine.url.render_as_string(hide_password=False)

    async def scenario() -> tuple[int, int, int]:
        pool = make_async_pool(url, max_size=1)
        await pool.open()
        try:
            async def backend() -> int:
                async with pool.connection() as connection:
                    row = await (await connection.execute("SELECT pg_backend_pid()")).fetchone()
                    assert row is not None
                    return int(row[0])

            first = await backend()
            again = await backend()  # in use a moment ago: the same connection, no ping
            with psycopg.connect(engine.url.set(drivername="postgresql").render_as_string(
                    hide_password=False), autocommit=True) as other:
                other.execute("SELECT pg_terminate_backend(%s)", (first,))
            await asyncio.sleep(IDLE_BEFORE_PING_S + 0.2)
            return first, again, await backend()  # no error: the check found it dead
        finally:
            await pool.close()

    first, again, replaced = asyncio.run(scenario())
    assert again == first
    assert replaced != first

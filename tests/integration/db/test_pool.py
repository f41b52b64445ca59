"""The PostgreSQL pool pings a connection only when it sat idle, and replaces one the
server dropped without the request noticing; its waits are bounded, and while the
database is gone the ERP route's pool fails at once and recovers the moment it is back.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import psycopg
import pytest
from psycopg_pool import PoolTimeout
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL, _admin, pg_database_url
from tradecover.api.app import create_app
from tradecover.config import Settings
from tradecover.db.async_pool import RecoveringPool
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

    engine.dialect.do_ping = counted  # type: ignore[method-assign,assignment]
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
    with psycopg.connect(
        engine.url.set(drivername="postgresql").render_as_string(hide_password=False),
        autocommit=True,
    ) as other:  # not from the pool
        other.execute("SELECT pg_terminate_backend(%s)", (dropped,))
    time.sleep(IDLE_BEFORE_PING_S + 0.2)
    replaced = _backend_pid(engine)  # no error: the ping found it dead
    assert replaced != dropped
    assert len(pings) >= 1


def test_the_async_pool_replaces_a_connection_dropped_while_idle(pinged: Any) -> None:
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
            with psycopg.connect(
                engine.url.set(drivername="postgresql").render_as_string(hide_password=False),
                autocommit=True,
            ) as other:
                other.execute("SELECT pg_terminate_backend(%s)", (first,))
            await asyncio.sleep(IDLE_BEFORE_PING_S + 0.2)
            return first, again, await backend()  # no error: the check found it dead
        finally:
            await pool.close()

    first, again, replaced = asyncio.run(scenario())
    assert again == first
    assert replaced != first


def test_the_engine_bounds_its_connect_and_pool_waits(pinged: Any) -> None:
    """Settings reach the engine: the wait for a pooled connection and for the server."""
    engine, _pings = pinged
    url = engine.url.render_as_string(hide_password=False)
    bounded = make_engine(url, connect_timeout_s=2, pool_timeout_s=1.5)
    try:
        assert bounded.pool.timeout() == 1.5  # type: ignore[attr-defined]
        with bounded.connect() as conn:
            dbapi = conn.connection.dbapi_connection
            assert dbapi is not None
            assert dbapi.info.get_parameters()["connect_timeout"] == "2"
    finally:
        bounded.dispose()


def _drop(url: str) -> None:
    with _admin() as admin:
        admin.execute(f'DROP DATABASE "{make_url(url).database}" WITH (FORCE)')


def _create(url: str) -> None:
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{make_url(url).database}"')


async def _timed_backend(pool: RecoveringPool) -> tuple[int | BaseException, float]:
    started = time.monotonic()
    try:
        async with pool.connection() as connection:
            row = await (await connection.execute("SELECT pg_backend_pid()")).fetchone()
            assert row is not None
            return int(row[0]), time.monotonic() - started
    except psycopg.OperationalError as exc:
        return exc, time.monotonic() - started


def test_the_async_pool_fails_at_once_while_the_database_is_gone_and_recovers_at_once(
    pinged: Any,
) -> None:
    """Gone before the pool ever connected: the first request waits the pool's bounded
    timeout (the pool tried and failed to connect), the next ones fail at once (no wait
    behind the pool's reconnection backoff), and the first one after the database is back
    gets a connection at once."""
    engine, _pings = pinged
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    _drop(url)

    async def scenario() -> list[tuple[int | BaseException, float, bool]]:
        pool = make_async_pool(url, pool_timeout_s=1.0)
        await pool.open()
        seen = []
        try:
            for _ in range(3):
                seen.append((*await _timed_backend(pool), pool.lost))
            await asyncio.sleep(1.5)  # the pool's own reconnection backs off meanwhile
            _create(url)
            seen.append((*await _timed_backend(pool), pool.lost))
        finally:
            await pool.close()
        return seen

    (
        (first, first_s, lost1),
        (second, second_s, lost2),
        (third, third_s, lost3),
        (back, back_s, lost4),
    ) = asyncio.run(scenario())
    assert isinstance(first, PoolTimeout) and 0.9 <= first_s < 2.5 and lost1
    for failed, took, lost in ((second, second_s, lost2), (third, third_s, lost3)):
        assert isinstance(failed, psycopg.OperationalError)
        assert not isinstance(failed, PoolTimeout)  # the probe's own error: no pool wait
        assert "does not exist" in str(failed)
        assert took < 0.5 and lost
    assert isinstance(back, int) and back_s < 0.9 and not lost4


def test_a_busy_async_pool_is_not_taken_for_a_lost_database(pinged: Any) -> None:
    """Every connection in use: a request waits the bounded timeout and is refused, but
    the pool is not replaced (the database answers)."""
    engine, _pings = pinged
    url = engine.url.render_as_string(hide_password=False)

    async def scenario() -> tuple[int | BaseException, float, bool, int | BaseException, int]:
        pool = make_async_pool(url, max_size=1, pool_timeout_s=0.5)
        await pool.open()
        try:
            async with pool.connection() as held:
                row = await (await held.execute("SELECT pg_backend_pid()")).fetchone()
                assert row is not None
                waited, took = await _timed_backend(pool)
                lost = pool.lost
            after, _took = await _timed_backend(pool)
            return waited, took, lost, after, int(row[0])
        finally:
            await pool.close()

    waited, took, lost, after, held_pid = asyncio.run(scenario())
    assert isinstance(waited, PoolTimeout) and 0.45 <= took < 2.0
    assert not lost
    assert after == held_pid  # the same pool and connection, not a fresh one


def test_the_timeouts_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """``TRADECOVER_DB_CONNECT_TIMEOUT_SECONDS`` and ``TRADECOVER_DB_POOL_TIMEOUT_SECONDS``:
    a few seconds by default, and never a long stall."""
    for name in ("CONNECT", "POOL"):
        monkeypatch.delenv(f"TRADECOVER_DB_{name}_TIMEOUT_SECONDS", raising=False)
    assert (Settings().db_connect_timeout_seconds, Settings().db_pool_timeout_seconds) == (3, 3.0)
    monkeypatch.setenv("TRADECOVER_DB_CONNECT_TIMEOUT_SECONDS", "5")
    monkeypatch.setenv("TRADECOVER_DB_POOL_TIMEOUT_SECONDS", "1.5")
    assert (Settings().db_connect_timeout_seconds, Settings().db_pool_timeout_seconds) == (5, 1.5)
    for name, value in (("CONNECT", "31"), ("CONNECT", "1"), ("POOL", "0"), ("POOL", "30.5")):
        monkeypatch.setenv(f"TRADECOVER_DB_{name}_TIMEOUT_SECONDS", value)
        with pytest.raises(ValidationError):
            Settings()
        monkeypatch.delenv(f"TRADECOVER_DB_{name}_TIMEOUT_SECONDS")


def test_the_app_gives_its_engine_the_configured_pool_timeout(pinged: Any) -> None:
    engine, _pings = pinged
    url = engine.url.render_as_string(hide_password=False)
    app = create_app(Settings(database_url=url, secret_key="s" * 40, db_pool_timeout_seconds=1.5))
    try:
        assert app.state.engine.pool.timeout() == 1.5
    finally:
        app.state.engine.dispose()

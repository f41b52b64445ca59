"""The PostgreSQL pool pings a connection only when it sat idle, and replaces one the
server dropped without the request noticing; its waits are bounded, and while the
database is gone the ERP route's pool fails at once and recovers the moment it is back.
"""

from __future__ import annotations

import time
from typing import Any

import psycopg
import pytest
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL, _admin, pg_database_url
from tradecover.api.app import create_app
from tradecover.config import Settings
from tradecover.db.engine import IDLE_BEFORE_PING_S, make_engine

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

"""A database outage is answered at once and recovered from at once.

A real uvicorn server runs the app on a database of its own.  The ERP fast path is warmed
(a remembered API key), then the database is dropped with ``FORCE`` while the server runs:
every request, the fast path's and the FastAPI routes', answers 503
``database_unavailable`` with ``Retry-After`` within a couple of seconds (it used to wait
30 s on the fast path's pool).  The database is then recreated (from a template taken
before the server started: migrated, with the same organisations, keys, policy and limit)
and the very next request is attached promptly (it used to wait up to 30 s for the pool's
reconnection backoff).  The outage's requests left nothing behind, and ``audit verify``
and ``ledger check`` stay green.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from tests.builders.declarations import World, body, world
from tests.conftest import (
    PG_URL,
    TEST_SECRET,
    Database,
    _admin,
    make_cast,
    pg_database_url,
)
from tests.integration.declarations.helpers import counts
from tests.servers import serve_app
from tradecover.api.app import create_app
from tradecover.config import Settings
from tradecover.db import bootstrap, migrate
from tradecover.db.engine import IDLE_BEFORE_PING_S, make_engine, make_session_factory, transaction

# the fast path runs on PostgreSQL only (SQLite has no pool to lose)
SERVERS = ["postgresql"] if PG_URL else []

PROMPT_S = 2.5
"""How long an answer may take, in the outage or just after it."""
POOL_TIMEOUT_S = 10.0
"""The pools' wait in this test: far longer than :data:`PROMPT_S`, so that an answer that
merely waited for the pool to give up cannot pass for a prompt one."""


@pytest.fixture(params=SERVERS)
def own_db(request: pytest.FixtureRequest) -> Iterator[Database]:
    """A migrated database of this test alone (it is dropped and recreated)."""
    url = pg_database_url(f"outage_{request.param}")
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        bootstrap.load_reference_data(session)
    db = Database("postgresql", url, engine, factory)
    template = f"{make_url(url).database}_template"
    yield db
    db.engine.dispose()
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')


def _timed(call: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    answer = call()
    return answer, time.monotonic() - started


def _assert_unavailable(answer: httpx.Response, took: float) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == "database_unavailable"
    assert int(answer.headers["retry-after"]) >= 1
    assert took < PROMPT_S, f"the 503 took {took:.1f} s"


def test_an_outage_is_answered_at_once_and_recovered_from_at_once(
    own_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(
        database_url=own_db.url, secret_key=TEST_SECRET, db_pool_timeout_seconds=POOL_TIMEOUT_S
    )
    setup_app = create_app(settings)
    with TestClient(setup_app) as setup:
        cast = make_cast(own_db)
        w: World = world(setup, cast, own_db)
    setup_app.state.engine.dispose()
    own_db.engine.dispose()
    name = make_url(own_db.url).database
    with _admin() as admin:  # what "recreate and migrate" brings back, taken before serving
        admin.execute(f'CREATE DATABASE "{name}_template" TEMPLATE "{name}"')
    before = counts(own_db)

    app = create_app(settings)
    with (
        serve_app(app, log_level="critical") as base,
        httpx.Client(base_url=base, timeout=40) as client,
    ):

        def declare(invoice: str, key: str) -> httpx.Response:
            return client.post(
                "/api/v1/declarations",
                json=body(w, invoice_number=invoice),
                headers={**cast.exporter.headers, "Idempotency-Key": key},
            )

        first = declare("W-1", "warm-1")  # FastAPI's route: the key is remembered
        assert first.status_code == 201, first.text
        assert app.state.known_api_keys.principal(cast.exporter.headers["X-API-Key"])
        fast = declare("W-2", "warm-2")  # the fast path, on its own pool
        assert fast.status_code == 201, fast.text
        declared_id = fast.json()["id"]

        with _admin() as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        _assert_unavailable(*_timed(lambda: declare("O-1", "outage-1")))  # its connection lost
        time.sleep(IDLE_BEFORE_PING_S + 0.2)  # the pooled connection is pinged before use
        _assert_unavailable(*_timed(lambda: declare("O-2", "outage-2")))
        for n in (3, 4, 5):  # the pool knows: no wait behind its reconnection backoff
            _assert_unavailable(*_timed(lambda n=n: declare(f"O-{n}", f"outage-{n}")))
        _assert_unavailable(
            *_timed(
                lambda: client.get(
                    f"/api/v1/declarations/{declared_id}", headers=cast.exporter.headers
                )
            )
        )
        time.sleep(1.5)  # the pool's reconnection backs off meanwhile

        with _admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{name}_template"')
        recovered, took = _timed(lambda: declare("O-2", "outage-2"))
        assert recovered.status_code == 201, recovered.text
        assert took < PROMPT_S, f"the first request after recovery took {took:.1f} s"
        assert "idempotent-replayed" not in recovered.headers  # the outage stored no answer
        again, took = _timed(lambda: declare("R-1", "recovered-1"))
        assert again.status_code == 201, again.text
        assert took < PROMPT_S
        read = client.get(
            f"/api/v1/declarations/{again.json()['id']}", headers=cast.exporter.headers
        )
        assert read.status_code == 200, read.text

    after = counts(own_db)
    assert after["declarations"] == before["declarations"] + 2  # O-2 and R-1, nothing else
    own_db.engine.dispose()
    _assert_green_books(own_db, monkeypatch)


def _assert_green_books(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from tradecover.cli.main import app as cli_app
    from tradecover.config import get_settings

    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        verified = runner.invoke(cli_app, ["audit", "verify"])
        assert verified.exit_code == 0, verified.output
        assert "intact" in verified.output
        checked = runner.invoke(cli_app, ["ledger", "check"])
        assert checked.exit_code == 0, checked.output
        assert "trial balance zero" in checked.output
    finally:
        get_settings.cache_clear()

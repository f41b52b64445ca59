"""Database failures reach the client as problem documents: a collision (deadlock or
serialization failure, rolled back) is a 409 to retry, a lost database a 503, never a 500."""

from __future__ import annotations

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from psycopg_pool import PoolTimeout
from sqlalchemy.exc import OperationalError

from tradecover.api import problems


class _DriverError(Exception):
    def __init__(self, sqlstate: str | None) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def _client(sqlstate: str | None) -> TestClient:
    app = FastAPI()
    problems.install(app)

    @app.post("/work")
    def work() -> None:
        raise OperationalError("UPDATE limit_reservations ...", {}, _DriverError(sqlstate))

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize("sqlstate", ["40001", "40P01"])
def test_a_collision_is_a_409_to_retry(sqlstate: str) -> None:
    answer = _client(sqlstate).post("/work")
    assert answer.status_code == 409
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == "concurrent_update"
    assert "retry" in answer.json()["detail"]


@pytest.mark.parametrize("sqlstate", ["08006", None])
def test_a_lost_database_is_a_503(sqlstate: str | None) -> None:
    answer = _client(sqlstate).post("/work")
    assert answer.status_code == 503
    assert answer.json()["code"] == "database_unavailable"
    assert answer.headers["retry-after"] == str(problems.DATABASE_RETRY_AFTER_S) == "2"


def test_a_collision_carries_no_retry_after() -> None:
    """A 409 is retried at once; only the unreachable database asks the client to wait."""
    assert "retry-after" not in _client("40001").post("/work").headers


def test_a_pool_that_timed_out_is_a_503() -> None:
    """The ERP route's pool gives up after its bounded wait: the same 503."""
    app = FastAPI()
    problems.install(app)

    @app.post("/work")
    def work() -> None:
        raise PoolTimeout("couldn't get a connection after 3.00 sec")

    answer = TestClient(app, raise_server_exceptions=False).post("/work")
    assert (answer.status_code, answer.json()["code"]) == (503, "database_unavailable")
    assert answer.headers["retry-after"] == str(problems.DATABASE_RETRY_AFTER_S)


def test_the_503_and_its_retry_after_are_documented() -> None:
    from tradecover.api.app import create_app
    from tradecover.config import Settings

    schema = create_app(Settings(database_url="sqlite://", secret_key="x" * 40)).openapi()
    documented = schema["paths"]["/api/v1/declarations"]["post"]["responses"]["503"]
    assert documented["headers"]["Retry-After"]["schema"] == {"type": "integer"}


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (psycopg.errors.DeadlockDetected, 409, "concurrent_update"),
        (psycopg.errors.SerializationFailure, 409, "concurrent_update"),
        (psycopg.errors.AdminShutdown, 503, "database_unavailable"),
        (psycopg.errors.ConnectionFailure, 503, "database_unavailable"),
    ],
)
def test_errors_of_pipelined_statements_are_problems_too(
    error: type[psycopg.OperationalError], status: int, code: str
) -> None:
    """The attachment's pipelined statements raise the driver's own errors (not wrapped by
    SQLAlchemy): they are answered the same way."""
    app = FastAPI()
    problems.install(app)

    @app.post("/work")
    def work() -> None:
        raise error("deadlock detected")

    answer = TestClient(app, raise_server_exceptions=False).post("/work")
    assert (answer.status_code, answer.json()["code"]) == (status, code)

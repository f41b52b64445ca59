"""Alembic is the only way the schema changes: upgrade, round trip and drift check."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from tests.conftest import PG_URL, pg_database_url
from tradecover.db import migrate
from tradecover.db.engine import make_engine
from tradecover.db.models import Base

BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return pg_database_url("migrations")


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_from_empty_creates_every_model_table(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    assert _tables(empty_url) == set(Base.metadata.tables)
    migrate.check(empty_url)  # models and migrations agree
    engine = make_engine(empty_url)
    with engine.connect() as conn:
        slugs = conn.execute(text("SELECT slug, kind FROM organisations")).all()
    engine.dispose()
    assert [tuple(r) for r in slugs] == [("insurer", "insurer")]


def test_downgrade_and_upgrade_round_trip(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    migrate.downgrade(empty_url, "base")
    assert _tables(empty_url) == set()
    migrate.upgrade(empty_url)
    assert _tables(empty_url) == set(Base.metadata.tables)
    migrate.check(empty_url)


def test_migration_files_have_dated_names() -> None:
    versions = Path(migrate.MIGRATIONS, "versions")
    names = sorted(p.name for p in versions.glob("*.py"))
    assert names, "no migrations found"
    for name in names:
        date_part = name.split("_", 1)[0]
        assert len(date_part) == 8 and date_part.isdigit(), name

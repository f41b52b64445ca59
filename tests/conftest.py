"""Shared fixtures: a migrated database per backend (SQLite always, PostgreSQL when
``TRADECOVER_TEST_DATABASE_URL`` is set, as in CI), a clean slate per test, an app, and
keyword-only factories for organisations, people and credentials."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from tradecover.access import service as access
from tradecover.access.roles import OrganisationKind, Role
from tradecover.api.app import create_app
from tradecover.api.deps import SESSION_COOKIE
from tradecover.config import Settings
from tradecover.db import bootstrap, migrate
from tradecover.db.engine import make_engine, make_session_factory, transaction
from tradecover.web import csrf, security

hypothesis_settings.register_profile("default", deadline=None, max_examples=100)
hypothesis_settings.register_profile(
    "ci", deadline=None, max_examples=100, derandomize=True, print_blob=True
)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "default")

PG_URL = os.environ.get("TRADECOVER_TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
T = TypeVar("T")
TEST_SECRET = "test-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


_CREATED: list[str] = []
"""The databases :func:`pg_database_url` created in this process, dropped when it ends."""


def _admin() -> psycopg.Connection[Any]:
    assert PG_URL is not None
    base = make_url(PG_URL)
    return psycopg.connect(
        host=base.host or "127.0.0.1",
        port=base.port or 5432,
        user=base.username or "postgres",
        dbname="postgres",
        autocommit=True,
    )


def pg_database_url(suffix: str) -> str:
    """A fresh PostgreSQL database on the CI server, named after the worker and suffix
    (dropped when the test session ends, so that runs leave no databases behind).
    """
    assert PG_URL is not None
    base = make_url(PG_URL)
    name = f"{base.database}_{_worker()}_{suffix}"
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        # A test database need not wait for its WAL to reach the disk: a server crash is not
        # what these tests exercise, and the commits of the suite are many.
        admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    _CREATED.append(name)
    return base.set(database=name).render_as_string(hide_password=False)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop the databases this process created (each xdist worker drops its own)."""
    if not _CREATED:
        return
    with _admin() as admin:
        for name in dict.fromkeys(_CREATED):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _CREATED.clear()


@dataclass
class Database:
    """A migrated database for one backend, reset to a clean slate before each test."""

    backend: str
    url: str
    engine: Engine
    factory: sessionmaker[Session]
    template: Path | None = None
    resets: int = 0
    kept: dict[str, tuple[int, Any]] = field(default_factory=dict)

    def shared(self, key: str, build: Callable[[], T]) -> T:
        """What ``build`` made on a freshly reset database (a costly book), built again only
        when another test has reset the database since: for read-only tests, whose sessions
        never commit, that look at the same book.
        """
        held = self.kept.get(key)
        if held is not None and held[0] == self.resets:
            found: T = held[1]
            return found
        self.reset()
        value = build()
        self.kept = {key: (self.resets, value)}
        return value

    def reset(self) -> None:
        """Bring the database back to the state it had right after migrating and loading
        the reference data (the insurer, the shipped country classes and rate table).
        """
        self.resets += 1
        if self.backend == "sqlite":
            self.engine.dispose()
            assert self.template is not None
            target = Path(make_url(self.url).database or "")
            for extra in ("-wal", "-shm"):
                Path(str(target) + extra).unlink(missing_ok=True)
            shutil.copyfile(self.template, target)
            return
        with self.engine.begin() as conn:
            tables = [
                r[0]
                for r in conn.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                )
                if r[0] not in _PG_KEEP
            ]
            # DELETE with the foreign-key triggers off, then the rows of the migrated and
            # loaded database copied back from the snapshot and the emptied tables' own
            # sequences set back to where they were: the state of a fresh database, as the
            # SQLite template copy gives, without loading the reference data again (that
            # load cost twenty times the rest of the reset).
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text("; ".join(f'DELETE FROM "{t}"' for t in tables)))
            for table in _snapshot_tables(conn):
                conn.execute(
                    text(
                        f'INSERT INTO public."{table}" OVERRIDING SYSTEM VALUE '
                        f'SELECT * FROM {_PG_SNAPSHOT}."{table}"'
                    )
                )
            sequences = conn.execute(
                text(
                    f"SELECT name, last_value, is_called FROM {_PG_SNAPSHOT}._sequences "
                    "WHERE owner = ANY(:tables)"
                ),
                {"tables": tables},
            ).all()
            if sequences:
                conn.execute(
                    text(
                        "SELECT "
                        + ", ".join(
                            f"setval('public.\"{name}\"', {int(value)}, {bool(called)})"
                            for name, value, called in sequences
                        )
                    )
                )
            conn.execute(text("SET LOCAL session_replication_role = origin"))

    def snapshot(self) -> None:
        """Keep the rows and owned sequence positions of the freshly migrated and loaded
        PostgreSQL database in a schema of their own, which :meth:`reset` restores.
        """
        assert self.backend == "postgresql"
        with self.engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {_PG_SNAPSHOT} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {_PG_SNAPSHOT}"))
            tables = [
                r[0]
                for r in conn.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                )
                if r[0] not in _PG_KEEP
            ]
            for table in tables:
                if conn.execute(text(f'SELECT EXISTS (SELECT 1 FROM public."{table}")')).scalar():
                    conn.execute(
                        text(
                            f'CREATE TABLE {_PG_SNAPSHOT}."{table}" AS '
                            f'SELECT * FROM public."{table}"'
                        )
                    )
            conn.execute(
                text(
                    f"CREATE TABLE {_PG_SNAPSHOT}._sequences AS "
                    "SELECT s.relname AS name, t.relname AS owner, "
                    "COALESCE(q.last_value, q.start_value) AS last_value, "
                    "q.last_value IS NOT NULL AS is_called "
                    "FROM pg_class s JOIN pg_depend d ON d.objid = s.oid "
                    "JOIN pg_class t ON t.oid = d.refobjid "
                    "JOIN pg_sequences q ON q.schemaname = 'public' "
                    "AND q.sequencename = s.relname "
                    "WHERE s.relkind = 'S' AND d.deptype IN ('a', 'i')"
                )
            )


_PG_KEEP = frozenset({"alembic_version"})
"""Tables :meth:`Database.reset` leaves alone on PostgreSQL."""

_PG_SNAPSHOT = "tc_test_snapshot"
"""The schema holding the rows of a fresh PostgreSQL test database (see ``snapshot``)."""


def _snapshot_tables(conn: Connection) -> list[str]:
    """The public tables that had rows when the snapshot was taken."""
    return [
        r[0]
        for r in conn.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = :schema "
                "AND tablename <> '_sequences' ORDER BY tablename"
            ),
            {"schema": _PG_SNAPSHOT},
        )
    ]


@pytest.fixture(scope="session", params=BACKENDS)
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A migrated database on each configured backend (session-wide)."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("sqlite")
        template = folder / "template.db"
        migrate.upgrade(f"sqlite:///{template}")
        engine = make_engine(f"sqlite:///{template}")
        with transaction(make_session_factory(engine)) as session:
            bootstrap.load_reference_data(session)
        engine.dispose()
        url = f"sqlite:///{folder / 'test.db'}"
        shutil.copyfile(template, folder / "test.db")
        engine = make_engine(url)
        db = Database("sqlite", url, engine, make_session_factory(engine), template)
    else:
        url = pg_database_url("suite")
        migrate.upgrade(url)
        engine = make_engine(url)
        with transaction(make_session_factory(engine)) as session:
            bootstrap.load_reference_data(session)
        db = Database("postgresql", url, engine, make_session_factory(engine))
        db.snapshot()
    yield db
    db.engine.dispose()


@pytest.fixture
def db(database: Database) -> Database:
    """The database, reset to a clean slate for this test."""
    database.reset()
    return database


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    """A session whose work is committed when the test body ends without error."""
    with transaction(db.factory) as s:
        yield s


@pytest.fixture(name="settings")
def app_settings(db: Database, tmp_path: Path) -> Settings:
    """Settings pointing at the test database (claim documents under ``tmp_path``)."""
    return Settings(
        database_url=db.url,
        secret_key=TEST_SECRET,
        risk_max_obligor_scenarios=20_000_000,
        document_dir=tmp_path / "documents",
    )


class FormClient(TestClient):
    """A test client that sends a dashboard form's ``csrf_token`` as a browser that
    rendered the form would (page routes only; the API authenticates by header).
    """

    def request(self, method: str, url: Any, **kwargs: Any) -> Any:
        """Add the form token to state-changing form requests to page routes."""
        path = str(url).split("?", 1)[0]
        if (
            method.upper() in security.UNSAFE_METHODS
            and not path.startswith(security.API_PREFIXES)
            and kwargs.get("content") is None
            and kwargs.get("json") is None
        ):
            data = dict(kwargs.get("data") or {})
            if csrf.CSRF_FIELD not in data:
                nonce = self.cookies.get(csrf.CSRF_COOKIE)
                if not csrf.is_nonce(nonce):
                    nonce = csrf.new_nonce()
                    self.cookies.set(csrf.CSRF_COOKIE, nonce)
                assert nonce is not None
                data[csrf.CSRF_FIELD] = csrf.form_token(
                    nonce=nonce,
                    session_cookie=self.cookies.get(SESSION_COOKIE),
                    signing_key=self.app.state.settings.signing_key(),  # type: ignore[attr-defined]
                )
                kwargs["data"] = data
        return super().request(method, url, **kwargs)


@pytest.fixture
def app_client(settings: Settings) -> Iterator[TestClient]:
    """An HTTP client for an app on the test database (no credential attached); its form
    posts carry the CSRF token a browser would send.
    """
    app = create_app(settings)
    with FormClient(app, raise_server_exceptions=False) as client:
        yield client
    app.state.engine.dispose()


# --- factories -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """An organisation member with a ready credential for HTTP calls."""

    org_id: int
    org_slug: str
    role: Role
    headers: dict[str, str]
    user_id: int | None = None
    email: str | None = None
    password: str | None = None


def make_org(
    session: Session,
    *,
    slug: str,
    kind: OrganisationKind = OrganisationKind.EXPORTER,
    name: str | None = None,
    country: str | None = "CN",
    region: str | None = "CN-ZJ",
) -> int:
    """Register an organisation and return its id."""
    org = access.create_organisation(
        session,
        principal=access.system_principal(session),
        slug=slug,
        name=name or slug.replace("-", " ").title(),
        kind=kind,
        country=country,
        region=region,
    )
    return org.id


def make_key_actor(session: Session, *, org_slug: str, role: Role) -> Actor:
    """An API key credential for ``org_slug`` acting as ``role``."""
    org = access.org_by_slug(session, org_slug)
    _key, secret = access.create_api_key(
        session,
        principal=access.system_principal(session),
        org=org,
        role=role,
        name=f"test {role.value}",
    )
    return Actor(org_id=org.id, org_slug=org.slug, role=role, headers={"X-API-Key": secret})


def make_user_actor(
    session: Session,
    *,
    org_slug: str,
    role: Role,
    email: str,
    password: str = "correct horse battery",
) -> Actor:
    """A person (no token yet: sign in through the API to get one)."""
    org = access.org_by_slug(session, org_slug)
    user = access.create_user(
        session,
        principal=access.system_principal(session),
        org=org,
        email=email,
        full_name=email.split("@")[0].title(),
        role=role,
        password=password,
    )
    return Actor(
        org_id=org.id,
        org_slug=org.slug,
        role=role,
        headers={},
        user_id=user.id,
        email=user.email,
        password=password,
    )


def make_person(db: Database, org_slug: str, role: Role, email: str) -> Actor:
    """A person of ``org_slug`` with the usual test password, committed (for the pages)."""
    with transaction(db.factory) as s:
        return make_user_actor(s, org_slug=org_slug, role=role, email=email)


def sign_in(client: TestClient, actor: Actor) -> None:
    """Sign ``actor`` in through the web form (its session cookie replaces any earlier one)."""
    client.cookies.clear()
    answer = client.post(
        "/sign-in", data={"email": actor.email, "password": actor.password}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text


@dataclass(frozen=True)
class Cast:
    """The usual people of a test: insurer staff and two unrelated exporters."""

    admin: Actor
    underwriter: Actor
    risk_manager: Actor
    finance: Actor
    claims_handler: Actor
    exporter: Actor
    other_exporter: Actor
    bank: Actor


def make_cast(db: Database) -> Cast:
    """Insurer staff, two exporters and a bank, each with an API key, on ``db``."""
    with transaction(db.factory) as s:
        make_org(s, slug="acme-exports")
        make_org(s, slug="other-exports", country="KR", region="KR-26")
        make_org(s, slug="first-bank", kind=OrganisationKind.BANK, region=None)
        return Cast(
            admin=make_key_actor(s, org_slug="insurer", role=Role.ADMIN),
            underwriter=make_key_actor(s, org_slug="insurer", role=Role.UNDERWRITER),
            risk_manager=make_key_actor(s, org_slug="insurer", role=Role.RISK_MANAGER),
            finance=make_key_actor(s, org_slug="insurer", role=Role.FINANCE),
            claims_handler=make_key_actor(s, org_slug="insurer", role=Role.CLAIMS_HANDLER),
            exporter=make_key_actor(s, org_slug="acme-exports", role=Role.EXPORTER),
            other_exporter=make_key_actor(s, org_slug="other-exports", role=Role.EXPORTER),
            bank=make_key_actor(s, org_slug="first-bank", role=Role.BANK),
        )


@pytest.fixture
def cast(db: Database) -> Cast:
    """Insurer staff, two exporters and a bank, each with an API key."""
    return make_cast(db)

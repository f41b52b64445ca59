"""Core commands: db, demo, apikey, org, audit."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

import tradecover.access as access
import tradecover.audit as audit
from tradecover.access import OrganisationKind, Role
from tradecover.cli import audit_checkpoints
from tradecover.cli.context import console, domain_errors, err_console, unit_of_work
from tradecover.config import get_settings
from tradecover.db import bootstrap, migrate

db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys for systems.", no_args_is_help=True)
org_app = typer.Typer(help="Organisations and users.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
demo_app = typer.Typer(help="The demo book.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the database to the latest schema and load the reference data baseline."""
    url = get_settings().database_url
    migrate.upgrade(url, revision)
    with unit_of_work() as session:
        loaded = bootstrap.load_reference_data(session)
    console.print(f"database at [bold]{revision}[/bold]; reference rows loaded: {loaded}")


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument()]) -> None:
    """Migrate the database down to ``revision`` (``base`` removes every table)."""
    migrate.downgrade(get_settings().database_url, revision)
    console.print(f"database at [bold]{revision}[/bold]")


@db_app.command("check")
def db_check() -> None:
    """Fail if the models and the migrations disagree."""
    migrate.check(get_settings().database_url)
    console.print("models and migrations agree")


@apikey_app.command("create")
@domain_errors
def apikey_create(
    org: Annotated[str, typer.Option(help="Organisation slug, e.g. insurer")],
    role: Annotated[Role, typer.Option(help="Role the key acts with")],
    name: Annotated[str, typer.Option(help="What the key is for")] = "cli",
) -> None:
    """Create an API key; the key is printed as the last line."""
    with unit_of_work() as session:
        organisation = access.org_by_slug(session, org)
        key, secret = access.create_api_key(
            session,
            principal=access.system_principal(session),
            org=organisation,
            role=role,
            name=name,
        )
        err_console.print(f"API key {key.id} ({key.prefix}) for {org} as {role.value}:")
    print(secret)


@apikey_app.command("revoke")
@domain_errors
def apikey_revoke(key_id: Annotated[int, typer.Argument(help="Key id")]) -> None:
    """Revoke an API key."""
    with unit_of_work() as session:
        access.revoke_api_key(session, principal=access.system_principal(session), key_id=key_id)
    console.print(f"API key {key_id} revoked")


@org_app.command("create")
@domain_errors
def org_create(
    slug: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option()],
    kind: Annotated[OrganisationKind, typer.Option()],
    country: Annotated[str | None, typer.Option()] = None,
    region: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Register an organisation."""
    with unit_of_work() as session:
        org = access.create_organisation(
            session,
            principal=access.system_principal(session),
            slug=slug,
            name=name,
            kind=kind,
            country=country,
            region=region,
        )
        console.print(f"organisation {org.id} {org.slug} ({org.kind})")


@org_app.command("add-user")
@domain_errors
def org_add_user(
    org: Annotated[str, typer.Option(help="Organisation slug")],
    email: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option()],
    role: Annotated[Role, typer.Option()],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
) -> None:
    """Add a person who signs in with e-mail and password."""
    with unit_of_work() as session:
        organisation = access.org_by_slug(session, org)
        user = access.create_user(
            session,
            principal=access.system_principal(session),
            org=organisation,
            email=email,
            full_name=name,
            role=role,
            password=password,
        )
        console.print(f"user {user.id} {user.email} ({user.role})")


@org_app.command("list")
def org_list() -> None:
    """List organisations."""
    with unit_of_work() as session:
        table = Table("id", "slug", "name", "kind", "country")
        for org in access.list_organisations(session):
            table.add_row(str(org.id), org.slug, org.name, org.kind.value, org.country or "")
        console.print(table)


@audit_app.command("verify")
@domain_errors
def audit_verify(
    checkpoints: Annotated[
        list[Path] | None,
        typer.Option(
            help="Signed checkpoints to compare with (JSON lines or an export); repeat it to "
            "cross-check copies"
        ),
    ] = None,
    public_keys: Annotated[
        Path | None,
        typer.Option(help="Published public keys (default: the configured key folder's)"),
    ] = None,
    org: Annotated[str | None, typer.Option(help="Only this organisation's chains")] = None,
) -> None:
    """Recompute every hash chain; name the first changed, removed or reordered entry, and,
    given checkpoints, what changed since them.
    """
    if checkpoints:
        audit_checkpoints.verify_with_checkpoints(checkpoints, public_keys, org)
        return
    with unit_of_work() as session:
        org_id = access.org_by_slug(session, org).id if org else None
        breaks = audit.verify_all(session, org_id=org_id)
    if breaks:
        for found in breaks:
            err_console.print(f"[red]tampered[/red] {found.describe()}")
        raise typer.Exit(8)
    console.print("[green]audit log intact[/green]: every chain verifies")


@audit_app.command("log")
def audit_log(
    org: Annotated[str | None, typer.Option(help="Only this organisation's chain")] = None,
    entity: Annotated[str | None, typer.Option(help="Only this entity type, e.g. policy")] = None,
    entity_id: Annotated[str | None, typer.Option(help="Only this entity id")] = None,
    limit: Annotated[int, typer.Option(help="Newest N entries")] = 50,
) -> None:
    """Show audit entries, newest first: who, when, what, why."""
    with unit_of_work() as session:
        org_id = access.org_by_slug(session, org).id if org else None
        rows = audit.latest_entries(
            session, org_id=org_id, entity_type=entity, entity_id=entity_id, limit=limit
        )
        table = Table("id", "org", "seq", "when (UTC)", "actor", "action", "entity", "reason")
        for e in rows:
            table.add_row(
                str(e.id),
                str(e.org_id),
                str(e.seq),
                e.occurred_at.strftime("%Y-%m-%d %H:%M:%S"),
                e.actor,
                e.action,
                f"{e.entity_type}:{e.entity_id}",
                e.reason or "",
            )
        console.print(table)


@demo_app.command("seed")
@domain_errors
def demo_seed(
    exporters: Annotated[int, typer.Option(help="Number of exporters")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same book)")] = 2026,
    if_empty: Annotated[bool, typer.Option(help="Do nothing if exporters exist")] = False,
) -> None:
    """Load a deterministic, realistic demo book with its last twelve months of trading."""
    from tradecover.billing import terms_of
    from tradecover.db.engine import make_engine, make_session_factory
    from tradecover.demo import seed_demo

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        summary = seed_demo(
            make_session_factory(engine),
            exporters=exporters,
            seed=seed,
            if_empty=if_empty,
            terms=terms_of(settings),
            progress=_step_printer(),
        )
    finally:
        engine.dispose()
    console.print(summary)


def _step_printer() -> Callable[[str], None]:
    """Print each step of the seed with the seconds since the first (a billed month as
    ``billing 2026-01``).
    """
    started = time.monotonic()

    def say(step: str) -> None:
        if step[:4].isdigit():
            step = f"billing {step}"
        console.print(f"[dim]{time.monotonic() - started:6.1f} s[/dim]  {step}")

    return say


@demo_app.command("sign-ins")
def demo_sign_ins(
    url: Annotated[str, typer.Option(help="Where the dashboard is served")] = (
        "http://127.0.0.1:8000"
    ),
) -> None:
    """Print the dashboard's address and the demo sign-ins (``make run`` when ready)."""
    from tradecover.demo import DEMO_PASSWORD, DEMO_USERS

    table = Table(title=f"tradecover is ready at {url}")
    table.add_column("sign in as")
    table.add_column("role")
    for user in DEMO_USERS:
        table.add_row(user.email, user.role.value)
    console.print(table)
    console.print(f"password of every demo sign-in: [bold]{DEMO_PASSWORD}[/bold]")
    console.print(f"API documentation: {url}/api/docs")


audit_checkpoints.register(audit_app)

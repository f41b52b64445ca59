"""CLI of the feed stream (``tradecover feeds ...``): connect sources, publish files, run
workers and the embedded nats-server.  Acts as the insurer's system principal.
"""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from sqlalchemy.orm import Session

from tradecover import access
from tradecover.cli.context import console, domain_errors, err_console, unit_of_work
from tradecover.config import get_settings
from tradecover.db.engine import make_engine, make_session_factory
from tradecover.feeds import connection_repository as connections
from tradecover.feeds.stream import embedded
from tradecover.feeds.stream.envelope import Envelope, FeedSource
from tradecover.feeds.stream.nats_stream import (
    StreamSettings,
    StreamUnavailable,
    connect,
    ensure_stream,
    publish,
)
from tradecover.feeds.worker import Worker

app = typer.Typer(
    help="Feeds: connections, the document stream and its attachment workers.", no_args_is_help=True
)


def _stream_or_exit(settings: StreamSettings) -> None:
    err_console.print(
        f"[red]no NATS server at {', '.join(settings.servers)}[/red]: start "
        "it with `tradecover feeds server` or set TRADECOVER_NATS_URL"
    )
    raise typer.Exit(8)


@app.command("connect")
@domain_errors
def connect_(
    exporter: Annotated[str, typer.Option("--exporter", help="Slug of the exporter")],
    source: Annotated[FeedSource, typer.Option("--source", help="Kind of source")],
) -> None:
    """Connect a source to an exporter (an ERP connection gets its first webhook secret)."""
    with unit_of_work() as session:
        principal = access.system_principal(session)
        org = access.org_by_slug(session, exporter)
        row = connections.create_connection(
            session, principal=principal, exporter_org_id=org.id, source=source
        )
        secret = None
        if source is FeedSource.ERP:
            secret = connections.add_secret(
                session,
                principal=principal,
                connection_id=row.id,
                signing_key=get_settings().signing_key(),
            )
        connection_id = row.id
    console.print(f"connection {connection_id}: {source.value} -> {exporter} (active)")
    if secret is not None:
        console.print(f"webhook secret (shown once): {secret}")
        console.print(f"POST /api/v1/feeds/erp/{connection_id}/events")


@app.command("secret")
@domain_errors
def secret_(connection: Annotated[int, typer.Option("--connection", min=1)]) -> None:
    """Add a webhook secret to an ERP connection (rotation: revoke the old one later)."""
    with unit_of_work() as session:
        secret = connections.add_secret(
            session,
            principal=access.system_principal(session),
            connection_id=connection,
            signing_key=get_settings().signing_key(),
        )
    console.print(f"webhook secret (shown once): {secret}")


async def _publish_files(
    settings: StreamSettings, envelopes: list[Envelope], progress: Progress
) -> list[int]:
    client = await connect(settings)
    try:
        js = client.jetstream()
        await ensure_stream(js, settings)
        task = progress.add_task("publishing", total=len(envelopes))
        sequences = []
        for envelope in envelopes:
            sequences.append(await publish(js, settings, envelope))
            progress.advance(task)
        return sequences
    finally:
        await client.close()


@app.command("ingest")
@domain_errors
def ingest(
    files: Annotated[
        list[Path], typer.Argument(exists=True, dir_okay=False, help="Documents to publish")
    ],
    source: Annotated[FeedSource, typer.Option("--source", help="Kind of source")],
    exporter: Annotated[str, typer.Option("--exporter", help="Slug of the exporter")],
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
) -> None:
    """Publish files into the stream (the workers attach them)."""
    with unit_of_work() as session:
        org_id = access.org_by_slug(session, exporter).id
    envelopes = [
        Envelope.new(
            source=source, exporter_org_id=org_id, content=path.read_bytes(), filename=path.name
        )
        for path in files
    ]
    settings = StreamSettings.of(get_settings())
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        disable=quiet,
    ) as progress:
        try:
            sequences = asyncio.run(_publish_files(settings, envelopes, progress))
        except StreamUnavailable:
            _stream_or_exit(settings)
    console.print(
        f"published {len(sequences)} document(s) on {settings.prefix}.{source.value}.{org_id}"
    )


@app.command("worker")
def worker(
    batch: Annotated[int, typer.Option(min=1, max=256, help="Messages fetched at once")] = 10,
    idle_exit: Annotated[
        float | None, typer.Option(help="Exit after this many seconds with nothing to do")
    ] = None,
) -> None:
    """Run an attachment worker on the stream's durable consumer (Ctrl-C stops it)."""
    from tradecover.feeds.confirmation_repository import correction_step, model_attacher
    from tradecover.wiring import store_for

    app_settings = get_settings()
    settings = StreamSettings.of(app_settings)
    engine = make_engine(app_settings.database_url)
    store = store_for(engine)
    consumer = Worker(
        make_session_factory(engine),
        settings,
        attach=model_attacher(store),
        correct=correction_step(store),
        batch=batch,
    )

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await consumer.run(stop=stop, idle_exit_seconds=idle_exit)

    try:
        asyncio.run(main())
    except StreamUnavailable:
        _stream_or_exit(settings)
    finally:
        engine.dispose()
    stats = consumer.stats
    console.print(
        f"worker stopped: {stats.processed} processed, {stats.attached} attached, "
        f"{stats.quarantined} quarantined, {stats.duplicates} duplicates"
    )


@app.command("server")
def server(
    detach: Annotated[bool, typer.Option(help="Start it in the background and return")] = False,
) -> None:
    """Start the embedded nats-server (JetStream, store under var/nats) unless
    TRADECOVER_NATS_URL names an external one or a server answers on the port already.
    """
    settings = get_settings()
    if settings.nats_url:
        console.print(f"external NATS at {settings.nats_url}: nothing to start")
        return
    try:
        process = embedded.start_server(
            port=settings.nats_port,
            store_dir=settings.nats_store_dir,
            log_file=settings.nats_store_dir / "nats-server.log",
        )
    except embedded.ServerMissing as error:
        err_console.print(f"[red]{error}[/red]")
        raise typer.Exit(8) from None
    if process is None:
        console.print(f"a NATS server answers on 127.0.0.1:{settings.nats_port} already")
        return
    (settings.nats_store_dir / "nats-server.pid").write_text(str(process.pid))
    console.print(
        f"nats-server {process.pid} on 127.0.0.1:{settings.nats_port}, "
        f"JetStream store {settings.nats_store_dir}"
    )
    if detach:
        return
    try:
        while process.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        process.terminate()
        process.wait(timeout=10)


@app.command("documents")
@domain_errors
def documents(
    exporter: Annotated[str, typer.Option("--exporter", help="Slug of the exporter")],
    status: Annotated[str | None, typer.Option(help="Only this status")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
) -> None:
    """An exporter's received documents with their status and reasons."""
    from tradecover.access import OrganisationKind, Principal, Role
    from tradecover.feeds import service

    with unit_of_work() as session:
        org = access.org_by_slug(session, exporter)
        principal = Principal(
            actor="system:cli",
            org_id=org.id,
            org_slug=org.slug,
            org_kind=OrganisationKind(org.kind),
            role=Role.EXPORTER,
        )
        rows, _total = service.list_documents(
            session, principal=principal, status=status, limit=limit
        )
        table = Table(title=f"{len(rows)} received documents of {exporter}")
        for column in ("id", "source", "kind", "document", "status", "declaration", "reasons"):
            table.add_column(column)
        for row in rows:
            table.add_row(
                str(row.id),
                row.source,
                row.kind or "",
                row.document_id or "",
                row.status,
                str(row.declaration_id or ""),
                ", ".join(r["code"] for r in row.reasons),
            )
    console.print(table)


def _as_exporter(session: Session, slug: str) -> access.Principal:
    """The exporter ``slug`` as the CLI acts for it."""
    org = access.org_by_slug(session, slug)
    return access.Principal(
        actor="system:cli",
        org_id=org.id,
        org_slug=org.slug,
        org_kind=access.OrganisationKind(org.kind),
        role=access.Role.EXPORTER,
    )


@app.command("awaiting")
@domain_errors
def awaiting(
    exporter: Annotated[str, typer.Option("--exporter", help="Slug of the exporter")],
) -> None:
    """The exporter's shipments waiting for its confirmation, most urgent first."""
    from tradecover.feeds.confirmation_repository import awaiting_confirmation

    with unit_of_work() as session:
        items = awaiting_confirmation(session, principal=_as_exporter(session, exporter))
    table = Table(title=f"{len(items)} shipments of {exporter} waiting for confirmation")
    for column in ("id", "source", "document", "buyer", "amount", "shipped", "confirm by", ""):
        table.add_column(column)
    for item in items:
        table.add_row(
            str(item.document_row_id),
            item.source,
            item.document_id or "",
            item.buyer_name or "",
            f"{item.amount} {item.currency}" if item.amount is not None else "",
            item.shipment_date.isoformat() if item.shipment_date else "",
            item.deadline.isoformat() if item.deadline else "",
            item.standing.value if item.standing else "",
        )
    console.print(table)


@app.command("confirm")
@domain_errors
def confirm(
    exporter: Annotated[str, typer.Option("--exporter", help="Slug of the exporter")],
    document_ids: Annotated[list[int], typer.Argument(help="Received document ids")],
) -> None:
    """Confirm shipments waiting for confirmation: they attach now (exit 5 if any refused)."""
    from tradecover.feeds.confirmation_repository import confirm_many
    from tradecover.wiring import store_for

    with unit_of_work() as session:
        outcomes = confirm_many(
            session,
            principal=_as_exporter(session, exporter),
            document_ids=document_ids,
            store=store_for(session.get_bind().engine),
        )
    for outcome in outcomes:
        if outcome.error is None:
            console.print(f"{outcome.document_id}: attached, declaration {outcome.declaration_id}")
        else:
            err_console.print(
                f"{outcome.document_id}: {outcome.error.code}: {outcome.error.message}"
            )
    if any(outcome.error is not None for outcome in outcomes):
        raise typer.Exit(5)


@app.command("withdraw")
@domain_errors
def withdraw(
    exporter: Annotated[str, typer.Option("--exporter", help="Slug of the exporter")],
    document_id: Annotated[int, typer.Argument(help="Received document id")],
) -> None:
    """Withdraw a received document (quarantined, awaiting confirmation, or attached under
    the hybrid model within its correction window).
    """
    from tradecover.feeds.confirmation_repository import withdraw_received

    with unit_of_work() as session:
        row = withdraw_received(
            session, principal=_as_exporter(session, exporter), document_id=document_id
        )
        console.print(f"{row.id}: {row.status}")


@app.command("omissions")
@domain_errors
def omissions_(
    exporter: Annotated[
        str | None, typer.Option("--exporter", help="Slug of one exporter (default: all)")
    ] = None,
    start: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="First shipment date")
    ] = None,
    end: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last shipment date")
    ] = None,
    turnover: Annotated[
        bool, typer.Option(help="Also the whole-turnover share from customs data")
    ] = False,
) -> None:
    """Customs exports in a policy's scope with no declaration behind them, per exporter
    and month (and, with --turnover, the declared share of what customs saw exported).
    """
    from tradecover import reporting
    from tradecover.kit.dates import business_today

    last = end.date() if end else business_today()
    first = start.date() if start else (last - timedelta(days=90)).replace(day=1)
    with unit_of_work() as session:
        principal = access.system_principal(session)
        org_id = access.org_by_slug(session, exporter).id if exporter else None
        org_id = reporting.exporter_in_view(principal, org_id, first, last)
        items = reporting.omissions(session, exporter_org_id=org_id, start=first, end=last)
        table = Table(title=f"omissions {first.isoformat()}..{last.isoformat()}")
        for column in ("exporter", "policy", "month", "records", "amount"):
            table.add_column(column, justify="right" if column in {"records", "amount"} else "left")
        for month in reporting.omissions_by_month(items):
            table.add_row(
                str(month.exporter_org_id),
                str(month.policy_id),
                month.month.strftime("%Y-%m"),
                str(month.count),
                f"{month.amount:,.2f} {month.currency}",
            )
        console.print(table)
        if not turnover:
            return
        shares = Table(title="whole turnover from customs data")
        for column in ("policy", "month", "customs", "declared", "share", "returned"):
            shares.add_column(column)
        for row in reporting.turnover_from_customs(
            session, exporter_org_id=org_id, start=first, end=last
        ):
            shares.add_row(
                str(row.policy_id),
                row.month.strftime("%Y-%m"),
                f"{row.customs_exported:,.2f} {row.currency}",
                f"{row.declared:,.2f}",
                f"{row.share:.2%}" if row.share is not None else "-",
                f"{row.returned:,.2f}" if row.returned is not None else "-",
            )
        console.print(shares)

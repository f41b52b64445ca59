"""Audit commands of signed checkpoints: ``audit checkpoint``, ``audit export-checkpoints``,
``audit keys rotate|publish`` and the checkpoint options of ``audit verify``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

import tradecover.access as access
import tradecover.audit as checkpointing
from tradecover.audit import (
    Checkpoint,
    FileKeyStore,
    open_sink,
    published_keys_json,
    read_checkpoints,
    read_published_keys,
)
from tradecover.cli.context import console, domain_errors, err_console, unit_of_work
from tradecover.config import get_settings
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import ValidationFailed

keys_app = typer.Typer(help="The keys that sign audit checkpoints.", no_args_is_help=True)

EXIT_TAMPERED = 8


def register(audit_app: typer.Typer) -> None:
    """Attach the checkpoint commands to ``tradecover audit``."""
    audit_app.command("checkpoint")(audit_checkpoint)
    audit_app.command("export-checkpoints")(audit_export_checkpoints)
    audit_app.add_typer(keys_app, name="keys")


def _write(text: str, output: Path | None) -> None:
    if output is None:
        print(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        err_console.print(f"written to {output}")


@domain_errors
def audit_checkpoint() -> None:
    """Sign the head of every chain and append the checkpoint to the sink (a periodic job:
    run it from cron or a systemd timer, e.g. every hour).
    """
    settings = get_settings()
    try:
        with unit_of_work() as session:
            checkpoint = checkpointing.take_checkpoint(
                session,
                keys=FileKeyStore(settings.audit_keys_dir),
                sink=open_sink(settings.audit_checkpoint_sink),
                at=utc_now(),
            )
    except checkpointing.AuditTampered as tampered:
        err_console.print(f"[red]tampered[/red] {tampered.message}")
        raise typer.Exit(EXIT_TAMPERED) from None
    console.print(
        f"checkpoint {checkpoint.number}: {len(checkpoint.heads)} chain heads of "
        f"{len(checkpoint.organisations)} organisations signed with key "
        f"{checkpoint.key_id}"
    )


@domain_errors
def audit_export_checkpoints(
    org: Annotated[str | None, typer.Option(help="Only this organisation's chain heads")] = None,
    output: Annotated[
        Path | None, typer.Option(help="Write to this file (default: stdout)")
    ] = None,
) -> None:
    """Export the checkpoints as JSON lines, for a third party to keep its own copy."""
    org_id = None
    if org:
        with unit_of_work() as session:
            org_id = access.org_by_slug(session, org).id
    checkpoints = checkpointing.export_checkpoints(
        sink=open_sink(get_settings().audit_checkpoint_sink), org_id=org_id
    )
    _write(
        "\n".join(
            json.dumps(c.to_json(), sort_keys=True, separators=(",", ":")) for c in checkpoints
        ),
        output,
    )


@keys_app.command("rotate")
@domain_errors
def keys_rotate() -> None:
    """Make a new signing key (the first one too); the old public key stays published."""
    key = FileKeyStore(get_settings().audit_keys_dir).rotate(at=utc_now())
    console.print(f"signing key {key.key_id} is current; publish the public keys again")


@keys_app.command("publish")
@domain_errors
def keys_publish(
    output: Annotated[
        Path | None, typer.Option(help="Write to this file (default: stdout)")
    ] = None,
) -> None:
    """Print every public key, retired ones included: the file verifiers need."""
    keys = FileKeyStore(get_settings().audit_keys_dir).published()
    _write(json.dumps(published_keys_json(keys), indent=2), output)


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationFailed(f"cannot read {what} {path}: {exc.strerror}", field=what) from exc


def verify_with_checkpoints(
    checkpoints: list[Path], public_keys: Path | None, org: str | None
) -> None:
    """``audit verify`` with checkpoint files: print findings, exit 8 when tampered."""
    copies: list[list[Checkpoint]] = [
        read_checkpoints(_read(p, "checkpoints")) for p in checkpoints
    ]
    if public_keys is not None:
        keys = read_published_keys(_read(public_keys, "public_keys"))
    else:
        keys = {
            k.key_id: k.public_key for k in FileKeyStore(get_settings().audit_keys_dir).published()
        }
    with unit_of_work() as session:
        org_id = access.org_by_slug(session, org).id if org else None
        report = checkpointing.verify_against(
            session, copies=copies, public_keys=keys, org_id=org_id
        )
    for change in report.changes():
        console.print(f"changed since the last checkpoint: {change}")
    if not report.intact:
        for problem in report.problems():
            err_console.print(f"[red]tampered[/red] {problem}")
        raise typer.Exit(EXIT_TAMPERED)
    console.print(
        f"[green]audit log intact[/green]: every chain verifies and matches "
        f"{report.checkpoints} signed checkpoints"
    )

"""CLI commands of sign-in sessions: list a person's sessions, end one or all of them."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tradecover.access import sessions
from tradecover.access.service import system_principal
from tradecover.cli.context import console, domain_errors, unit_of_work

app = typer.Typer(help="Sign-in sessions of people: list and revoke.", no_args_is_help=True)


@app.command("list")
@domain_errors
def list_sessions(
    email: Annotated[str, typer.Argument(help="The person's e-mail address")],
    include_ended: Annotated[bool, typer.Option("--all", help="Also ended sessions")] = False,
) -> None:
    """A person's sessions, newest first."""
    with unit_of_work() as session:
        user = sessions.user_by_email(session, email)
        rows = sessions.list_sessions(
            session,
            principal=system_principal(session),
            user_id=user.id,
            include_ended=include_ended,
        )
        table = Table("id", "started", "expires", "ended", "ended by", "address", "agent")
        for r in rows:
            table.add_row(
                str(r.id),
                r.created_at.isoformat(timespec="seconds"),
                r.expires_at.isoformat(timespec="seconds"),
                r.revoked_at.isoformat(timespec="seconds") if r.revoked_at else "",
                r.revoked_by or "",
                r.client_address or "",
                r.user_agent or "",
            )
    console.print(table)


@app.command("revoke")
@domain_errors
def revoke(
    session_id: Annotated[int, typer.Argument(help="Session id")],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit log)")] = "revoked",
) -> None:
    """End one session at once."""
    with unit_of_work() as session:
        sessions.revoke_session(
            session, principal=system_principal(session), session_id=session_id, reason=reason
        )
    console.print(f"session {session_id} ended")


@app.command("revoke-all")
@domain_errors
def revoke_all(
    email: Annotated[str, typer.Argument(help="The person's e-mail address")],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit log)")] = "all revoked",
) -> None:
    """End every live session of a person at once."""
    with unit_of_work() as session:
        user = sessions.user_by_email(session, email)
        count = sessions.revoke_all_sessions(
            session, principal=system_principal(session), user_id=user.id, reason=reason
        )
    console.print(f"{count} session(s) of {user.email} ended")

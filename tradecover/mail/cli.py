"""CLI of e-mail: ``tradecover mail relay`` mails the outbox's notices by SMTP."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Annotated

import typer

from tradecover.cli.context import console
from tradecover.config import get_settings
from tradecover.db.engine import make_engine, make_session_factory, transaction
from tradecover.mail import Smtp, mail_batch

app = typer.Typer(help="E-mail: the relay of notices.", no_args_is_help=True)


@app.command("relay")
def relay(
    once: Annotated[bool, typer.Option(help="Mail what is pending now, then stop")] = False,
    pause: Annotated[
        float, typer.Option(min=0.1, max=60, help="Seconds between looks when idle")
    ] = 2.0,
) -> None:
    """Mail the notices of new outbox events until stopped (Ctrl-C, SIGTERM)."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    smtp = Smtp(host=settings.smtp_host, port=settings.smtp_port, sender=settings.mail_sender)
    stop = threading.Event()

    def stopping(signum: int, frame: FrameType | None) -> None:
        stop.set()

    before = {sig: signal.signal(sig, stopping) for sig in (signal.SIGINT, signal.SIGTERM)}
    if not once:
        console.print("mail relay running; Ctrl-C stops it")
    try:
        while not stop.is_set():
            with transaction(factory) as session:
                read, sent = mail_batch(session, smtp)
            if sent:
                console.print(f"{sent} e-mails sent")
            if not read:
                if once:
                    break
                stop.wait(pause)
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
        engine.dispose()

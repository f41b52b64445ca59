"""A real SMTP server in the test process (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
import io
from collections.abc import Iterator
from email.message import EmailMessage, Message
from typing import Any

from aiosmtpd.controller import Controller
from pypdf import PdfReader

from tests.servers import free_port
from tradecover.mail import Smtp


class Inbox:
    """An aiosmtpd handler that keeps every message."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Keep the message."""
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"

    def to(self, address: str | None) -> list[EmailMessage]:
        """The messages to ``address``, in the order received."""
        found = [m for m in self.messages if m["To"] == address]
        assert all(isinstance(m, EmailMessage) for m in found)
        return [m for m in found if isinstance(m, EmailMessage)]


def serve() -> Iterator[tuple[Inbox, Smtp]]:
    """Run an SMTP server on a free loopback port while the generator is open."""
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, Smtp(host="127.0.0.1", port=port)
    finally:
        controller.stop()


def pdf_attachments(message: Message) -> list[tuple[str, str]]:
    """The file name and extracted text of each PDF attached to ``message``."""
    assert isinstance(message, EmailMessage)
    found = []
    for part in message.iter_attachments():
        assert part.get_content_type() == "application/pdf"
        content = part.get_content()
        assert isinstance(content, bytes)
        reader = PdfReader(io.BytesIO(content))
        found.append((str(part.get_filename()), "\n".join(p.extract_text() for p in reader.pages)))
    return found


def pdf_text(content: bytes) -> str:
    """The text of a PDF."""
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)

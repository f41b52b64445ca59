"""Fixtures of the e-mail tests: a real SMTP server in the test process (aiosmtpd), and
the claims tests' book (a policy with two declared invoices due in 60 days)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.claims.conftest import book  # noqa: F401 - a fixture, shared
from tests.integration.mail.smtp import Inbox, serve
from tradecover.mail import Smtp


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, Smtp]]:
    """An SMTP server on loopback and where to reach it."""
    yield from serve()

"""Cross-site request forgery tokens of the dashboard's forms (signed double submit).

Every browser gets a random nonce in the ``tc_csrf`` cookie (HttpOnly, SameSite=Lax).
A form carries ``csrf_token`` = HMAC-SHA256 of the nonce and the session cookie under a
key derived from the installation's signing key: another site can neither read the
nonce nor compute the token, and a token stops working when the session changes.

Templates render the hidden field with the Jinja global ``csrf_field()`` inside every
``<form method="post">``; :class:`tradecover.web.security.CsrfProtection` computes this
request's token (kept here in a context variable while the request runs) and checks
every state-changing request to a page route.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from contextvars import ContextVar

from markupsafe import Markup, escape

CSRF_COOKIE = "tc_csrf"
CSRF_FIELD = "csrf_token"
_NONCE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_current: ContextVar[str | None] = ContextVar("tc_csrf_token", default=None)


def new_nonce() -> str:
    """A fresh random nonce for the ``tc_csrf`` cookie (256 bits)."""
    return secrets.token_urlsafe(32)


def is_nonce(value: str | None) -> bool:
    """True when ``value`` is shaped like a nonce this module issued."""
    return value is not None and bool(_NONCE.match(value))


def form_token(*, nonce: str, session_cookie: str | None, signing_key: str) -> str:
    """The token a form must carry for this nonce and session cookie."""
    key = hmac.new(signing_key.encode(), b"tradecover csrf", hashlib.sha256).digest()
    message = f"{nonce}|{session_cookie or ''}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def tokens_match(expected: str, presented: str | None) -> bool:
    """Constant-time comparison of the expected token with the one a form sent."""
    return presented is not None and hmac.compare_digest(expected.encode(), presented.encode())


def set_current(token: str | None) -> None:
    """Remember this request's token for the templates it renders."""
    _current.set(token)


def current() -> str | None:
    """The token of the request being handled (None outside a page request)."""
    return _current.get()


def field() -> Markup:
    """The hidden ``csrf_token`` input of a POST form (the Jinja global ``csrf_field``)."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, escape(current() or "")
    )

"""Standard Webhooks signatures: ``webhook-id``, ``webhook-timestamp``, ``webhook-signature``.

The signed content is ``{id}.{timestamp}.{body}``; the signature is ``v1,`` followed by the
base64 HMAC-SHA256 of it under the endpoint's secret (``whsec_`` + base64 of the key
bytes).  While a secret is being rotated the header carries one signature per valid secret,
separated by spaces; a receiver accepts the message when any of them verifies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from tradecover.kit.errors import ValidationFailed

SECRET_PREFIX = "whsec_"
TOLERANCE_SECONDS = 300
"""How far a receiver lets ``webhook-timestamp`` stray from its clock (replay defence)."""


class SignatureRefused(Exception):
    """A received webhook's signature or timestamp does not verify."""


def new_secret() -> str:
    """A fresh endpoint secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The key bytes of a ``whsec_`` secret."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValidationFailed("a webhook secret starts with whsec_", field="secret")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except ValueError as error:
        raise ValidationFailed("a webhook secret is whsec_ and base64", field="secret") from error
    if not 24 <= len(key) <= 64:
        raise ValidationFailed("a webhook secret holds 24 to 64 bytes", field="secret")
    return key


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256 of id.timestamp.body>`` under ``secret``."""
    content = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def headers(
    secrets_in_force: Sequence[str], message_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The three Standard Webhooks headers, one signature per secret in force."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            sign(s, message_id, timestamp, body) for s in secrets_in_force
        ),
    }


def verify(
    secret: str,
    received: Mapping[str, str],
    body: bytes,
    *,
    now: datetime | None = None,
    tolerance_s: int = TOLERANCE_SECONDS,
) -> None:
    """Raise :class:`SignatureRefused` unless ``received`` headers sign ``body`` under
    ``secret`` with a timestamp within ``tolerance_s`` of ``now`` (what a receiver does).
    """
    lowered = {k.lower(): v for k, v in received.items()}
    message_id = lowered.get("webhook-id")
    stamp = lowered.get("webhook-timestamp", "")
    offered = lowered.get("webhook-signature", "")
    if not message_id or not stamp.isdigit() or not offered:
        raise SignatureRefused("missing webhook headers")
    moment = (now or datetime.now(UTC)).timestamp()
    if abs(moment - int(stamp)) > tolerance_s:
        raise SignatureRefused("timestamp outside the tolerance")
    expected = sign(secret, message_id, int(stamp), body)
    if not any(hmac.compare_digest(expected, part) for part in offered.split(" ")):
        raise SignatureRefused("no signature matches")

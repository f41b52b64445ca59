"""Password hashing (scrypt), API key generation and signed access tokens (JWT, HS256)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from tradecover.kit.errors import AuthenticationFailed

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str) -> str:
    """A salted scrypt hash in the form ``scrypt$salt$hash`` (base64)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of ``password`` against a stored scrypt hash."""
    try:
        scheme, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt_b64), dklen=32, **_SCRYPT)
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


@dataclass(frozen=True, slots=True)
class NewApiKey:
    """A freshly generated key: the full secret is shown once, only the hash is kept."""

    prefix: str
    secret: str
    key_hash: str


def generate_api_key() -> NewApiKey:
    """A key ``tc_<prefix>_<secret>``: the prefix finds the row, the hash proves the secret."""
    prefix = secrets.token_hex(6)
    secret = f"tc_{prefix}_{secrets.token_urlsafe(32)}"
    return NewApiKey(prefix=prefix, secret=secret, key_hash=hash_api_key(secret))


def hash_api_key(secret: str) -> str:
    """SHA-256 of a high-entropy key (no salt needed: the key itself is random)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_prefix(secret: str) -> str:
    """The lookup prefix of a presented key, or raise if it is not shaped like one."""
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != "tc" or not parts[1]:
        raise AuthenticationFailed("malformed API key", code="invalid_api_key")
    return parts[1]


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a valid access token says: whose it is and which server-side session it names."""

    user_id: int
    session_id: int


def issue_token(*, user_id: int, session_id: int, key: str, now: datetime, ttl: timedelta) -> str:
    """A signed access token for a signed-in user, naming their server-side session."""
    payload = {
        "sub": str(user_id),
        "sid": str(session_id),
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
        "typ": "access",
    }
    return jwt.encode(payload, key, algorithm="HS256")


def read_token(token: str, *, key: str) -> TokenClaims:
    """The claims of a valid, unexpired token; otherwise :class:`AuthenticationFailed`
    (a token without a session, issued before sessions were kept, is invalid).
    """
    try:
        payload = jwt.decode(
            token, key, algorithms=["HS256"], options={"require": ["exp", "sub", "sid"]}
        )
    except jwt.ExpiredSignatureError:
        raise AuthenticationFailed("access token expired", code="token_expired") from None
    except jwt.PyJWTError:
        raise AuthenticationFailed("invalid access token", code="invalid_token") from None
    sub, sid = str(payload["sub"]), str(payload["sid"])
    if (
        payload.get("typ") != "access"
        or not sub.isdigit()
        or not sid.isdigit()
        or len(sub) > 18
        or len(sid) > 18
    ):
        raise AuthenticationFailed("invalid access token", code="invalid_token")
    return TokenClaims(user_id=int(sub), session_id=int(sid))


def subject_digest(scope: str, value: str) -> str:
    """The stored name of a throttled subject: SHA-256 of its scope and value (hex)."""
    return hashlib.sha256(f"{scope}:{value}".encode()).hexdigest()

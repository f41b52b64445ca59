"""API keys this process authenticated a moment ago, to be confirmed by the database in
the request's first round trip instead of a round trip of their own.

A hot ERP route (``POST /api/v1/declarations``) sends its credential check in the same
pipelined batch as its own reads: the principal remembered here lets it name the
organisation before the database has answered, and the answer (:data:`KEY_ROW_SQL`) is
checked with :meth:`KnownApiKeys.confirms` before anything is decided or written.  A key
revoked, or moved to another role, since is caught on that very request: the route rolls
back and authenticates afresh (a 401 for a revoked key), so revocation still takes effect
at once.  Only the SHA-256 of a key is kept, never the key.
"""

from __future__ import annotations

import hmac
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from threading import Lock
from typing import Any

from sqlalchemy.dialects import postgresql

from tradecover.access.principal import Principal
from tradecover.access.secrets import api_key_prefix, hash_api_key
from tradecover.access.service import API_KEY_LOOKUP, principal_of_key_rows
from tradecover.kit.errors import AuthenticationFailed

KEY_ROW_SQL = str(API_KEY_LOOKUP.compile(dialect=postgresql.psycopg.dialect()))  # type: ignore[no-untyped-call]
"""The key's row by its prefix, as raw SQL for a psycopg pipeline (``%(prefix)s``)."""

KEY_ROW_VALUE_SQL = (
    "SELECT json_build_array(k.id, k.key_hash, k.revoked_at, k.role, "
    f"k.org_id, k.slug, k.kind) FROM ({KEY_ROW_SQL}) AS k"
)
"""The same row as ONE value (a JSON array, or NULL), a scalar subquery to ride in another
statement of the request's first round trip."""


@dataclass(frozen=True, slots=True)
class KnownKey:
    """A key that authenticated: its hash and the principal it stood for."""

    key_hash: str
    principal: Principal


class KnownApiKeys:
    """At most ``size`` keys, least recently used dropped first; safe across threads."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._keys: OrderedDict[str, KnownKey] = OrderedDict()
        self._lock = Lock()

    def principal(self, secret: str) -> Principal | None:
        """The principal ``secret`` stood for when it last authenticated, or ``None``
        (never seen, forgotten, or another key with the same prefix).
        """
        try:
            prefix = api_key_prefix(secret)
        except AuthenticationFailed:
            return None
        with self._lock:
            known = self._keys.get(prefix)
            if known is not None:
                self._keys.move_to_end(prefix)
        if known is None or not hmac.compare_digest(known.key_hash, hash_api_key(secret)):
            return None
        return known.principal

    def remember(self, secret: str, principal: Principal) -> None:
        """Remember that ``secret`` authenticated as ``principal`` a moment ago."""
        known = KnownKey(hash_api_key(secret), principal)
        with self._lock:
            self._keys[api_key_prefix(secret)] = known
            self._keys.move_to_end(api_key_prefix(secret))
            while len(self._keys) > self._size:
                self._keys.popitem(last=False)

    def forget(self, secret: str) -> None:
        """Forget ``secret`` (the database no longer confirms it)."""
        try:
            prefix = api_key_prefix(secret)
        except AuthenticationFailed:
            return
        with self._lock:
            self._keys.pop(prefix, None)

    def renewed(self, secret: str, rows: Sequence[Sequence[Any]]) -> Principal:
        """The principal the key's rows, read afresh (:data:`KEY_ROW_SQL`), now give
        ``secret``, remembered in place of the old one; :class:`AuthenticationFailed` (and
        forgotten) when they no longer give one, e.g. the key was revoked.
        """
        self.forget(secret)
        principal = principal_of_key_rows(rows, secret)
        self.remember(secret, principal)
        return principal

    @staticmethod
    def confirms(rows: Sequence[Sequence[Any]], secret: str, principal: Principal) -> bool:
        """Whether the rows of :data:`KEY_ROW_SQL` (``{"prefix": ...}``) show ``secret``
        still standing for ``principal``: the same key, not revoked, the same organisation
        and role.
        """
        try:
            return principal_of_key_rows(rows, secret) == principal
        except AuthenticationFailed:
            return False


def key_row_parameters(secret: str) -> dict[str, Any]:
    """The parameters of :data:`KEY_ROW_SQL` for ``secret``."""
    return {"prefix": api_key_prefix(secret)}

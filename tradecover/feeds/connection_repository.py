"""Connections of sources to exporters, ERP webhook secrets, and the signed webhook's door.

A connection is created per exporter and source (unique), active or paused.  An ERP
connection's webhook secrets are generated here, shown once, and stored encrypted
(Fernet, with a key derived from the installation's signing key) because verifying an
HMAC needs the secret itself; several are valid at once during a rotation, until revoked.
:func:`accept_webhook` verifies a request (:func:`tradecover.feeds.check_signature`) and
remembers its MAC, so that the same request sent again is refused as replayed.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime

from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tradecover.access import Permission, Principal
from tradecover.feeds.erp_webhook import SIGNATURE_MISMATCH, check_signature
from tradecover.feeds.model import FeedConnection, FeedSecret, WebhookDelivery
from tradecover.feeds.stream.envelope import Envelope, FeedSource
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import AuthenticationFailed, Conflict, NotFound, PermissionDenied

SIGNATURE_REPLAYED = "signature_replayed"
MAX_VALID_SECRETS = 3
"""Most secrets valid at once on one connection (the current one and those rotating out)."""


def _fernet(signing_key: str) -> Fernet:
    digest = hashlib.sha256(b"tradecover feed secrets\x00" + signing_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _may_manage(principal: Principal, exporter_org_id: int) -> None:
    principal.require(Permission.EXPORTER_PROFILE_WRITE)
    if not principal.can_see_org(exporter_org_id):
        raise PermissionDenied(
            "only the exporter or the insurer manages its connections", code="forbidden"
        )


def create_connection(
    session: Session, *, principal: Principal, exporter_org_id: int, source: FeedSource
) -> FeedConnection:
    """Connect ``source`` to an exporter (active); a second connection of it is refused."""
    _may_manage(principal, exporter_org_id)
    now = utc_now()
    row = FeedConnection(
        exporter_org_id=exporter_org_id,
        source=source.value,
        status="active",
        created_at=now,
        created_by=principal.actor,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict(
            f"the {source.value} source is already connected to this exporter",
            code="connection_exists",
        ) from None
    return row


def get_connection(session: Session, *, principal: Principal, connection_id: int) -> FeedConnection:
    """A connection the caller may manage (404 for another exporter's)."""
    row = session.get(FeedConnection, connection_id)
    if row is None or not principal.can_see_org(row.exporter_org_id):
        raise NotFound(f"no connection {connection_id}", code="connection_not_found")
    _may_manage(principal, row.exporter_org_id)
    return row


def set_status(
    session: Session, *, principal: Principal, connection_id: int, status: str
) -> FeedConnection:
    """Pause or resume a connection."""
    row = get_connection(session, principal=principal, connection_id=connection_id)
    if status not in ("active", "paused"):
        raise Conflict(f"unknown connection status {status!r}", code="invalid_status")
    row.status, row.updated_at = status, utc_now()
    return row


def add_secret(
    session: Session, *, principal: Principal, connection_id: int, signing_key: str
) -> str:
    """A new webhook secret of an ERP connection, returned once (shown to no one again)."""
    row = get_connection(session, principal=principal, connection_id=connection_id)
    if row.source != FeedSource.ERP.value:
        raise Conflict("only an ERP connection has webhook secrets", code="not_an_erp_source")
    if len(valid_secret_rows(session, row.id)) >= MAX_VALID_SECRETS:
        raise Conflict(
            f"at most {MAX_VALID_SECRETS} secrets are valid at once: revoke one",
            code="too_many_secrets",
        )
    secret = "whsec_" + secrets.token_urlsafe(32)
    session.add(
        FeedSecret(
            connection_id=row.id,
            created_at=utc_now(),
            encrypted=_fernet(signing_key).encrypt(secret.encode()).decode(),
        )
    )
    session.flush()
    return secret


def revoke_secret(
    session: Session, *, principal: Principal, connection_id: int, secret_id: int
) -> None:
    """Revoke one secret (the end of a rotation)."""
    get_connection(session, principal=principal, connection_id=connection_id)
    row = session.get(FeedSecret, secret_id)
    if row is None or row.connection_id != connection_id:
        raise NotFound(f"no secret {secret_id}", code="secret_not_found")
    row.revoked_at = row.revoked_at or utc_now()


def valid_secret_rows(session: Session, connection_id: int) -> list[FeedSecret]:
    """The secrets of a connection not revoked."""
    return list(
        session.execute(
            select(FeedSecret)
            .where(FeedSecret.connection_id == connection_id, FeedSecret.revoked_at.is_(None))
            .order_by(FeedSecret.id)
        ).scalars()
    )


def _signed_request(body: bytes, signature: str) -> str:
    """What the MAC covers (timestamp and body), hashed: the same request has the same."""
    stamp = next(
        (part.strip()[2:] for part in signature.split(",") if part.strip().startswith("t=")), ""
    )
    return hashlib.sha256(stamp.encode() + b"." + body).hexdigest()


def accept_webhook(
    session: Session,
    *,
    connection_id: int,
    body: bytes,
    signature: str | None,
    signing_key: str,
    now: datetime | None = None,
) -> Envelope:
    """The envelope of an authentic, fresh, first-seen ERP webhook request; else 401 with
    the reason's code (``signature_missing``, ``signature_malformed``, ``signature_expired``,
    ``signature_mismatch``, ``signature_replayed``).  An unknown or non-ERP connection is a
    mismatch (no oracle for connection ids); a paused one is 409 ``source_paused``.
    """
    now = now or utc_now()
    row = session.get(FeedConnection, connection_id)
    if row is None or row.source != FeedSource.ERP.value:
        raise AuthenticationFailed(
            "no valid secret of the connection signed this body", code=SIGNATURE_MISMATCH
        )
    fernet = _fernet(signing_key)
    keys = [fernet.decrypt(s.encrypted.encode()) for s in valid_secret_rows(session, row.id)]
    refused = check_signature(body, signature, keys, now=now)
    if refused is not None:
        raise AuthenticationFailed(refused.detail, code=refused.code)
    if row.status != "active":
        raise Conflict("the ERP connection is paused", code="source_paused")
    mac = _signed_request(body, signature or "")
    try:
        with session.begin_nested():
            session.add(WebhookDelivery(connection_id=row.id, mac=mac, received_at=now))
            session.flush()
    except IntegrityError:
        raise AuthenticationFailed(
            "this request was received before", code=SIGNATURE_REPLAYED
        ) from None
    return Envelope.new(source=FeedSource.ERP, exporter_org_id=row.exporter_org_id, content=body)


def connections_of(session: Session, *, principal: Principal) -> list[FeedConnection]:
    """The caller's organisation's connected sources, by source."""
    principal.require(Permission.DECLARATION_READ)
    return list(
        session.execute(
            select(FeedConnection)
            .where(FeedConnection.exporter_org_id == principal.org_id)
            .order_by(FeedConnection.source)
        ).scalars()
    )

"""Where the checkpoint signing keys live: a port and its key-file adapter.

The signing key never enters the database: whoever controls the database must not be able to
sign.  The file adapter keeps the current private key as a PEM file (mode 0600) in a folder
(``var/audit-keys`` by default, ``TRADECOVER_AUDIT_KEYS_DIR``) and every public key, current
and retired, in ``public-keys.json`` there: the file to publish.  Rotation makes a new key,
retires the old one and destroys its private half; its public half stays published, so older
checkpoints keep verifying.  A KMS adapter implements the same :class:`KeyStore` port.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from tradecover.audit.checkpoint import ALGORITHM, CheckpointFormatError, key_id_of, raw_public_key
from tradecover.kit.errors import Conflict

PUBLIC_KEYS_FILE = "public-keys.json"


class SigningKeyMissing(Conflict):
    """No signing key yet: ``tradecover audit keys rotate`` creates the first."""

    default_code = "audit_signing_key_missing"


@dataclass(frozen=True, slots=True)
class PublishedKey:
    """One public key as published: id, raw bytes, when created and (if so) retired."""

    key_id: str
    public_key: bytes
    created_at: datetime
    retired_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON object of this key in the published list."""
        return {
            "key_id": self.key_id,
            "algorithm": ALGORITHM,
            "public_key": base64.b64encode(self.public_key).decode(),
            "created_at": self.created_at.isoformat(),
            "retired_at": self.retired_at.isoformat() if self.retired_at else None,
        }

    @classmethod
    def from_json(cls, data: Any) -> PublishedKey:
        """Read one published key; :class:`CheckpointFormatError` when malformed."""
        try:
            raw = base64.b64decode(str(data["public_key"]), validate=True)
            retired = data.get("retired_at")
            key = cls(
                str(data["key_id"]),
                raw,
                datetime.fromisoformat(str(data["created_at"])),
                datetime.fromisoformat(str(retired)) if retired else None,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CheckpointFormatError(f"not a public key: {exc}", field="public_keys") from exc
        if len(raw) != 32 or key_id_of(raw) != key.key_id:
            raise CheckpointFormatError(
                f"public key {key.key_id} does not match its id", field="public_keys"
            )
        return key


def published_keys_json(keys: list[PublishedKey]) -> dict[str, Any]:
    """The document of published public keys."""
    return {"algorithm": ALGORITHM, "keys": [k.to_json() for k in keys]}


def read_published_keys(text: str) -> dict[str, bytes]:
    """Key id -> raw public key from a published-keys document (or a bare list of keys)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CheckpointFormatError(
            f"public keys are not JSON: {exc}", field="public_keys"
        ) from exc
    items = data.get("keys", []) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise CheckpointFormatError("public keys: expected a list of keys", field="public_keys")
    return {k.key_id: k.public_key for k in map(PublishedKey.from_json, items)}


class KeyStore(Protocol):
    """The port: the current signing key, rotation and the published public keys."""

    def signing_key(self) -> tuple[str, Ed25519PrivateKey]:
        """The current key's id and private key (:class:`SigningKeyMissing` if none)."""

    def rotate(self, *, at: datetime) -> PublishedKey:
        """Make a new current key, retire the previous one; return the new public key."""

    def published(self) -> list[PublishedKey]:
        """Every public key, oldest first, retired ones included."""


class FileKeyStore:
    """Key files in one folder: ``<key id>.pem`` (current private key) and the public list."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def published(self) -> list[PublishedKey]:
        """Every public key, oldest first, retired ones included."""
        path = self.folder / PUBLIC_KEYS_FILE
        if not path.exists():
            return []
        data = json.loads(path.read_text(encoding="utf-8"))
        return [PublishedKey.from_json(item) for item in data.get("keys", [])]

    def signing_key(self) -> tuple[str, Ed25519PrivateKey]:
        """The current key's id and private key."""
        current = [k for k in self.published() if k.retired_at is None]
        if not current:
            raise SigningKeyMissing(
                "no audit signing key: run `tradecover audit keys rotate`", field="audit_keys_dir"
            )
        key_id = current[-1].key_id
        path = self.folder / f"{key_id}.pem"
        if not path.exists():
            raise SigningKeyMissing(
                f"the private key of {key_id} is not in {self.folder}", field="audit_keys_dir"
            )
        private = load_pem_private_key(path.read_bytes(), password=None)
        if (
            not isinstance(private, Ed25519PrivateKey)
            or key_id_of(raw_public_key(private)) != key_id
        ):
            raise SigningKeyMissing(
                f"{path} is not the Ed25519 key {key_id}", field="audit_keys_dir"
            )
        return key_id, private

    def rotate(self, *, at: datetime) -> PublishedKey:
        """Create a new key (private file 0600), retire and destroy the previous private key."""
        self.folder.mkdir(parents=True, exist_ok=True)
        private = Ed25519PrivateKey.generate()
        raw = raw_public_key(private)
        new = PublishedKey(key_id_of(raw), raw, at)
        pem = private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        path = self.folder / f"{new.key_id}.pem"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(pem)
        keys, retired = [], []
        for key in self.published():
            if key.retired_at is None:
                key = PublishedKey(key.key_id, key.public_key, key.created_at, at)
                retired.append(key.key_id)
            keys.append(key)
        keys.append(new)
        listing = self.folder / PUBLIC_KEYS_FILE
        temporary = listing.with_suffix(".tmp")
        temporary.write_text(
            json.dumps(published_keys_json(keys), indent=2) + "\n", encoding="utf-8"
        )
        temporary.replace(listing)
        for key_id in retired:  # only once the new key is the published current one
            (self.folder / f"{key_id}.pem").unlink(missing_ok=True)
        return new

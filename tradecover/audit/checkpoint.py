"""Pure rules of signed audit checkpoints: what a checkpoint states, how it is signed
(Ed25519) and how a sequence of checkpoints and the chains they pin are verified.

A checkpoint pins the head (position and hash) of every chain of every organisation at one
moment.  Its signed statement holds its number, the digest of the previous checkpoint's
statement (so the checkpoints form a chain of their own), the time, the signing key's id and
one digest per organisation over that organisation's heads; the heads themselves travel
beside the statement, so a copy cut down to one organisation's heads still verifies.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from tradecover.kit.canonical import canonical_json
from tradecover.kit.errors import ValidationFailed

GENESIS_DIGEST = "0" * 64
"""The ``previous`` of checkpoint 1."""

ALGORITHM = "Ed25519"
STATEMENT_VERSION = 1


class CheckpointFormatError(ValidationFailed):
    """A checkpoint or public-key record that cannot be read."""

    default_code = "audit_checkpoint_malformed"


@dataclass(frozen=True, slots=True)
class PinnedHead:
    """The head of one chain as a checkpoint pins it."""

    org_id: int
    chain: int
    seq: int
    hash: str


def organisation_digest(heads: Iterable[PinnedHead]) -> str:
    """SHA-256 over the canonical list of one organisation's heads (chain order)."""
    rows = sorted([h.chain, h.seq, h.hash] for h in heads)
    return hashlib.sha256(canonical_json(rows).encode()).hexdigest()


def key_id_of(public_key: bytes) -> str:
    """The id of a public key: the first 16 hex digits of SHA-256 over its raw 32 bytes."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def raw_public_key(private_key: Ed25519PrivateKey) -> bytes:
    """The raw 32 bytes of the public half of ``private_key``."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def statement_bytes(
    *,
    number: int,
    issued_at: datetime,
    previous: str,
    organisations: Mapping[int, str],
    key_id: str,
) -> bytes:
    """The canonical bytes a checkpoint's signature covers."""
    return canonical_json(
        {
            "version": STATEMENT_VERSION,
            "algorithm": ALGORITHM,
            "number": number,
            "issued_at": issued_at.isoformat(),
            "previous": previous,
            "key_id": key_id,
            "organisations": {str(org): digest for org, digest in sorted(organisations.items())},
        }
    ).encode()


@dataclass(frozen=True)
class Checkpoint:
    """One signed checkpoint and the heads it pins (possibly only some organisations')."""

    number: int
    issued_at: datetime
    previous: str
    organisations: Mapping[int, str]
    key_id: str
    signature: str
    heads: tuple[PinnedHead, ...] = field(default=())

    def statement(self) -> bytes:
        """The signed bytes."""
        return statement_bytes(
            number=self.number,
            issued_at=self.issued_at,
            previous=self.previous,
            organisations=self.organisations,
            key_id=self.key_id,
        )

    def digest(self) -> str:
        """SHA-256 of the statement: what the next checkpoint names as its ``previous``."""
        return hashlib.sha256(self.statement()).hexdigest()

    def for_organisation(self, org_id: int) -> Checkpoint:
        """The same checkpoint carrying only ``org_id``'s heads (still verifiable)."""
        return Checkpoint(
            self.number,
            self.issued_at,
            self.previous,
            self.organisations,
            self.key_id,
            self.signature,
            tuple(h for h in self.heads if h.org_id == org_id),
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON object of one line of a checkpoint file."""
        return {
            "number": self.number,
            "issued_at": self.issued_at.isoformat(),
            "previous": self.previous,
            "key_id": self.key_id,
            "algorithm": ALGORITHM,
            "organisations": {str(o): d for o, d in sorted(self.organisations.items())},
            "signature": self.signature,
            "heads": [[h.org_id, h.chain, h.seq, h.hash] for h in self.heads],
        }

    @classmethod
    def from_json(cls, data: Any) -> Checkpoint:
        """Read one checkpoint object; :class:`CheckpointFormatError` when malformed."""
        try:
            return cls(
                number=int(data["number"]),
                issued_at=datetime.fromisoformat(str(data["issued_at"])),
                previous=str(data["previous"]),
                organisations={int(o): str(d) for o, d in dict(data["organisations"]).items()},
                key_id=str(data["key_id"]),
                signature=str(data["signature"]),
                heads=tuple(
                    PinnedHead(int(o), int(c), int(s), str(h))
                    for o, c, s, h in data.get("heads", [])
                ),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CheckpointFormatError(f"not a checkpoint: {exc}", field="checkpoints") from exc


def issue(
    *,
    last: Checkpoint | None,
    heads: Sequence[PinnedHead],
    issued_at: datetime,
    key_id: str,
    private_key: Ed25519PrivateKey,
) -> Checkpoint:
    """Sign the checkpoint that follows ``last`` (or checkpoint 1), pinning ``heads``."""
    number = last.number + 1 if last else 1
    previous = last.digest() if last else GENESIS_DIGEST
    by_org: dict[int, list[PinnedHead]] = {}
    for head in heads:
        by_org.setdefault(head.org_id, []).append(head)
    organisations = {org: organisation_digest(h) for org, h in sorted(by_org.items())}
    statement = statement_bytes(
        number=number,
        issued_at=issued_at,
        previous=previous,
        organisations=organisations,
        key_id=key_id,
    )
    signature = base64.b64encode(private_key.sign(statement)).decode()
    ordered = tuple(sorted(heads, key=lambda h: (h.org_id, h.chain)))
    return Checkpoint(number, issued_at, previous, organisations, key_id, signature, ordered)


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing ``audit verify`` reports about the checkpoints or a pinned chain.

    ``tampered`` findings fail the verification; the others (entries appended, chains opened
    since the last checkpoint) only say what changed.
    """

    problem: str
    message: str
    org_id: int | None = None
    chain: int | None = None
    checkpoint: int | None = None
    tampered: bool = True

    def describe(self) -> str:
        """The sentence printed for this finding."""
        return self.message


def _signature_holds(checkpoint: Checkpoint, public_key: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            base64.b64decode(checkpoint.signature, validate=True), checkpoint.statement()
        )
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def _heads_finding(checkpoint: Checkpoint, org_id: int | None) -> Finding | None:
    """Whether the heads carried match the signed per-organisation digests."""
    by_org: dict[int, list[PinnedHead]] = {}
    for head in checkpoint.heads:
        by_org.setdefault(head.org_id, []).append(head)
    scope = [org_id] if org_id is not None else sorted(set(checkpoint.organisations) | set(by_org))
    for org in scope:
        signed = checkpoint.organisations.get(org)
        carried = by_org.get(org)
        if signed is None and carried is None:
            continue
        if signed is None or carried is None or organisation_digest(carried) != signed:
            what = "missing from" if carried is None else "do not match"
            return Finding(
                "checkpoint_heads_altered",
                f"checkpoint {checkpoint.number}: the heads of organisation {org} "
                f"{what} its signed statement",
                org_id=org,
                checkpoint=checkpoint.number,
            )
    return None


def verify_checkpoints(
    copies: Sequence[Sequence[Checkpoint]],
    public_keys: Mapping[str, bytes],
    *,
    org_id: int | None = None,
) -> tuple[list[Checkpoint], list[Finding]]:
    """Merge the copies given, check every signature, the heads against their signed digests
    and the unbroken sequence (1, 2, ... each naming its predecessor's digest).

    Returns the checkpoints that verify, in number order, and the findings.  ``org_id``
    limits the heads checked to one organisation (an exporter's own copy).
    """
    findings: list[Finding] = []
    merged: dict[int, Checkpoint] = {}
    for copy in copies:
        for checkpoint in copy:
            known = merged.get(checkpoint.number)
            if known is None:
                merged[checkpoint.number] = checkpoint
            elif (known.statement(), known.signature) != (
                checkpoint.statement(),
                checkpoint.signature,
            ):
                findings.append(
                    Finding(
                        "checkpoint_conflict",
                        f"checkpoint {checkpoint.number} differs between the copies given",
                        checkpoint=checkpoint.number,
                    )
                )
    valid: list[Checkpoint] = []
    for number in sorted(merged):
        checkpoint = merged[number]
        public_key = public_keys.get(checkpoint.key_id)
        if public_key is None:
            findings.append(
                Finding(
                    "checkpoint_unknown_key",
                    f"checkpoint {number} is signed with unknown key {checkpoint.key_id}",
                    checkpoint=number,
                )
            )
            continue
        if not _signature_holds(checkpoint, public_key):
            findings.append(
                Finding(
                    "checkpoint_signature_invalid",
                    f"checkpoint {number}: the signature does not verify "
                    "(the checkpoint was altered)",
                    checkpoint=number,
                )
            )
            continue
        heads = _heads_finding(checkpoint, org_id)
        if heads:
            findings.append(heads)
            continue
        valid.append(checkpoint)
    findings += _sequence_findings(valid)
    if not merged:
        findings.append(Finding("checkpoints_empty", "the copies given hold no checkpoint"))
    return valid, findings


def _sequence_findings(valid: Sequence[Checkpoint]) -> list[Finding]:
    findings: list[Finding] = []
    expected, previous = 1, GENESIS_DIGEST
    for checkpoint in valid:
        if checkpoint.number > expected:
            gap = (
                f"checkpoint {expected} is"
                if checkpoint.number == expected + 1
                else f"checkpoints {expected} to {checkpoint.number - 1} are"
            )
            findings.append(
                Finding(
                    "checkpoint_missing", f"{gap} missing from the sequence", checkpoint=expected
                )
            )
        elif checkpoint.previous != previous:
            findings.append(
                Finding(
                    "checkpoint_unlinked",
                    f"checkpoint {checkpoint.number} does not follow "
                    f"checkpoint {checkpoint.number - 1}",
                    checkpoint=checkpoint.number,
                )
            )
        expected, previous = checkpoint.number + 1, checkpoint.digest()
    return findings


@dataclass(frozen=True, slots=True)
class Pin:
    """A chain position and hash as one checkpoint recorded them."""

    checkpoint: int
    seq: int
    hash: str


def compare_chain(
    org_id: int, chain: int, pins: Sequence[Pin], observed: Mapping[int, str], last_seq: int
) -> Finding | None:
    """Compare one chain as stored (``observed``: position -> hash at the pinned positions,
    ``last_seq``: its last stored position) with the checkpoints' pins, oldest first.

    Names the first pin that no longer holds: entries removed (the chain ends before the
    pinned position) or rewritten (another hash there; the rewrite lies after the last pin
    that still holds).  When every pin holds, says how many entries came since the last.
    """
    where = f"organisation {org_id} chain {chain}"
    matched: Pin | None = None
    for pin in sorted(pins, key=lambda p: p.checkpoint):
        if pin.seq == 0:
            continue
        if last_seq == 0:
            return Finding(
                "chain_removed",
                f"{where}: removed (checkpoint {pin.checkpoint} recorded positions 1 to {pin.seq})",
                org_id,
                chain,
                pin.checkpoint,
            )
        if last_seq < pin.seq:
            return Finding(
                "entries_removed",
                f"{where}: entries from position {last_seq + 1} removed "
                f"(checkpoint {pin.checkpoint} recorded position {pin.seq})",
                org_id,
                chain,
                pin.checkpoint,
            )
        if observed.get(pin.seq) != pin.hash:
            since = f"checkpoint {matched.checkpoint}" if matched else "the first entry"
            start = matched.seq + 1 if matched else 1
            return Finding(
                "entries_rewritten",
                f"{where}: entries at positions {start} to {pin.seq} rewritten "
                f"since {since} (checkpoint {pin.checkpoint} recorded another "
                f"hash at position {pin.seq})",
                org_id,
                chain,
                pin.checkpoint,
            )
        matched = pin
    if matched is None:
        if last_seq:
            return Finding(
                "chain_opened",
                f"{where}: opened since the last checkpoint, {last_seq} entries",
                org_id,
                chain,
                tampered=False,
            )
        return None
    if last_seq > matched.seq:
        return Finding(
            "entries_appended",
            f"{where}: {last_seq - matched.seq} entries appended since checkpoint "
            f"{matched.checkpoint}",
            org_id,
            chain,
            matched.checkpoint,
            tampered=False,
        )
    return None

"""Use cases of signed checkpoints: take one (the periodic job), export them, and verify the
stored chains against the checkpoints a verifier holds.

The database alone cannot prove the log untouched: whoever controls it can rewrite an entry
and recompute every later hash and the chain head.  A checkpoint signed with a key kept
outside the database, and kept outside it too (the sink, third parties' copies), pins every
chain head; :func:`verify_against` names whatever no longer matches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.audit.chain import ChainBreak
from tradecover.audit.checkpoint import (
    Checkpoint,
    Finding,
    Pin,
    PinnedHead,
    compare_chain,
    issue,
    verify_checkpoints,
)
from tradecover.audit.keystore import KeyStore
from tradecover.audit.model import AuditChainHead, AuditEntry
from tradecover.audit.service import verify_all
from tradecover.audit.sink import CheckpointSink
from tradecover.kit.errors import Conflict

_IN_CHUNK = 500


class AuditTampered(Conflict):
    """The chains no longer match the last checkpoint: no new checkpoint is signed."""

    default_code = "audit_tampered"


def pinned_heads(session: Session, *, org_id: int | None = None) -> list[PinnedHead]:
    """The current head of every chain (of one organisation), in (organisation, chain) order."""
    query = select(AuditChainHead).order_by(AuditChainHead.org_id, AuditChainHead.chain)
    if org_id is not None:
        query = query.where(AuditChainHead.org_id == org_id)
    return [
        PinnedHead(h.org_id, h.chain, h.last_seq, h.last_hash)
        for h in session.execute(query).scalars()
    ]


def _compare(
    session: Session, checkpoints: Sequence[Checkpoint], org_id: int | None
) -> list[Finding]:
    """Compare the stored chains with every head the checkpoints pin."""
    pins: dict[tuple[int, int], list[Pin]] = {}
    for checkpoint in checkpoints:
        for head in checkpoint.heads:
            if org_id is None or head.org_id == org_id:
                pins.setdefault((head.org_id, head.chain), []).append(
                    Pin(checkpoint.number, head.seq, head.hash)
                )
    last = select(AuditEntry.org_id, AuditEntry.chain, func.max(AuditEntry.seq)).group_by(
        AuditEntry.org_id, AuditEntry.chain
    )
    if org_id is not None:
        last = last.where(AuditEntry.org_id == org_id)
    last_seq = {(int(o), int(c)): int(s) for o, c, s in session.execute(last)}
    findings: list[Finding] = []
    for org, chain in sorted(set(pins) | set(last_seq)):
        wanted = sorted({p.seq for p in pins.get((org, chain), [])})
        observed: dict[int, str] = {}
        for start in range(0, len(wanted), _IN_CHUNK):
            observed.update(
                (int(s), str(h))
                for s, h in session.execute(
                    select(AuditEntry.seq, AuditEntry.hash).where(
                        AuditEntry.org_id == org,
                        AuditEntry.chain == chain,
                        AuditEntry.seq.in_(wanted[start : start + _IN_CHUNK]),
                    )
                )
            )
        found = compare_chain(
            org, chain, pins.get((org, chain), []), observed, last_seq.get((org, chain), 0)
        )
        if found:
            findings.append(found)
    return findings


def take_checkpoint(
    session: Session, *, keys: KeyStore, sink: CheckpointSink, at: datetime
) -> Checkpoint:
    """Sign and append the next checkpoint of every chain head.

    Refused (:class:`AuditTampered`) when a chain no longer matches the previous checkpoint:
    signing the rewritten state would launder it.
    """
    key_id, private_key = keys.signing_key()
    heads = pinned_heads(session)

    def build(last: Checkpoint | None) -> Checkpoint:
        if last is not None:
            tampered = [f for f in _compare(session, [last], None) if f.tampered]
            if tampered:
                raise AuditTampered(
                    "the audit log no longer matches checkpoint "
                    f"{last.number}: " + "; ".join(f.message for f in tampered),
                    field="checkpoint",
                )
        return issue(last=last, heads=heads, issued_at=at, key_id=key_id, private_key=private_key)

    return sink.append_next(build)


def export_checkpoints(*, sink: CheckpointSink, org_id: int | None = None) -> list[Checkpoint]:
    """Every checkpoint written, cut down to ``org_id``'s heads when given (an exporter's
    copy: still verifiable, the other organisations' heads are only digests).
    """
    checkpoints = sink.read_all()
    if org_id is None:
        return checkpoints
    return [c.for_organisation(org_id) for c in checkpoints]


@dataclass(frozen=True)
class VerifyReport:
    """The chain breaks and the checkpoint findings of one verification."""

    breaks: list[ChainBreak]
    findings: list[Finding] = field(default_factory=list)
    checkpoints: int = 0

    @property
    def intact(self) -> bool:
        """No break and no tampering finding."""
        return not self.breaks and not any(f.tampered for f in self.findings)

    def problems(self) -> list[str]:
        """Every sentence that makes the verification fail."""
        return [b.describe() for b in self.breaks] + [
            f.describe() for f in self.findings if f.tampered
        ]

    def changes(self) -> list[str]:
        """What changed, untampered, since the last checkpoint."""
        return [f.describe() for f in self.findings if not f.tampered]


def verify_against(
    session: Session,
    *,
    copies: Sequence[Sequence[Checkpoint]],
    public_keys: Mapping[str, bytes],
    org_id: int | None = None,
) -> VerifyReport:
    """Verify every chain (of ``org_id``) on its own and against the checkpoints given.

    ``copies``: one or more copies of the checkpoints (the sink, a regulator's file); they
    are merged and must agree.  The findings name checkpoints forged, altered or missing from
    the sequence, entries removed or rewritten since a checkpoint, and (as changes, not
    tampering) entries appended and chains opened since the last.
    """
    breaks = verify_all(session, org_id=org_id)
    if not copies:
        return VerifyReport(breaks)
    valid, findings = verify_checkpoints(copies, public_keys, org_id=org_id)
    return VerifyReport(breaks, findings + _compare(session, valid, org_id), len(valid))

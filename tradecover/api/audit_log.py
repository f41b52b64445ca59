"""HTTP routes of the audit log: an organisation's entries, the chain verification, and the
signed checkpoints and public keys that third parties keep to verify it independently.

They live at the HTTP edge, not in the audit context: they need access's permissions,
and access records into the audit log, so the audit context imports no other context.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict

import tradecover.audit as audit
from tradecover.access import Permission
from tradecover.api.deps import PrincipalDep, SessionDep, get_settings
from tradecover.api.pagination import Page, PageDep
from tradecover.config import Settings
from tradecover.kit.errors import PermissionDenied

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


class AuditEntryOut(BaseModel):
    """One audit entry."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    org_id: int
    seq: int
    occurred_at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    reason: str | None
    before: Any
    after: Any
    hash: str


class VerifyOut(BaseModel):
    """Result of verifying every chain."""

    ok: bool
    breaks: list[str]


@router.get("/entries", response_model=Page[AuditEntryOut], summary="Audit entries")
def list_entries(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    entity_type: str | None = None,
    entity_id: str | None = None,
) -> Page[AuditEntryOut]:
    """The caller's organisation's chain (insurer staff: every chain), newest first."""
    principal.require(Permission.AUDIT_READ)
    rows, total = audit.page_of_entries(
        session,
        org_id=None if principal.is_insurer else principal.org_id,
        entity_type=entity_type,
        entity_id=entity_id,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[AuditEntryOut.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/verify", response_model=VerifyOut, summary="Verify every hash chain")
def verify(session: SessionDep, principal: PrincipalDep) -> VerifyOut:
    """Recompute every chain and name the first tampered entry of each (insurer only)."""
    if not principal.is_insurer:
        raise PermissionDenied("only the insurer verifies the audit log")
    principal.require(Permission.AUDIT_READ)
    breaks = audit.verify_all(session)
    return VerifyOut(ok=not breaks, breaks=[b.describe() for b in breaks])


class PublicKeyOut(BaseModel):
    """One Ed25519 public key that signs (or signed) checkpoints."""

    key_id: str
    algorithm: str
    public_key: str  # base64 of the raw 32 bytes
    created_at: datetime
    retired_at: datetime | None


class PublicKeysOut(BaseModel):
    """Every checkpoint signing public key, retired ones included (they verify older
    checkpoints); save it as the ``--public-keys`` file of ``tradecover audit verify``.
    """

    algorithm: str
    keys: list[PublicKeyOut]


class CheckpointOut(BaseModel):
    """One signed checkpoint: the statement's fields, its signature and the pinned heads
    ``[organisation, chain, position, hash]`` (an exporter's copy: its own only).
    """

    number: int
    issued_at: datetime
    previous: str
    key_id: str
    algorithm: str
    organisations: dict[str, str]
    signature: str
    heads: list[tuple[int, int, int, str]]


class CheckpointsOut(BaseModel):
    """An export of checkpoints (also readable by ``audit verify --checkpoints``)."""

    checkpoints: list[CheckpointOut]


SettingsDep = Annotated[Settings, Depends(get_settings)]


@router.get(
    "/public-keys", response_model=PublicKeysOut, summary="Published checkpoint signing keys"
)
def public_keys(principal: PrincipalDep, settings: SettingsDep) -> PublicKeysOut:
    """The public keys that verify the signed audit checkpoints, oldest first."""
    principal.require(Permission.AUDIT_READ)
    keys = audit.FileKeyStore(settings.audit_keys_dir).published()
    return PublicKeysOut.model_validate(
        {"algorithm": "Ed25519", "keys": [k.to_json() for k in keys]}
    )


@router.get("/checkpoints", response_model=CheckpointsOut, summary="Export signed checkpoints")
def export_checkpoints(
    principal: PrincipalDep,
    settings: SettingsDep,
    after: Annotated[int, Query(ge=0, description="Only checkpoints numbered above this one")] = 0,
) -> CheckpointsOut:
    """The signed checkpoints for a third party's own copy: insurer staff get every chain
    head, anyone else only its own organisation's (still verifiable against the signature).
    """
    principal.require(Permission.AUDIT_READ)
    checkpoints = audit.export_checkpoints(
        sink=audit.open_sink(settings.audit_checkpoint_sink),
        org_id=None if principal.is_insurer else principal.org_id,
    )
    return CheckpointsOut.model_validate(
        {"checkpoints": [c.to_json() for c in checkpoints if c.number > after]}
    )

"""Shared checks of the policy integration tests (the builders live in tests/builders)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Database
from tradecover.audit.model import AuditEntry
from tradecover.policies.model import (
    Endorsement,
    ExporterProfile,
    Policy,
    PolicyApplication,
    RenewalOffer,
)


def counts(db: Database) -> dict[str, int]:
    """Rows of every table this context writes, and audit entries."""
    with db.factory() as s:
        return {
            m.__tablename__: _count(s, m)
            for m in (
                ExporterProfile,
                PolicyApplication,
                Policy,
                Endorsement,
                RenewalOffer,
                AuditEntry,
            )
        }


def _count(session: Session, model: Any) -> int:
    return int(session.execute(select(func.count()).select_from(model)).scalar_one())

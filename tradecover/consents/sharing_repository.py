"""Selective filtering [domain CS-11]: the fields an exporter withholds per connected
feed source, set by the exporter (audited) and read by the feed's storage step.
Never commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover import audit
from tradecover.access import OrganisationKind, Permission, Principal
from tradecover.consents.fields import FEED_SOURCES, parse_source, parse_withheld
from tradecover.consents.model import FieldSharing
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import PermissionDenied


def withheld_fields(session: Session, exporter_org_id: int, source: str) -> frozenset[str]:
    """The fields ``exporter_org_id`` withholds from ``source``'s documents (none: all
    shared) [domain CS-11].
    """
    row = session.execute(
        select(FieldSharing.withheld).where(
            FieldSharing.exporter_org_id == exporter_org_id, FieldSharing.source == source
        )
    ).scalar_one_or_none()
    return frozenset(row or ())


def sharing_of(session: Session, exporter_org_id: int) -> dict[str, list[str]]:
    """Per feed source, the fields the exporter withholds (every source named)."""
    rows = session.execute(
        select(FieldSharing).where(FieldSharing.exporter_org_id == exporter_org_id)
    ).scalars()
    found = {r.source: sorted(r.withheld) for r in rows}
    return {source: found.get(source, []) for source in FEED_SOURCES}


def set_sharing(
    session: Session,
    *,
    principal: Principal,
    source: str,
    withheld: Iterable[str],
    reason: str | None = None,
    now: datetime | None = None,
) -> list[str]:
    """The exporter (only it: it owns the data) chooses the fields it withholds from
    ``source``'s documents [domain CS-11]; an unknown field or one of the policy's minimum
    is refused and nothing is written.  Applies to documents received from now on.
    """
    principal.require(Permission.EXPORTER_PROFILE_WRITE)
    parsed_source = parse_source(source)
    fields = sorted(f.value for f in parse_withheld(withheld))
    if principal.org_kind is not OrganisationKind.EXPORTER:
        raise PermissionDenied(
            "only the exporter that owns the data chooses what it shares",
            code="not_data_owner",
        )
    now = now or utc_now()
    row = session.execute(
        select(FieldSharing).where(
            FieldSharing.exporter_org_id == principal.org_id, FieldSharing.source == parsed_source
        )
    ).scalar_one_or_none()
    before = {"source": parsed_source, "withheld": sorted(row.withheld) if row else []}
    if row is None:
        row = FieldSharing(exporter_org_id=principal.org_id, source=parsed_source, withheld=[])
        session.add(row)
    row.withheld, row.updated_by, row.updated_at = fields, principal.actor, now
    session.flush()
    audit.record(
        session,
        org_id=principal.org_id,
        actor=principal.actor,
        action="consent.sharing_set",
        entity_type="feed_source",
        entity_id=row.id,
        reason=reason,
        before=before,
        after={"source": parsed_source, "withheld": fields},
    )
    return fields

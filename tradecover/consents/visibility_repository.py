"""What a grantee may see, per exporter, and for what [domain CS-6]: the policy
contract's own consent (the insurer) and the authorised, unexpired consents it holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.access import OrganisationKind, Principal, list_organisations
from tradecover.consents.model import Consent
from tradecover.consents.rules import CONTRACT_PURPOSES, CONTRACT_SCOPES, ConsentStatus
from tradecover.kit.dates import utc_now


@dataclass(frozen=True, slots=True)
class Visibility:
    """What the caller may see of one exporter, on one basis."""

    exporter_org_id: int
    basis: str
    consent_id: int | None
    scopes: list[str]
    purposes: list[str]
    expires_at: datetime | None


def visibility_of(session: Session, principal: Principal) -> list[Visibility]:
    """One line per exporter and basis: the contract's consent first (the insurer), then
    each authorised consent the caller's organisation holds.
    """
    out: list[Visibility] = []
    if principal.org_kind is OrganisationKind.INSURER:
        for org in list_organisations(session):
            if org.kind is OrganisationKind.EXPORTER:
                out.append(
                    Visibility(
                        exporter_org_id=org.id,
                        basis="contract",
                        consent_id=None,
                        scopes=sorted(s.value for s in CONTRACT_SCOPES),
                        purposes=sorted(p.value for p in CONTRACT_PURPOSES),
                        expires_at=None,
                    )
                )
    rows = session.execute(
        select(Consent)
        .where(
            Consent.grantee_org_id == principal.org_id,
            Consent.status == ConsentStatus.AUTHORISED.value,
            Consent.expires_at > utc_now(),
        )
        .order_by(Consent.grantor_org_id, Consent.id)
    ).scalars()
    for row in rows:
        out.append(
            Visibility(
                exporter_org_id=row.grantor_org_id,
                basis="consent",
                consent_id=row.id,
                scopes=list(row.scopes),
                purposes=list(row.purposes),
                expires_at=row.expires_at,
            )
        )
    return out

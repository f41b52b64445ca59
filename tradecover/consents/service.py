"""Use cases of consents [domain CS-2] [domain CS-3]: the grantee requests, the
exporter authorises or rejects, either side revokes; each move audited on both parties'
chains and told on the outbox (``consent.granted``, ``consent.revoked``).  Never commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tradecover import audit
from tradecover.access import Principal, organisation_of, organisations_of
from tradecover.consents.guard import forget, terms_of
from tradecover.consents.model import Consent
from tradecover.consents.pool_repository import POOL_SCOPE, pool_consents, withdraw_from_pool
from tradecover.consents.receipts import Receipt
from tradecover.consents.rules import (
    ConsentStatus,
    ConsentTerms,
    check_terms,
    effective_status,
    move,
    parse_purposes,
    parse_scopes,
    party_of,
)
from tradecover.events import record_event
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import NotFound, PermissionDenied


def _snapshot(row: Consent) -> dict[str, object]:
    return {
        "grantor_org_id": row.grantor_org_id,
        "grantee_org_id": row.grantee_org_id,
        "scopes": list(row.scopes),
        "purposes": list(row.purposes),
        "data_from": row.data_from.isoformat() if row.data_from else None,
        "data_to": row.data_to.isoformat() if row.data_to else None,
        "expires_at": row.expires_at.isoformat(),
        "status": row.status,
    }


def _audit(
    session: Session,
    principal: Principal,
    row: Consent,
    action: str,
    before: dict[str, object] | None,
    reason: str | None = None,
) -> None:
    after = _snapshot(row)
    for org in (row.grantor_org_id, row.grantee_org_id):
        audit.record(
            session,
            org_id=org,
            actor=principal.actor,
            action=action,
            entity_type="consent",
            entity_id=row.id,
            reason=reason,
            before=before,
            after=after,
        )


def request_consent(
    session: Session,
    *,
    principal: Principal,
    grantor_org_id: int,
    scopes: Iterable[str],
    purposes: Iterable[str],
    expires_at: datetime,
    data_from: date | None = None,
    data_to: date | None = None,
    now: datetime | None = None,
) -> Consent:
    """The grantee (the caller's organisation) asks ``grantor_org_id`` for a consent; it
    awaits the exporter's authorisation [domain CS-2] [domain CS-5].
    """
    now = now or utc_now()
    parsed_scopes, parsed_purposes = parse_scopes(scopes), parse_purposes(purposes)
    grantor = organisation_of(session, grantor_org_id)
    if grantor is None:
        raise NotFound(f"no organisation {grantor_org_id}", field="grantor_org_id")
    terms = ConsentTerms(
        grantor_org_id=grantor_org_id,
        grantee_org_id=principal.org_id,
        scopes=parsed_scopes,
        purposes=parsed_purposes,
        data_from=data_from,
        data_to=data_to,
        expires_at=expires_at,
    )
    check_terms(
        terms, grantor_kind=grantor.kind.value, grantee_kind=principal.org_kind.value, now=now
    )
    row = Consent(
        grantor_org_id=grantor_org_id,
        grantee_org_id=principal.org_id,
        scopes=sorted(s.value for s in parsed_scopes),
        purposes=sorted(p.value for p in parsed_purposes),
        data_from=data_from,
        data_to=data_to,
        expires_at=expires_at,
        status=ConsentStatus.AWAITING_AUTHORISATION.value,
        requested_by=principal.actor,
        requested_at=now,
    )
    session.add(row)
    session.flush()
    _audit(session, principal, row, "consent.requested", None)
    return row


def get_consent(session: Session, *, principal: Principal, consent_id: int) -> Consent:
    """One consent the caller's organisation is a party to (else not found)."""
    row = session.get(Consent, consent_id)
    if row is None or party_of(principal.org_id, row.grantor_org_id, row.grantee_org_id) is None:
        raise NotFound(f"no consent {consent_id}", code="consent_not_found", field="consent_id")
    return row


def _decide(
    session: Session,
    principal: Principal,
    consent_id: int,
    action: str,
    reason: str | None,
    now: datetime | None,
) -> Consent:
    now = now or utc_now()
    row = session.get(Consent, consent_id)
    if row is None:
        raise NotFound(f"no consent {consent_id}", code="consent_not_found", field="consent_id")
    party = party_of(principal.org_id, row.grantor_org_id, row.grantee_org_id)
    if party is None:
        raise PermissionDenied(
            f"organisation {principal.org_id} is neither grantor nor grantee of consent "
            f"{consent_id}",
            code="not_a_party",
        )
    current = effective_status(ConsentStatus(row.status), row.expires_at, now)
    after = move(current, action, party)
    before = _snapshot(row)
    row.status = after.value
    if after is ConsentStatus.AUTHORISED:
        row.decided_by, row.authorised_at = principal.actor, now
    elif after is ConsentStatus.REJECTED:
        row.decided_by, row.rejected_at = principal.actor, now
    else:
        row.revoked_by, row.revoked_at = principal.actor, now
    session.flush()
    _audit(session, principal, row, f"consent.{after.value}", before, reason)
    if after in (ConsentStatus.AUTHORISED, ConsentStatus.REVOKED):
        for scope in row.scopes:
            record_event(
                session,
                "consent.granted" if after is ConsentStatus.AUTHORISED else "consent.revoked",
                f"consent/{row.id}",
                {"consent_id": row.id, "grantee_org_id": row.grantee_org_id, "scope": scope},
                org_id=row.grantor_org_id,
            )
    if (
        after is ConsentStatus.REVOKED
        and POOL_SCOPE.value in row.scopes
        and not pool_consents(session, row.grantor_org_id, now)
    ):  # revoking stops the contribution: the exporter's rows leave the pool [domain CS-12]
        withdraw_from_pool(session, exporter_org_id=row.grantor_org_id, actor=principal.actor)
    forget(session)
    return row


def authorise(
    session: Session,
    *,
    principal: Principal,
    consent_id: int,
    reason: str | None = None,
    now: datetime | None = None,
) -> Consent:
    """The exporter authorises a requested consent [domain CS-3]."""
    return _decide(session, principal, consent_id, "authorise", reason, now)


def reject(
    session: Session,
    *,
    principal: Principal,
    consent_id: int,
    reason: str | None = None,
    now: datetime | None = None,
) -> Consent:
    """The exporter rejects a requested consent [domain CS-3]."""
    return _decide(session, principal, consent_id, "reject", reason, now)


def revoke(
    session: Session,
    *,
    principal: Principal,
    consent_id: int,
    reason: str | None = None,
    now: datetime | None = None,
) -> Consent:
    """Either party revokes a consent [domain CS-3]."""
    return _decide(session, principal, consent_id, "revoke", reason, now)


def consents_of(
    session: Session, *, principal: Principal, status: str | None = None
) -> list[Consent]:
    """The consents the caller's organisation is a party to, newest first."""
    query = select(Consent).where(
        or_(Consent.grantor_org_id == principal.org_id, Consent.grantee_org_id == principal.org_id)
    )
    if status is not None:
        query = query.where(Consent.status == status)
    return list(session.execute(query.order_by(Consent.id.desc())).scalars())


def status_now(row: Consent, now: datetime | None = None) -> ConsentStatus:
    """The consent's status as of now (expired once past its expiry) [domain CS-2]."""
    return effective_status(ConsentStatus(row.status), row.expires_at, now or utc_now())


def receipt_of(session: Session, *, principal: Principal, consent_id: int) -> Receipt:
    """The receipt of a consent the caller's organisation is a party to [domain CS-7]."""
    row = get_consent(session, principal=principal, consent_id=consent_id)
    orgs = organisations_of(session, [row.grantor_org_id, row.grantee_org_id])
    terms = terms_of(row)
    return Receipt(
        consent_id=row.id,
        grantor_org_id=row.grantor_org_id,
        grantor_name=orgs[row.grantor_org_id].name,
        grantee_org_id=row.grantee_org_id,
        grantee_name=orgs[row.grantee_org_id].name,
        scopes=tuple(sorted(terms.scopes)),
        purposes=tuple(sorted(terms.purposes)),
        data_from=row.data_from,
        data_to=row.data_to,
        expires_at=row.expires_at,
        status=status_now(row),
        requested_at=row.requested_at,
        authorised_at=row.authorised_at,
        revoked_at=row.revoked_at,
        issued_at=utc_now(),
    )

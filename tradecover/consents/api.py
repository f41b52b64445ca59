"""HTTP routes of consents: request, authorise, reject, revoke, list, receipts (JSON and
ODRL), the exporter's access log (JSON and CSV) and the grantee's view of what it may see.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from tradecover import consents
from tradecover.access import OrganisationKind, Permission
from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.api.pagination import IdPath
from tradecover.consents import receipt_json, receipt_odrl, service
from tradecover.consents.access_log import reads_of
from tradecover.consents.schemas import (
    AccessReadOut,
    ConsentIn,
    ConsentOut,
    DecisionIn,
    VisibilityOut,
)
from tradecover.consents.sharing_schemas import (
    ContributionOut,
    PooledOut,
    PoolOut,
    SharingIn,
    SharingOut,
)
from tradecover.consents.visibility_repository import visibility_of
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, PermissionDenied
from tradecover.reporting import buyers_declared, payment_records_of

router = APIRouter(prefix="/api/v1/consents", tags=["consents"])


@router.post(
    "", response_model=ConsentOut, status_code=201, summary="Ask an exporter for a consent"
)
def post_consent(body: ConsentIn, session: SessionDep, principal: PrincipalDep) -> ConsentOut:
    """The caller's organisation (insurer, co-insurer, bank, subsidy programme) asks; the
    consent awaits the exporter's authorisation.  No scope or purpose, an unknown one, an
    expiry in the past or a grantor that owns no exporter data: 422, nothing written.
    """
    return ConsentOut.of(
        service.request_consent(
            session,
            principal=principal,
            grantor_org_id=body.grantor_org_id,
            scopes=body.scopes,
            purposes=body.purposes,
            expires_at=body.expires_at,
            data_from=body.data_from,
            data_to=body.data_to,
        )
    )


@router.get(
    "", response_model=list[ConsentOut], summary="The consents of the caller's organisation"
)
def list_consents(
    session: SessionDep,
    principal: PrincipalDep,
    status: Annotated[str | None, Query(max_length=32)] = None,
) -> list[ConsentOut]:
    """Consents the caller's organisation granted or holds, newest first."""
    return [
        ConsentOut.of(r) for r in service.consents_of(session, principal=principal, status=status)
    ]


@router.get("/access-log", response_model=list[AccessReadOut], summary="Who read my data")
def access_log(
    session: SessionDep,
    principal: PrincipalDep,
    days: Annotated[int, Query(ge=1, le=90)] = 90,
    reader_org_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    scope: Annotated[str | None, Query(max_length=32)] = None,
) -> list[AccessReadOut]:
    """Every read of the caller's organisation's data by another organisation in the last
    ``days`` days (refused ones too), newest first.
    """
    rows = reads_of(session, principal.org_id, days=days, reader_org_id=reader_org_id, scope=scope)
    return [
        AccessReadOut(
            entry_id=r.entry_id,
            at=r.at,
            refused=r.refused,
            actor=r.actor,
            reader_org_id=r.reader_org_id,
            reader_role=r.reader_role,
            consent=r.consent,
            scope=r.scope,
            purpose=r.purpose,
            path=r.path,
            records=r.records,
            reads=r.reads,
        )
        for r in rows
    ]


CSV_COLUMNS = (
    "at",
    "refused",
    "reader_org_id",
    "reader_role",
    "actor",
    "consent",
    "scope",
    "purpose",
    "path",
    "reads",
    "records",
)
"""The columns of the access log's CSV export."""


def access_log_csv(rows: list[AccessReadOut]) -> str:
    """The access log as CSV (records as ``table:id id ...``)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        records = "; ".join(f"{t}:{' '.join(map(str, ids))}" for t, ids in r.records.items())
        writer.writerow(
            [
                r.at.isoformat(),
                "yes" if r.refused else "no",
                r.reader_org_id,
                r.reader_role,
                r.actor,
                r.consent or "",
                r.scope,
                r.purpose,
                r.path,
                r.reads,
                records,
            ]
        )
    return out.getvalue()


@router.get("/access-log.csv", summary="Who read my data, as CSV")
def access_log_export(
    session: SessionDep,
    principal: PrincipalDep,
    days: Annotated[int, Query(ge=1, le=90)] = 90,
    reader_org_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    scope: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    """The same lines as ``/access-log``, as a CSV download."""
    rows = access_log(session, principal, days=days, reader_org_id=reader_org_id, scope=scope)
    return Response(
        access_log_csv(rows),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="access-log.csv"'},
    )


@router.get(
    "/visibility", response_model=list[VisibilityOut], summary="What I may see, by exporter"
)
def visibility(session: SessionDep, principal: PrincipalDep) -> list[VisibilityOut]:
    """Per exporter, what the caller's organisation may see and for what (its authorised
    consents, and for the insurer the policy contract's own).
    """
    return [
        VisibilityOut.model_validate(v, from_attributes=True)
        for v in visibility_of(session, principal)
    ]


@router.get("/{consent_id}", response_model=ConsentOut, summary="One consent")
def get_consent(consent_id: IdPath, session: SessionDep, principal: PrincipalDep) -> ConsentOut:
    """A consent the caller's organisation is a party to (else 404)."""
    return ConsentOut.of(service.get_consent(session, principal=principal, consent_id=consent_id))


@router.get("/{consent_id}/receipt", summary="The consent receipt (JSON, ISO/IEC TS 27560 fields)")
def get_receipt(consent_id: IdPath, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    """The receipt to keep: parties, scopes, purposes, window, expiry, state, events."""
    return receipt_json(service.receipt_of(session, principal=principal, consent_id=consent_id))


@router.get("/{consent_id}/receipt.odrl", summary="The consent as an ODRL policy (JSON-LD)")
def get_receipt_odrl(consent_id: IdPath, session: SessionDep, principal: PrincipalDep) -> Response:
    """The consent as an ODRL Agreement a data-space connector can enforce."""
    import json

    body = receipt_odrl(service.receipt_of(session, principal=principal, consent_id=consent_id))
    return Response(json.dumps(body), media_type="application/ld+json")


def _decision(action: str) -> Any:
    def decide(
        consent_id: IdPath,
        session: SessionDep,
        principal: PrincipalDep,
        body: DecisionIn | None = None,
    ) -> ConsentOut:
        move = getattr(service, action)
        reason = body.reason if body else None
        return ConsentOut.of(
            move(session, principal=principal, consent_id=consent_id, reason=reason)
        )

    decide.__doc__ = {
        "authorise": "The exporter authorises the consent (only the grantor; only one awaiting).",
        "reject": "The exporter rejects the consent (only the grantor; only one awaiting).",
        "revoke": "Either party revokes the consent; a third organisation gets 403 not_a_party.",
    }[action]
    return decide


for _action in ("authorise", "reject", "revoke"):
    router.post(
        f"/{{consent_id}}/{_action}",
        response_model=ConsentOut,
        summary=f"{_action.capitalize()} a consent",
        name=f"{_action}_consent",
    )(_decision(_action))


# --- data sharing: fields withheld per feed source, the payment-experience pool ----------

sharing_router = APIRouter(prefix="/api/v1/data-sharing", tags=["consents"])


def _sharing(session: SessionDep, principal: PrincipalDep) -> SharingOut:
    withheld = consents.sharing_of(session, principal.org_id)
    hidden = set().union(*map(set, withheld.values()))
    buyers = buyers_declared(session, principal.org_id)
    return SharingOut(
        withheld=withheld,
        minimum=sorted(f.value for f in consents.MINIMUM_FIELDS),
        summary=consents.sharing_summary(hidden, buyers),
    )


@sharing_router.get("/sources", response_model=SharingOut, summary="What my feeds share")
def get_sharing(session: SessionDep, principal: PrincipalDep) -> SharingOut:
    """Per connected feed source, the fields the caller's organisation withholds, the
    policy's minimum (always shared) and the plain-language summary of what others see.
    """
    return _sharing(session, principal)


@sharing_router.put("/sources/{source}", response_model=SharingOut, summary="Choose what to share")
def put_sharing(
    source: Annotated[str, Path(max_length=16)],
    body: SharingIn,
    session: SessionDep,
    principal: PrincipalDep,
) -> SharingOut:
    """The exporter chooses the fields it withholds from ``source``'s documents: an unknown
    field (``unknown_field``) or one of the minimum (``field_in_minimum``) is 422, another
    organisation kind 403 ``not_data_owner``; nothing is written then.
    """
    consents.set_sharing(
        session, principal=principal, source=source, withheld=body.withheld, reason=body.reason
    )
    return _sharing(session, principal)


def _pool(session: SessionDep, principal: PrincipalDep) -> PoolOut:
    ids = consents.pool_consents(session, principal.org_id, utc_now())
    return PoolOut(
        contributing=bool(ids),
        consent_ids=ids,
        contributions=[
            ContributionOut(
                buyer_id=c.buyer_id,
                overdue_notices=c.overdue_notices,
                max_days_late=c.max_days_late,
                claims=c.claims,
            )
            for c in consents.contributions_of(session, principal.org_id)
        ],
    )


@sharing_router.get("/pool", response_model=PoolOut, summary="What I contribute to the pool")
def get_pool(session: SessionDep, principal: PrincipalDep) -> PoolOut:
    """The caller's organisation's rows in the payment-experience pool."""
    return _pool(session, principal)


@sharing_router.post("/pool/contribute", response_model=PoolOut, summary="Contribute now")
def post_contribute(session: SessionDep, principal: PrincipalDep) -> PoolOut:
    """The exporter's current payment experience replaces its rows in the pool, when a
    consent (payment experience, portfolio monitoring) lets it in; else 409
    ``pool_consent_missing`` and nothing is written.
    """
    _exporter_only(principal)
    if not consents.pool_consents(session, principal.org_id, utc_now()):
        raise Conflict(
            "no authorised consent for payment_experience and portfolio_monitoring lets "
            "your experience into the pool",
            code="pool_consent_missing",
        )
    records = [
        consents.BuyerExperience(r.buyer_id, r.overdue_notices, r.max_days_late, r.claims)
        for r in payment_records_of(session, principal.org_id)
    ]
    consents.contribute(
        session, exporter_org_id=principal.org_id, records=records, actor=principal.actor
    )
    return _pool(session, principal)


@sharing_router.post("/pool/stop", response_model=PoolOut, summary="Stop contributing")
def post_stop(session: SessionDep, principal: PrincipalDep) -> PoolOut:
    """The exporter's rows leave the pool (revoking its pool consents stops future ones)."""
    _exporter_only(principal)
    consents.withdraw_from_pool(session, exporter_org_id=principal.org_id, actor=principal.actor)
    return _pool(session, principal)


POOL_READERS = frozenset(
    {OrganisationKind.INSURER, OrganisationKind.COINSURER, OrganisationKind.BANK}
)
"""Who reads the pool's anonymised figures [domain CS-12]."""


def _exporter_only(principal: PrincipalDep) -> None:
    principal.require(Permission.EXPORTER_PROFILE_WRITE)
    if principal.org_kind is not OrganisationKind.EXPORTER:
        raise PermissionDenied(
            "only an exporter contributes its payment experience", code="not_data_owner"
        )


@sharing_router.get(
    "/pool/buyers/{buyer_id}", response_model=PooledOut, summary="A buyer's pooled experience"
)
def get_pooled(buyer_id: IdPath, session: SessionDep, principal: PrincipalDep) -> PooledOut:
    """The buyer's payment experience pooled over contributing exporters, none named; the
    figures show only with at least k contributors.  Insurers, co-insurers and banks.
    """
    principal.require(Permission.ORG_READ)
    if principal.org_kind not in POOL_READERS:
        raise PermissionDenied(
            "the pool is read by insurers, co-insurers and banks", code="pool_not_readable"
        )
    pool = consents.pooled_experience(session, buyer_id)
    if pool is None:
        return PooledOut(
            buyer_id=buyer_id, shown=False, min_contributors=consents.POOL_MIN_CONTRIBUTORS
        )
    return PooledOut(
        buyer_id=buyer_id,
        shown=True,
        min_contributors=consents.POOL_MIN_CONTRIBUTORS,
        contributors=pool.contributors,
        overdue_notices=pool.overdue_notices,
        max_days_late=pool.max_days_late,
        claims=pool.claims,
    )

"""HTTP routes of consents: request, authorise, reject, revoke, list, receipts (JSON and
ODRL), the exporter's access log (JSON and CSV) and the grantee's view of what it may see.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

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
from tradecover.consents.visibility_repository import visibility_of

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

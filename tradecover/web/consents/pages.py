"""The data page [domain CS-6] [domain CS-8]: what each party may see of the exporter's
data and for what, in plain words; per feed source, the fields it shares and those the
exporter withholds [domain CS-11]; the consents by party with authorise, reject and
revoke; who read what in the last 90 days (filterable, with its CSV export); what it
contributes to the pool of buyers' payment experience, with stop and contribute again
[domain CS-12].  For the
insurer and the other grantees: per exporter, what they may see and for what.  Every
write goes through :mod:`tradecover.consents` in a savepoint that a domain error rolls back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tradecover import consents
from tradecover.access import OrganisationKind, insurer, organisations_of
from tradecover.declarations import buyers_declared_to
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, DomainError
from tradecover.reporting import payment_records_of
from tradecover.web.forms import in_savepoint
from tradecover.web.kit import (
    SessionDep,
    Viewer,
    choose_locale,
    current_viewer,
    error_page,
    render_page,
    to_sign_in,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(include_in_schema=False)
PATH = "/consents"
ACTIONS = ("authorise", "reject", "revoke")


def summary_of(rows: list[Any], org_id: int, insurer_ids: list[int]) -> list[dict[str, Any]]:
    """Per party, what it can and cannot see of the exporter's data (the contract's
    consent for the insurer, then each authorised consent).
    """
    seen: dict[int, set[consents.Scope]] = {i: set(consents.CONTRACT_SCOPES) for i in insurer_ids}
    for row in rows:
        if row.grantor_org_id == org_id and consents.status_now(row).value == "authorised":
            seen.setdefault(row.grantee_org_id, set()).update(consents.Scope(s) for s in row.scopes)
    order = list(consents.Scope)
    return [
        {
            "party": party,
            "can": [s for s in order if s in scopes],
            "cannot": [s for s in order if s not in scopes],
        }
        for party, scopes in seen.items()
    ]


def _pool(session: Session, org_id: int) -> dict[str, Any]:
    """The exporter's part in the pool [domain CS-12]: the consents that let it in and the
    rows it contributes, by buyer.
    """
    return {
        "consent_ids": consents.pool_consents(session, org_id, utc_now()),
        "rows": consents.contributions_of(session, org_id),
    }


def _page(
    request: Request, session: Session, viewer: Viewer, problem: DomainError | None = None
) -> Response:
    principal = viewer.principal
    exporter = principal.org_kind is OrganisationKind.EXPORTER
    rows = consents.consents_of(session, principal=principal)
    reader = request.query_params.get("reader", "")
    scope = request.query_params.get("scope", "")
    reads = (
        consents.reads_of(
            session,
            principal.org_id,
            reader_org_id=int(reader) if reader.isdigit() and len(reader) < 19 else None,
            scope=scope if scope in consents.Scope.__members__.values() else None,
        )
        if exporter
        else []
    )
    visible = [] if exporter else consents.visibility_of(session, principal)
    ids = {r.grantor_org_id for r in rows} | {r.grantee_org_id for r in rows}
    ids |= {r.reader_org_id for r in reads} | {v.exporter_org_id for v in visible}
    insurers = [insurer(session).id]
    names = {o.id: o.name for o in organisations_of(session, ids | set(insurers)).values()}
    return render_page(
        request,
        choose_locale(request, viewer),
        "consents/page.html",
        {
            "exporter": exporter,
            "consents": [(r, consents.status_now(r).value) for r in rows],
            "summary": summary_of(rows, principal.org_id, insurers) if exporter else [],
            "sources": consents.sharing_of(session, principal.org_id) if exporter else {},
            "fields": [f.value for f in consents.SharedField],
            "buyers": buyers_declared_to(session, principal.org_id) if exporter else 0,
            "reads": reads,
            "visible": visible,
            "names": names,
            "scopes": list(consents.Scope),
            "reader": reader,
            "scope": scope,
            "org_id": principal.org_id,
            "pool": _pool(session, principal.org_id) if exporter else None,
            "problem": problem,
        },
        viewer=viewer,
        status=problem.status if problem else 200,
    )


@router.get(PATH, response_model=None)
def consents_page(request: Request, session: SessionDep) -> Response:
    """The data page of the caller's organisation."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    return _page(request, session, viewer)


@router.post(PATH + "/pool/{move}", response_model=None)
def pool_action(move: str, request: Request, session: SessionDep) -> Response:
    """``stop`` contributing to the pool (the exporter's rows leave it) or ``contribute``
    its current payment experience again under a pool consent [domain CS-12]; without a
    pool consent, 409 ``pool_consent_missing`` and nothing is written.
    """
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    principal = viewer.principal
    if move not in ("stop", "contribute") or principal.org_kind is not OrganisationKind.EXPORTER:
        return error_page(request, choose_locale(request, viewer), viewer, 404)

    def work() -> None:
        if move == "stop":
            consents.withdraw_from_pool(
                session, exporter_org_id=principal.org_id, actor=principal.actor
            )
            return
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

    return _page(request, session, viewer, in_savepoint(session, work))


@router.post(PATH + "/{consent_id}/{action}", response_model=None)
def consent_action(consent_id: int, action: str, request: Request, session: SessionDep) -> Response:
    """``authorise``, ``reject`` or ``revoke`` a consent from the data page."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    if action not in ACTIONS or not 1 <= consent_id <= 2**63 - 1:
        return error_page(request, choose_locale(request, viewer), viewer, 404)
    move = {"authorise": consents.authorise, "reject": consents.reject, "revoke": consents.revoke}

    def work() -> None:
        move[action](session, principal=viewer.principal, consent_id=consent_id)

    return _page(request, session, viewer, in_savepoint(session, work))

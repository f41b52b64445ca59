"""HTTP routes of claims and recoveries.

The organisation always comes from the credential; a claim or a shipment of another
organisation answers 404 exactly like a missing one.  One transaction per request,
except the payment: it carries an ``Idempotency-Key`` (a retry gets the first answer)
and the claim moves to ``paid`` by one conditional update, so it is never paid twice.

Claim terms are the policy's own (its schedule's ``claim_terms``); what a policy leaves
unset comes from the settings (``TRADECOVER_CLAIM_*``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Security
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session, sessionmaker

from tradecover import idempotency
from tradecover.access import Principal
from tradecover.api.deps import (
    PrincipalDep,
    SessionDep,
    api_key_scheme,
    bearer_scheme,
    current_principal,
)
from tradecover.api.pagination import IdPath, Page, PageDep
from tradecover.api.pdf import PDF_RESPONSES, LangQuery, pdf_response, reader_locale, translator
from tradecover.claims import closing, decision, filing, payment, recoveries, service
from tradecover.claims.documents import service as documents
from tradecover.claims.documents.schemas import DocumentsSummary
from tradecover.claims.indemnity import ClaimDefaults, ClaimState
from tradecover.claims.model import ClaimRow
from tradecover.claims.schemas import (
    AtRiskOut,
    ClaimIn,
    ClaimOut,
    CloseIn,
    RecoveryIn,
    RecoveryOut,
    RejectIn,
    SpeedMonthOut,
    SpeedOut,
)
from tradecover.claims.speed import SpeedTarget, claims_at_risk, monthly_report
from tradecover.db.engine import transaction
from tradecover.kit.dates import business_today
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money, to_decimal

router = APIRouter(prefix="/api/v1", tags=["claims"])


def _factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


def _defaults(request: Request) -> ClaimDefaults:
    """The installation's claim terms, for what a policy's own terms leave unset."""
    settings = getattr(request.app.state, "settings", None)
    return service.DEFAULT_DEFAULTS if settings is None else service.defaults_of(settings)


def principal_only(
    request: Request,
    api_key: Annotated[str | None, Security(api_key_scheme)] = None,
    token: Annotated[str | None, Security(bearer_scheme)] = None,
) -> Principal:
    """The caller, read in a short transaction of its own (the effect runs in another)."""
    with transaction(_factory(request)) as session:
        return current_principal(request, session, api_key, token)


def _claim_out(session: Session, row: ClaimRow) -> ClaimOut:
    out = ClaimOut.of(row, service.lines_of(session, row.id))
    out.documents = DocumentsSummary.of(documents.claim_checklist(session, row))
    return out


def _out(session: Session, claim_id: int, principal: Principal) -> ClaimOut:
    return _claim_out(session, service.claim_for(session, principal, claim_id))


@router.post("/claims", status_code=201, response_model=ClaimOut, summary="File a claim (exporter)")
def post_claim(
    request: Request, body: ClaimIn, session: SessionDep, principal: PrincipalDep
) -> ClaimOut:
    """Files the claim, computes the indemnity and runs every check."""
    lines = [
        filing.LineIn(
            declaration_id=line.declaration_id,
            loss=None if line.loss is None else Money.of(to_decimal(line.loss), body.currency),
        )
        for line in body.lines
    ]
    row = filing.file_claim(
        session,
        principal=principal,
        lines=lines,
        cause=body.cause,
        today=business_today(),
        defaults=_defaults(request),
    )
    return _claim_out(session, row)


@router.get(
    "/claims",
    response_model=Page[ClaimOut],
    summary="Claims (the handler's queue; exporters: their own)",
)
def get_claims(
    session: SessionDep, principal: PrincipalDep, page: PageDep, state: ClaimState | None = None
) -> Page[ClaimOut]:
    """Oldest first, with every check."""
    rows, total = service.list_claims(
        session, principal=principal, state=state, limit=page.limit, offset=page.offset
    )
    return Page[ClaimOut](
        items=[_claim_out(session, r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/claims/speed",
    response_model=SpeedOut,
    summary="Claim speed per month against a target, and claims about to miss it",
)
def get_speed(
    session: SessionDep,
    principal: PrincipalDep,
    decision_days: Annotated[int, Query(ge=1, le=3650)] = 60,
    payment_days: Annotated[int, Query(ge=1, le=3650)] = 10,
    warn_days: Annotated[int, Query(ge=0, le=3650)] = 7,
    today: date | None = None,
) -> SpeedOut:
    """Days notice to claim, claim to decision, decision to payment ([001])."""
    target = SpeedTarget(
        decision_days=decision_days, payment_days=payment_days, warn_days=warn_days
    )
    timelines = service.timelines(session, principal=principal)

    def text(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    return SpeedOut(
        decision_days=decision_days,
        payment_days=payment_days,
        months=[
            SpeedMonthOut(
                month=m.month,
                filed=m.filed,
                decided=m.decided,
                avg_claim_to_decision_days=text(m.avg_claim_to_decision_days),
                decided_within_target_pct=text(m.decided_within_target_pct),
                paid=m.paid,
                avg_decision_to_payment_days=text(m.avg_decision_to_payment_days),
                paid_within_target_pct=text(m.paid_within_target_pct),
                avg_notice_to_claim_days=text(m.avg_notice_to_claim_days),
            )
            for m in monthly_report(timelines, target)
        ],
        at_risk=[
            AtRiskOut(
                claim_id=a.claim_id, stage=a.stage.value, deadline=a.deadline, days_left=a.days_left
            )
            for a in claims_at_risk(timelines, target, today=today or business_today())
        ],
    )


@router.get("/claims/{claim_id}", response_model=ClaimOut, summary="A claim with its checks")
def get_claim(claim_id: IdPath, session: SessionDep, principal: PrincipalDep) -> ClaimOut:
    """The claim, its lines, its checks and its dates."""
    return _out(session, claim_id, principal)


@router.get(
    "/claims/{claim_id}/decision.pdf",
    response_class=Response,
    responses=PDF_RESPONSES,
    summary="A claim's decision letter as a PDF",
)
def get_decision_pdf(
    claim_id: IdPath,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangQuery = None,
) -> Response:
    """The decision letter in the reader's language (``lang``, else ``Accept-Language``);
    404 while the claim is undecided, or for a claim the caller may not see.
    """
    locale = reader_locale(request, lang)
    name, content = service.decision_pdf_of(
        session, principal=principal, claim_id=claim_id, locale=locale, translate=translator(locale)
    )
    return pdf_response(name, content)


@router.get(
    "/claims/{claim_id}/recoveries.pdf",
    response_class=Response,
    responses=PDF_RESPONSES,
    summary="A claim's recovery statement as a PDF",
)
def get_recovery_statement_pdf(
    claim_id: IdPath,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangQuery = None,
) -> Response:
    """The recoveries booked on a claim, a registered document in the reader's language;
    404 for a claim the caller may not see.
    """
    locale = reader_locale(request, lang)
    name, content = service.recovery_statement_pdf_of(
        session, principal=principal, claim_id=claim_id, locale=locale, translate=translator(locale)
    )
    return pdf_response(name, content)


@router.post(
    "/claims/{claim_id}/start-checks",
    response_model=ClaimOut,
    summary="Take a claim up (claims handler)",
)
def post_start_checks(claim_id: IdPath, session: SessionDep, principal: PrincipalDep) -> ClaimOut:
    """``filed`` to ``checking``."""
    decision.start_checks(session, principal=principal, claim_id=claim_id, today=business_today())
    return _out(session, claim_id, principal)


@router.post(
    "/claims/{claim_id}/approve",
    response_model=ClaimOut,
    summary="Approve a claim (claims handler; four eyes above the threshold)",
)
def post_approve(
    request: Request, claim_id: IdPath, session: SessionDep, principal: PrincipalDep
) -> ClaimOut:
    """Refused while a blocking check fails."""
    decision.approve(
        session,
        principal=principal,
        claim_id=claim_id,
        today=business_today(),
        defaults=_defaults(request),
    )
    return _out(session, claim_id, principal)


@router.post(
    "/claims/{claim_id}/reject", response_model=ClaimOut, summary="Reject a claim (claims handler)"
)
def post_reject(
    claim_id: IdPath, body: RejectIn, session: SessionDep, principal: PrincipalDep
) -> ClaimOut:
    """With the reason the exporter reads."""
    decision.reject(
        session, principal=principal, claim_id=claim_id, reason=body.reason, today=business_today()
    )
    return _out(session, claim_id, principal)


@router.post(
    "/claims/{claim_id}/pay",
    response_model=ClaimOut,
    summary="Pay an approved claim (finance; Idempotency-Key)",
    responses={409: {"description": "Already paid, rejected, or still running"}},
)
def post_pay(
    request: Request,
    claim_id: IdPath,
    principal: Annotated[Principal, Security(principal_only)],
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=255,
            description="Required: a retry with the same key gets the original answer",
        ),
    ] = None,
) -> Any:
    """Pays once; a retry with the same key replays the answer, any other gets 409."""
    if idempotency_key is None:
        raise ValidationFailed(
            "the Idempotency-Key header is required",
            code="idempotency_key_required",
            field="Idempotency-Key",
        )
    held = idempotency.HeldKey(
        principal.org_id,
        idempotency_key,
        idempotency.fingerprint(method="POST", path=f"/api/v1/claims/{claim_id}/pay", body={}),
    )
    with transaction(_factory(request)) as session:
        service.claim_for(session, principal, claim_id)  # 404 before the key is held

        def effect() -> Any:
            payment.pay(
                session,
                principal=principal,
                claim_id=claim_id,
                today=business_today(),
                defaults=_defaults(request),
            )
            return _out(session, claim_id, principal).model_dump(mode="json")

        answer = idempotency.answer_once(session, held, status_code=200, effect=effect)
    return JSONResponse(
        answer.body,
        status_code=answer.status_code,
        headers={"Idempotent-Replayed": "true"} if answer.replayed else None,
    )


@router.post(
    "/claims/{claim_id}/close",
    response_model=ClaimOut,
    summary="Close a claim: settle a paid one, close a rejected one, withdraw an undecided one",
)
def post_close(
    claim_id: IdPath, body: CloseIn, session: SessionDep, principal: PrincipalDep
) -> ClaimOut:
    """The exporter may withdraw its own filed or checking claim (with a reason); a claims
    handler closes paid and rejected claims.  An approved claim must be paid first.
    """
    closing.close(
        session, principal=principal, claim_id=claim_id, reason=body.reason, today=business_today()
    )
    return _out(session, claim_id, principal)


@router.post(
    "/claims/{claim_id}/recoveries",
    status_code=201,
    response_model=RecoveryOut,
    summary="Book a recovery on a paid claim (claims handler)",
)
def post_recovery(
    claim_id: IdPath, body: RecoveryIn, session: SessionDep, principal: PrincipalDep
) -> RecoveryOut:
    """Shared insurer / insured by their shares of the loss, net of costs, and booked."""
    row = recoveries.record_recovery(
        session,
        principal=principal,
        claim_id=claim_id,
        source=body.source,
        gross=Money.of(to_decimal(body.gross), body.currency),
        costs=Money.of(to_decimal(body.costs), body.currency),
        received_on=body.received_on,
    )
    return RecoveryOut.of(row)

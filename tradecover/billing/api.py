"""HTTP routes of billing: runs, notices, payments (with ``Idempotency-Key``), arrears."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Security
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session, sessionmaker

from tradecover import idempotency
from tradecover.access import Permission, Principal
from tradecover.api.deps import (
    PrincipalDep,
    SessionDep,
    api_key_scheme,
    bearer_scheme,
    current_principal,
    get_settings,
)
from tradecover.api.pagination import IdPath, Page, PageDep
from tradecover.api.pdf import PDF_RESPONSES, LangQuery, pdf_response, reader_locale, translator
from tradecover.billing import arrears, credit_notes, jobs, payments, service
from tradecover.billing.schemas import (
    AgeingOut,
    ArrearsJobIn,
    MonthStr,
    NoticeDetailOut,
    NoticeOut,
    PaymentIn,
    PaymentOut,
    RunIn,
    RunOut,
    SuspensionOut,
)
from tradecover.db.engine import transaction
from tradecover.kit.dates import business_today
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money, to_decimal

router = APIRouter(prefix="/api/v1/billing", tags=["billing"])


def _factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


def principal_only(
    request: Request,
    api_key: Annotated[str | None, Security(api_key_scheme)] = None,
    token: Annotated[str | None, Security(bearer_scheme)] = None,
) -> Principal:
    """The caller, read in a short transaction of its own (the effect runs in another)."""
    with transaction(_factory(request)) as session:
        return current_principal(request, session, api_key, token)


@router.post("/runs", response_model=RunOut, summary="Bill a month (finance)")
def post_run(
    request: Request, body: RunIn, principal: Annotated[Principal, Security(principal_only)]
) -> RunOut:
    """Bill the declarations of ``month``: idempotent and resumable; answers when complete."""
    principal.require(Permission.BILLING_MANAGE)
    state = jobs.run_month(
        _factory(request),
        principal=principal,
        month=body.month,
        issue_date=body.issue_date or business_today(),
        terms=service.terms_of(get_settings(request)),
    )
    return RunOut.of(state)


@router.get("/runs/{month}", response_model=RunOut, summary="Where a month's run stands")
def get_run(
    month: MonthStr, request: Request, session: SessionDep, principal: PrincipalDep
) -> RunOut:
    """The run of ``month`` (finance)."""
    return RunOut.of(
        jobs.get_run(
            session, principal=principal, month=month, terms=service.terms_of(get_settings(request))
        )
    )


@router.get("/notices", response_model=Page[NoticeOut], summary="Premium notices")
def list_notices(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    month: Annotated[str | None, Query(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")] = None,
    policy_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    unpaid: bool = False,
) -> Page[NoticeOut]:
    """Notices the caller may see (exporters: their own), newest month first."""
    rows, total = service.list_notices(
        session,
        principal=principal,
        limit=page.limit,
        offset=page.offset,
        month=month,
        policy_id=policy_id,
        unpaid=unpaid,
    )
    return Page[NoticeOut](
        items=[NoticeOut.of(n) for n in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/notices/{notice_id}", response_model=NoticeDetailOut, summary="One notice")
def get_notice(
    notice_id: IdPath,
    session: SessionDep,
    principal: PrincipalDep,
    lines_offset: Annotated[
        int,
        Query(
            ge=0,
            le=2**31 - 1,
            description=("First declaration to list (the notice's ``lines`` counts them all)"),
        ),
    ] = 0,
    lines_limit: Annotated[int, Query(ge=1, le=service.MAX_LINES)] = service.MAX_LINES,
) -> NoticeDetailOut:
    """A notice with a page of its declarations (read by membership) and its split."""
    return NoticeDetailOut.of_view(
        service.get_notice(
            session,
            principal=principal,
            notice_id=notice_id,
            line_offset=lines_offset,
            line_limit=lines_limit,
        )
    )


@router.get(
    "/notices/{notice_id}/pdf",
    response_class=Response,
    responses=PDF_RESPONSES,
    summary="One notice as a PDF",
)
def get_notice_pdf(
    notice_id: IdPath,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangQuery = None,
) -> Response:
    """The premium notice as a PDF in the reader's language (``lang``, else
    ``Accept-Language``); read as the notice is (exporters: their own).
    """
    locale = reader_locale(request, lang)
    name, content = service.notice_pdf_of(
        session,
        principal=principal,
        notice_id=notice_id,
        locale=locale,
        translate=translator(locale),
    )
    return pdf_response(name, content)


@router.get(
    "/notices/{notice_id}/subsidy.pdf",
    response_class=Response,
    responses=PDF_RESPONSES,
    summary="A notice's subsidy statement as a PDF",
)
def get_subsidy_statement_pdf(
    notice_id: IdPath,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangQuery = None,
) -> Response:
    """What each subsidy programme was asked for, granted and paid on a notice, a registered
    document in the reader's language; read as the notice is.
    """
    locale = reader_locale(request, lang)
    name, content = service.subsidy_statement_pdf_of(
        session,
        principal=principal,
        notice_id=notice_id,
        locale=locale,
        translate=translator(locale),
    )
    return pdf_response(name, content)


@router.post(
    "/payments",
    status_code=201,
    response_model=PaymentOut,
    summary="Record a payment (finance; Idempotency-Key)",
    responses={409: {"description": "A request with this key is still running"}},
)
def post_payment(
    request: Request,
    body: PaymentIn,
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
    """Apply a payment to the payer's notices, oldest first; a replay answers the same."""
    principal.require(Permission.BILLING_MANAGE)
    if idempotency_key is None:
        raise ValidationFailed(
            "the Idempotency-Key header is required",
            code="idempotency_key_required",
            field="Idempotency-Key",
        )
    amount = Money.of(to_decimal(body.amount), body.currency)
    held = idempotency.HeldKey(
        principal.org_id,
        idempotency_key,
        idempotency.fingerprint(
            method="POST", path="/api/v1/billing/payments", body=body.model_dump(mode="json")
        ),
    )
    with transaction(_factory(request)) as session:

        def effect() -> Any:
            payment = payments.record_payment(
                session,
                principal=principal,
                payer_kind=body.payer_kind,
                payer_id=body.payer_id,
                amount=amount,
                received_on=body.received_on,
                reference=body.reference,
            )
            return PaymentOut.of(payment, payments.allocations_of(session, payment.id)).model_dump(
                mode="json"
            )

        answer = idempotency.answer_once(session, held, status_code=201, effect=effect)
    return JSONResponse(
        answer.body,
        status_code=answer.status_code,
        headers={"Idempotent-Replayed": "true"} if answer.replayed else None,
    )


@router.get("/ageing", response_model=list[AgeingOut], summary="Unpaid premium by age")
def get_ageing(
    session: SessionDep, principal: PrincipalDep, today: date | None = None
) -> list[AgeingOut]:
    """Exporter premium unpaid per currency and bucket (exporters: their own)."""
    result = arrears.ageing(session, principal=principal, today=today or business_today())
    credit = credit_notes.credit_balances(session, principal=principal)
    return [
        AgeingOut(
            currency=cur,
            buckets={b.value: str(m.amount) for b, m in result.get(cur, {}).items()},
            credit=str(credit.get(cur, Money.from_minor(0, cur)).amount),
        )
        for cur in sorted(set(result) | set(credit))
    ]


@router.post(
    "/arrears-job",
    response_model=list[SuspensionOut],
    summary="Suspend policies with long premium arrears (finance)",
)
def post_arrears_job(
    body: ArrearsJobIn, request: Request, session: SessionDep, principal: PrincipalDep
) -> list[SuspensionOut]:
    """Suspend every active policy whose premium is unpaid past the configured days."""
    done = jobs.arrears_job(
        session,
        principal=principal,
        today=body.today,
        terms=service.terms_of(get_settings(request)),
    )
    return [
        SuspensionOut(
            policy_id=s.policy_id,
            notice_id=s.notice_id,
            days_past_due=s.days_past_due,
            reason=s.reason,
        )
        for s in done
    ]

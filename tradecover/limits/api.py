"""HTTP routes of credit limits: applications, decisions, limits, notices, tracking."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from tradecover import reporting
from tradecover.api.deps import PrincipalDep, SessionDep, get_settings
from tradecover.api.pagination import IdPath, Page, PageDep
from tradecover.api.pdf import PDF_RESPONSES, LangQuery, pdf_response, reader_locale, translator
from tradecover.config import Settings
from tradecover.kit.dates import business_today
from tradecover.kit.money import Money, check_currency
from tradecover.limits import service
from tradecover.limits.proposals.api import router as proposals_router
from tradecover.limits.request import ExpectedShipments, LimitConditions, RequestType
from tradecover.limits.schemas import (
    AggregateOut,
    AggregateOverrideIn,
    BulkActionIn,
    BulkResultOut,
    CreditLimitOut,
    DecisionIn,
    LimitApplicationIn,
    LimitApplicationOut,
    LimitChangeIn,
    LimitVersionOut,
    NotificationOut,
    RevokeIdleIn,
    UtilisationOut,
    WatchEntryOut,
)

router = APIRouter(tags=["credit limits"])
SettingsDep = Annotated[Settings, Depends(get_settings)]


def _rules(settings: Settings) -> service.LimitRules:
    return service.LimitRules.from_settings(settings)


@router.post(
    "/api/v1/limit-applications",
    status_code=201,
    response_model=LimitApplicationOut,
    summary="Apply for a credit limit",
)
def apply(
    body: LimitApplicationIn, session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> LimitApplicationOut:
    """An exporter applies on a buyer under its active policy; small clean cases are
    decided at once, the rest wait for an underwriter.
    """
    currency = check_currency(body.currency)
    shipments = None
    if body.shipments is not None:
        s = body.shipments
        shipments = ExpectedShipments(
            contract_size=Money.of(s.contract_size, currency),
            shipments_per_year=s.shipments_per_year,
            largest_shipment=Money.of(s.largest_shipment, currency),
            transit_days=s.transit_days,
        )
    row = service.apply(
        session,
        principal=principal,
        policy_id=body.policy_id,
        buyer_id=body.buyer_id,
        request_type=body.request_type,
        amount=Money.of(body.amount, currency),
        payment_terms=body.payment_terms,
        credit_period_days=body.credit_period_days,
        shipments=shipments,
        today=business_today(),
        rules=_rules(settings),
    )
    return LimitApplicationOut.of(row, insurer=principal.is_insurer)


@router.get(
    "/api/v1/limit-applications",
    response_model=Page[LimitApplicationOut],
    summary="Limit applications (the underwriters' queue)",
)
def list_applications(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    status: Annotated[str | None, Query(max_length=32)] = None,
) -> Page[LimitApplicationOut]:
    """Oldest first; ``status=pending`` is the queue."""
    rows, total = service.list_applications(
        session, principal=principal, status=status, limit=page.limit, offset=page.offset
    )
    return Page(
        items=[LimitApplicationOut.of(r, insurer=principal.is_insurer) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/api/v1/limit-applications/{limit_application_id}",
    response_model=LimitApplicationOut,
    summary="One limit application",
)
def get_application(
    limit_application_id: IdPath, session: SessionDep, principal: PrincipalDep
) -> LimitApplicationOut:
    """An exporter sees its own applications only."""
    row = service.get_application(session, principal=principal, application_id=limit_application_id)
    return LimitApplicationOut.of(row, insurer=principal.is_insurer)


@router.post(
    "/api/v1/limit-applications/{limit_application_id}/decision",
    response_model=LimitApplicationOut,
    summary="Decide a limit application",
)
def decide(
    limit_application_id: IdPath,
    body: DecisionIn,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> LimitApplicationOut:
    """Approve in full, approve less, approve with conditions or refuse, with reasons;
    above the four-eyes amount the approval waits for a second underwriter.
    """
    conditions = (
        LimitConditions(
            indemnity_pct=body.conditions.indemnity_pct,
            expires_on=body.conditions.expires_on,
            text=body.conditions.text,
        )
        if body.conditions is not None
        else None
    )
    row = service.decide(
        session,
        principal=principal,
        application_id=limit_application_id,
        outcome=body.outcome,
        amount=body.amount,
        reasons=body.reasons,
        conditions=conditions,
        today=business_today(),
        rules=_rules(settings),
        read_context=reporting.limit_decision_context,
    )
    return LimitApplicationOut.of(row, insurer=principal.is_insurer)


@router.post(
    "/api/v1/limit-applications/{limit_application_id}/second-approval",
    response_model=LimitApplicationOut,
    summary="Second underwriter's approval",
)
def second_approval(
    limit_application_id: IdPath, session: SessionDep, principal: PrincipalDep
) -> LimitApplicationOut:
    """Another underwriter confirms; the same person cannot do both."""
    row = service.second_approval(
        session,
        principal=principal,
        application_id=limit_application_id,
        today=business_today(),
        read_context=reporting.limit_decision_context,
    )
    return LimitApplicationOut.of(row, insurer=principal.is_insurer)


@router.get("/api/v1/limits", response_model=Page[CreditLimitOut], summary="Credit limits")
def list_limits(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    buyer_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    status: Annotated[str | None, Query(max_length=16)] = "active",
) -> Page[CreditLimitOut]:
    """An exporter's own limits; insurer staff see all."""
    rows, total = service.list_limits(
        session,
        principal=principal,
        buyer_id=buyer_id,
        status=status,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[CreditLimitOut.of(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/api/v1/limits/utilisation",
    response_model=list[UtilisationOut],
    summary="Utilisation of every limit",
)
def all_utilisation(
    session: SessionDep,
    principal: PrincipalDep,
    buyer_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> list[UtilisationOut]:
    """Approved, outstanding, available and rate of the caller's active limits."""
    return [
        UtilisationOut.of(u)
        for u in service.utilisation(session, principal=principal, buyer_id=buyer_id)
    ]


@router.get(
    "/api/v1/limits/watch-list",
    response_model=list[WatchEntryOut],
    summary="Large-limit watch list",
)
def watch_list(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> list[WatchEntryOut]:
    """Buyers with a large single limit or a large total of limits (insurer)."""
    return [
        WatchEntryOut.of(e)
        for e in reporting.limit_watch_list(session, principal=principal, rules=_rules(settings))
    ]


@router.post(
    "/api/v1/limits/bulk-actions",
    response_model=BulkResultOut,
    summary="Cut or cancel every limit on a buyer, a sector or a country",
)
def bulk_action(body: BulkActionIn, session: SessionDep, principal: PrincipalDep) -> BulkResultOut:
    """One call: a new version, a notice and an audit entry per limit."""
    from decimal import Decimal

    result = service.bulk_action(
        session,
        principal=principal,
        scope=service.BulkScope(buyer_id=body.buyer_id, sector=body.sector, country=body.country),
        reason=body.reason,
        today=business_today(),
        cut_pct=Decimal(body.cut_pct) if body.cut_pct is not None else None,
        cancel=body.cancel,
    )
    return BulkResultOut(changed=result.changed, skipped=result.skipped)


@router.post(
    "/api/v1/limits/jobs/revoke-idle",
    response_model=list[int],
    summary="Revoke limits unused for the configured time",
)
def revoke_idle(
    body: RevokeIdleIn, session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> list[int]:
    """Cancel every idle limit now; answers the ids revoked."""
    return service.revoke_idle(
        session,
        principal=principal,
        today=business_today(),
        idle_days=body.idle_days or settings.limit_idle_days,
    )


@router.get("/api/v1/limits/{limit_id}", response_model=CreditLimitOut, summary="One limit")
def get_limit(limit_id: IdPath, session: SessionDep, principal: PrincipalDep) -> CreditLimitOut:
    """An exporter sees its own limits only."""
    return CreditLimitOut.of(service.get_limit(session, principal=principal, limit_id=limit_id))


@router.get(
    "/api/v1/limits/{limit_id}/versions",
    response_model=list[LimitVersionOut],
    summary="A limit's history",
)
def limit_versions(
    limit_id: IdPath, session: SessionDep, principal: PrincipalDep
) -> list[LimitVersionOut]:
    """Every version with its effective date, oldest first."""
    return [
        LimitVersionOut.of(v)
        for v in service.limit_history(session, principal=principal, limit_id=limit_id)
    ]


@router.get(
    "/api/v1/limits/{limit_id}/utilisation",
    response_model=UtilisationOut,
    summary="A limit's utilisation",
)
def limit_utilisation(
    limit_id: IdPath, session: SessionDep, principal: PrincipalDep
) -> UtilisationOut:
    """Approved, outstanding insured receivables, available amount and rate."""
    rows = service.utilisation(session, principal=principal, limit_id=limit_id)
    if not rows:
        from tradecover.kit.errors import Conflict

        raise Conflict(f"limit {limit_id} is not in force", code="limit_not_active")
    return UtilisationOut.of(rows[0])


def _change(
    limit_id: int,
    body: LimitChangeIn,
    kind: RequestType,
    session: SessionDep,
    principal: PrincipalDep,
) -> CreditLimitOut:
    row = service.get_limit(session, principal=principal, limit_id=limit_id)
    amount = Money.of(body.amount, row.currency) if body.amount is not None else None
    return CreditLimitOut.of(
        service.change_by_insurer(
            session,
            principal=principal,
            limit_id=limit_id,
            kind=kind,
            amount=amount,
            reason=body.reason,
            today=business_today(),
            effective_from=body.effective_from,
        )
    )


@router.post(
    "/api/v1/limits/{limit_id}/reduce",
    response_model=CreditLimitOut,
    summary="The insurer reduces a limit",
)
def reduce(
    limit_id: IdPath, body: LimitChangeIn, session: SessionDep, principal: PrincipalDep
) -> CreditLimitOut:
    """A new version from its effective date; the exporter is notified."""
    return _change(limit_id, body, RequestType.REDUCTION, session, principal)


@router.post(
    "/api/v1/limits/{limit_id}/cancel",
    response_model=CreditLimitOut,
    summary="The insurer cancels a limit",
)
def cancel(
    limit_id: IdPath, body: LimitChangeIn, session: SessionDep, principal: PrincipalDep
) -> CreditLimitOut:
    """A cancellation version; shipments already made keep their cover."""
    return _change(limit_id, body, RequestType.CANCELLATION, session, principal)


@router.get(
    "/api/v1/limit-notifications",
    response_model=Page[NotificationOut],
    summary="Notices of reduced or cancelled limits",
)
def notifications(
    session: SessionDep, principal: PrincipalDep, page: PageDep, unacknowledged: bool = False
) -> Page[NotificationOut]:
    """Newest first; an exporter sees its own."""
    rows, total = service.list_notifications(
        session,
        principal=principal,
        unacknowledged=unacknowledged,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[NotificationOut.of(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "/api/v1/limit-notifications/{notification_id}/acknowledge",
    response_model=NotificationOut,
    summary="Acknowledge a notice",
)
def acknowledge(
    notification_id: IdPath, session: SessionDep, principal: PrincipalDep
) -> NotificationOut:
    """The exporter confirms it has read the notice."""
    return NotificationOut.of(
        service.acknowledge(session, principal=principal, notification_id=notification_id)
    )


@router.get(
    "/api/v1/buyers/{buyer_id}/aggregate",
    response_model=AggregateOut,
    summary="A buyer's aggregate limit",
)
def get_aggregate(buyer_id: IdPath, session: SessionDep, principal: PrincipalDep) -> AggregateOut:
    """Suggested, override, aggregate, committed and room, in USD (insurer)."""
    return AggregateOut.of(service.get_aggregate(session, principal=principal, buyer_id=buyer_id))


@router.put(
    "/api/v1/buyers/{buyer_id}/aggregate",
    response_model=AggregateOut,
    summary="Override a buyer's aggregate limit",
)
def override_aggregate(
    buyer_id: IdPath, body: AggregateOverrideIn, session: SessionDep, principal: PrincipalDep
) -> AggregateOut:
    """Risk managers; ``amount: null`` goes back to the suggested figure."""
    amount = Money.of(body.amount, "USD") if body.amount is not None else None
    return AggregateOut.of(
        service.override_aggregate(
            session, principal=principal, buyer_id=buyer_id, amount=amount, reason=body.reason
        )
    )


@router.get(
    "/api/v1/limits/{limit_id}/decision.pdf",
    response_class=Response,
    responses=PDF_RESPONSES,
    summary="A limit's decision letter as a PDF",
)
def get_limit_decision_pdf(
    limit_id: IdPath,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangQuery = None,
) -> Response:
    """The decision in force on a limit, a registered document, in the reader's language
    (``lang``, else ``Accept-Language``); an exporter reads its own limits only.
    """
    locale = reader_locale(request, lang)
    name, content = service.limit_decision_pdf_of(
        session, principal=principal, limit_id=limit_id, locale=locale, translate=translator(locale)
    )
    return pdf_response(name, content)


router.include_router(proposals_router)

"""HTTP routes of policy administration: profile, applications, policies, endorsements,
renewal offers, termination, history and the two jobs.

The organisation always comes from the credential; an id of another organisation answers
404 exactly like a missing one.  Each request is one transaction (``SessionDep``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from tradecover import pricing, reporting
from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.api.pagination import Page, PageDep
from tradecover.api.pdf import PDF_RESPONSES, LangQuery, pdf_response, reader_locale, translator
from tradecover.kit.dates import business_today
from tradecover.kit.money import Money
from tradecover.policies import service
from tradecover.policies.application_schemas import (
    ApplicationIn,
    ApplicationOut,
    ExporterProfileIn,
    ExporterProfileOut,
)
from tradecover.policies.liability import liability_for_shipment
from tradecover.policies.lifecycle import PolicyState
from tradecover.policies.lifecycle_schemas import (
    EndorsementIn,
    JobIn,
    ReviseIn,
    TerminateIn,
    UnderwriteIn,
)
from tradecover.policies.record_schemas import (
    EndorsementOut,
    HistoryEntryOut,
    JobOut,
    LiabilityOut,
    RenewalOfferOut,
    RenewalRateIn,
)
from tradecover.policies.renewal import decide_renewal_rate as decide_rate
from tradecover.policies.repository import renewal_chain_length
from tradecover.policies.schemas import PolicyOut, ReasonIn
from tradecover.policies.standing import standing_of

router = APIRouter(prefix="/api/v1", tags=["policies"])

Id = Annotated[int, Path(ge=1, le=2**63 - 1, description="Numeric id")]


# --- exporter profile --------------------------------------------------------------------


@router.get(
    "/exporters/{org_id}/profile",
    response_model=ExporterProfileOut,
    summary="An exporter's profile",
)
def get_profile(org_id: Id, session: SessionDep, principal: PrincipalDep) -> ExporterProfileOut:
    """Export history, products, destinations and main buyers of an exporter."""
    return ExporterProfileOut.of(
        service.get_exporter_profile(session, principal=principal, org_id=org_id)
    )


@router.put(
    "/exporters/{org_id}/profile",
    response_model=ExporterProfileOut,
    summary="Create or replace an exporter's profile",
)
def put_profile(
    org_id: Id, body: ExporterProfileIn, session: SessionDep, principal: PrincipalDep
) -> ExporterProfileOut:
    """The exporter keeps its own profile; underwriters may update it too."""
    profile = service.upsert_exporter_profile(
        session, principal=principal, org_id=org_id, **body.service_kwargs()
    )
    return ExporterProfileOut.of(profile)


# --- applications ------------------------------------------------------------------------


@router.get("/applications", response_model=Page[ApplicationOut], summary="Applications")
def list_applications(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    status: Literal["submitted", "underwritten", "declined"] | None = None,
    exporter: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> Page[ApplicationOut]:
    """Applications the caller may see, newest first."""
    rows, total = service.list_applications(
        session,
        principal=principal,
        status=status,
        exporter_org_id=exporter,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[ApplicationOut.of(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "/applications", response_model=ApplicationOut, status_code=201, summary="Apply for a policy"
)
def submit_application(
    body: ApplicationIn, session: SessionDep, principal: PrincipalDep
) -> ApplicationOut:
    """An exporter applies for itself; insurer staff may file for an exporter."""
    org_id = body.exporter_org_id if body.exporter_org_id is not None else principal.org_id
    app = service.submit_application(
        session,
        principal=principal,
        exporter_org_id=org_id,
        product=body.product,
        currency=body.currency,
        expected_turnover=Money.of(body.expected_turnover, body.currency),
        requested_inception=body.requested_inception,
        destination_countries=body.destination_countries,
        payment_terms=body.payment_terms,
        max_credit_days=body.max_credit_days,
        hs_chapters=body.hs_chapters,
        notes=body.notes,
    )
    return ApplicationOut.of(app)


@router.get(
    "/applications/{application_id}", response_model=ApplicationOut, summary="One application"
)
def get_application(
    application_id: Id, session: SessionDep, principal: PrincipalDep
) -> ApplicationOut:
    """An application the caller may see."""
    return ApplicationOut.of(
        service.get_application(session, principal=principal, application_id=application_id)
    )


@router.post(
    "/applications/{application_id}/decline",
    response_model=ApplicationOut,
    summary="Decline an application",
)
def decline_application(
    application_id: Id, body: ReasonIn, session: SessionDep, principal: PrincipalDep
) -> ApplicationOut:
    """The insurer declines an open application."""
    return ApplicationOut.of(
        service.decline_application(
            session, principal=principal, application_id=application_id, reason=body.reason
        )
    )


@router.post(
    "/applications/{application_id}/underwrite",
    response_model=PolicyOut,
    status_code=201,
    summary="Underwrite an application into a draft policy",
)
def underwrite(
    application_id: Id, body: UnderwriteIn, session: SessionDep, principal: PrincipalDep
) -> PolicyOut:
    """Set the schedule; the policy starts as a draft for one year from ``inception``."""
    policy = service.underwrite(
        session,
        principal=principal,
        application_id=application_id,
        schedule=body.schedule.to_schedule(),
        inception=body.inception,
    )
    return PolicyOut.of(policy)


# --- jobs (declared before /policies/{id} routes) -----------------------------------------


@router.post("/policies/jobs/expire", response_model=JobOut, summary="Job: expire due policies")
def job_expire(body: JobIn, session: SessionDep, principal: PrincipalDep) -> JobOut:
    """End policies whose term is over and apply scheduled cancellations (idempotent)."""
    today = body.today or business_today()
    done = service.expire_due(session, principal=principal, today=today)
    return JobOut(today=today, processed=done)


@router.post(
    "/policies/jobs/offer-renewals",
    response_model=JobOut,
    summary="Job: offer renewal to due policies",
)
def job_offer_renewals(body: JobIn, session: SessionDep, principal: PrincipalDep) -> JobOut:
    """Offer renewal to every policy within 30 days of expiry (idempotent)."""
    today = body.today or business_today()
    done = service.offer_due_renewals(
        session,
        principal=principal,
        today=today,
        metrics_source=reporting.RenewalReviewMetrics(session),
        reprice=pricing.renewal_repricer(session, years_insured=renewal_chain_length),
    )
    return JobOut(today=today, processed=done)


# --- policies ----------------------------------------------------------------------------


@router.get("/policies", response_model=Page[PolicyOut], summary="Policies")
def list_policies(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    state: PolicyState | None = None,
    exporter: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    q: Annotated[str | None, Query(max_length=100, description="Number or exporter")] = None,
) -> Page[PolicyOut]:
    """Policies the caller may see, newest first."""
    rows, total = service.list_policies(
        session,
        principal=principal,
        state=state,
        exporter_org_id=exporter,
        search=q,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[PolicyOut.of(r) for r in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/policies/{policy_id}", response_model=PolicyOut, summary="One policy")
def get_policy(policy_id: Id, session: SessionDep, principal: PrincipalDep) -> PolicyOut:
    """A policy with its schedule and the liability guidance."""
    return PolicyOut.of(service.get_policy(session, principal=principal, policy_id=policy_id))


@router.put(
    "/policies/{policy_id}/schedule",
    response_model=PolicyOut,
    summary="Revise the schedule of a draft or quoted policy",
)
def revise_schedule(
    policy_id: Id, body: ReviseIn, session: SessionDep, principal: PrincipalDep
) -> PolicyOut:
    """A quoted policy goes back to draft."""
    return PolicyOut.of(
        service.revise_schedule(
            session,
            principal=principal,
            policy_id=policy_id,
            schedule=body.schedule.to_schedule(),
            reason=body.reason,
        )
    )


@router.post("/policies/{policy_id}/quote", response_model=PolicyOut, summary="Quote")
def quote(policy_id: Id, session: SessionDep, principal: PrincipalDep) -> PolicyOut:
    """Offer the draft's terms to the exporter."""
    return PolicyOut.of(service.quote(session, principal=principal, policy_id=policy_id))


@router.post(
    "/policies/{policy_id}/withdraw",
    response_model=PolicyOut,
    summary="Withdraw a draft or quotation",
)
def withdraw(
    policy_id: Id, body: ReasonIn, session: SessionDep, principal: PrincipalDep
) -> PolicyOut:
    """The insurer withdraws terms that were not accepted."""
    return PolicyOut.of(
        service.withdraw(session, principal=principal, policy_id=policy_id, reason=body.reason)
    )


@router.post("/policies/{policy_id}/issue", response_model=PolicyOut, summary="Issue")
def issue(policy_id: Id, session: SessionDep, principal: PrincipalDep) -> PolicyOut:
    """The exporter accepts the quote (or an underwriter issues on its written acceptance)."""
    return PolicyOut.of(
        service.issue(session, principal=principal, policy_id=policy_id, today=business_today())
    )


@router.post("/policies/{policy_id}/suspend", response_model=PolicyOut, summary="Suspend")
def suspend(
    policy_id: Id, body: ReasonIn, session: SessionDep, principal: PrincipalDep
) -> PolicyOut:
    """Stop accepting declarations (e.g. long premium arrears)."""
    return PolicyOut.of(
        service.suspend(
            session,
            principal=principal,
            policy_id=policy_id,
            reason=body.reason,
            today=business_today(),
        )
    )


@router.post("/policies/{policy_id}/reinstate", response_model=PolicyOut, summary="Reinstate")
def reinstate(
    policy_id: Id, body: ReasonIn, session: SessionDep, principal: PrincipalDep
) -> PolicyOut:
    """Put a suspended policy back in force."""
    return PolicyOut.of(
        service.reinstate(
            session,
            principal=principal,
            policy_id=policy_id,
            reason=body.reason,
            today=business_today(),
        )
    )


@router.get(
    "/policies/{policy_id}/endorsements",
    response_model=list[EndorsementOut],
    summary="Endorsements",
)
def list_endorsements(
    policy_id: Id, session: SessionDep, principal: PrincipalDep
) -> list[EndorsementOut]:
    """A policy's endorsements in number order."""
    return [
        EndorsementOut.of(e)
        for e in service.list_endorsements(session, principal=principal, policy_id=policy_id)
    ]


@router.post(
    "/policies/{policy_id}/endorsements",
    response_model=EndorsementOut,
    status_code=201,
    summary="Add an endorsement",
)
def add_endorsement(
    policy_id: Id, body: EndorsementIn, session: SessionDep, principal: PrincipalDep
) -> EndorsementOut:
    """A numbered special provision, effective within the term."""
    return EndorsementOut.of(
        service.add_endorsement(
            session,
            principal=principal,
            policy_id=policy_id,
            text=body.text,
            effective_date=body.effective_date,
        )
    )


@router.get(
    "/policies/{policy_id}/renewal-offers",
    response_model=list[RenewalOfferOut],
    summary="Renewal offers",
)
def list_renewal_offers(
    policy_id: Id, session: SessionDep, principal: PrincipalDep
) -> list[RenewalOfferOut]:
    """A policy's renewal offers, oldest first."""
    return [
        RenewalOfferOut.of(o)
        for o in service.list_renewal_offers(session, principal=principal, policy_id=policy_id)
    ]


@router.post(
    "/policies/{policy_id}/renewal-offers",
    response_model=RenewalOfferOut,
    status_code=201,
    summary="Review the term and offer renewal",
)
def offer_renewal(policy_id: Id, session: SessionDep, principal: PrincipalDep) -> RenewalOfferOut:
    """Within 30 days before expiry: the review metrics and the proposed terms."""
    return RenewalOfferOut.of(
        service.offer_renewal(
            session,
            principal=principal,
            policy_id=policy_id,
            today=business_today(),
            metrics_source=reporting.RenewalReviewMetrics(session),
            reprice=pricing.renewal_repricer(session, years_insured=renewal_chain_length),
        )
    )


@router.get(
    "/renewal-offers/{offer_id}", response_model=RenewalOfferOut, summary="One renewal offer"
)
def get_renewal_offer(
    offer_id: Id, session: SessionDep, principal: PrincipalDep
) -> RenewalOfferOut:
    """A renewal offer the caller may see."""
    return RenewalOfferOut.of(
        service.get_renewal_offer(session, principal=principal, offer_id=offer_id)
    )


@router.post(
    "/renewal-offers/{offer_id}/rate",
    response_model=RenewalOfferOut,
    summary="Accept or override the proposed renewal rate",
)
def decide_renewal_rate(
    offer_id: Id, body: RenewalRateIn, session: SessionDep, principal: PrincipalDep
) -> RenewalOfferOut:
    """``{"accept": true}`` or ``{"rate": "0.0085", "reason": "..."}`` (a reason is
    required to override).
    """
    return RenewalOfferOut.of(
        decide_rate(
            session,
            principal=principal,
            offer_id=offer_id,
            accept=body.accept,
            rate=Decimal(body.rate) if body.rate is not None else None,
            reason=body.reason if not body.accept else None,
        )
    )


@router.post(
    "/renewal-offers/{offer_id}/accept", response_model=PolicyOut, summary="Accept a renewal offer"
)
def accept_renewal(offer_id: Id, session: SessionDep, principal: PrincipalDep) -> PolicyOut:
    """Returns the renewal policy (active from the day after expiry)."""
    return PolicyOut.of(
        service.accept_renewal(
            session, principal=principal, offer_id=offer_id, today=business_today()
        )
    )


@router.post(
    "/renewal-offers/{offer_id}/decline",
    response_model=RenewalOfferOut,
    summary="Decline a renewal offer",
)
def decline_renewal(
    offer_id: Id, body: ReasonIn, session: SessionDep, principal: PrincipalDep
) -> RenewalOfferOut:
    """The policy then runs to expiry and does not renew."""
    return RenewalOfferOut.of(
        service.decline_renewal(session, principal=principal, offer_id=offer_id, reason=body.reason)
    )


@router.post(
    "/policies/{policy_id}/terminate", response_model=PolicyOut, summary="Terminate a policy"
)
def terminate(
    policy_id: Id, body: TerminateIn, session: SessionDep, principal: PrincipalDep
) -> PolicyOut:
    """Cancel, give notice of non-renewal, or rescind for fraud ([domain P-10])."""
    return PolicyOut.of(
        service.terminate(
            session,
            principal=principal,
            policy_id=policy_id,
            kind=body.kind,
            reason=body.reason,
            effective_date=body.effective_date,
            today=business_today(),
        )
    )


@router.get(
    "/policies/{policy_id}/liability",
    response_model=LiabilityOut,
    summary="Whether the policy still carries a shipment of a date",
)
def liability(
    policy_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    shipment_date: Annotated[date, Query(description="the shipment date")],
) -> LiabilityOut:
    """The liability rule (expiry, non-renewal, cancellation, rescission for fraud,
    suspension, reinstatement) applied to a shipment date, with the dates it compared.
    """
    policy = service.get_policy(session, principal=principal, policy_id=policy_id)
    ruling = liability_for_shipment(standing_of(policy), shipment_date=shipment_date)
    return LiabilityOut.of(policy.id, shipment_date, ruling)


@router.get(
    "/policies/{policy_id}/history",
    response_model=list[HistoryEntryOut],
    summary="A policy's history",
)
def history(policy_id: Id, session: SessionDep, principal: PrincipalDep) -> list[HistoryEntryOut]:
    """Every audited change of the policy, oldest first."""
    return [
        HistoryEntryOut.of(e)
        for e in service.policy_history(session, principal=principal, policy_id=policy_id)
    ]


@router.get(
    "/policies/{policy_id}/schedule.pdf",
    response_class=Response,
    responses=PDF_RESPONSES,
    summary="A policy's schedule as a PDF",
)
def get_schedule_pdf(
    policy_id: Id,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangQuery = None,
) -> Response:
    """The policy schedule, a registered document with its number, in the reader's language
    (``lang``, else ``Accept-Language``); read as the policy is.
    """
    locale = reader_locale(request, lang)
    name, content = service.schedule_pdf_of(
        session,
        principal=principal,
        policy_id=policy_id,
        locale=locale,
        translate=translator(locale),
    )
    return pdf_response(name, content)


@router.get(
    "/policies/{policy_id}/endorsements/{number}.pdf",
    response_class=Response,
    responses=PDF_RESPONSES,
    summary="An endorsement as a PDF",
)
def get_endorsement_pdf(
    policy_id: Id,
    number: Annotated[int, Path(ge=1, le=2**31 - 1, description="Endorsement number")],
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangQuery = None,
) -> Response:
    """Endorsement ``number`` of a policy, a registered document, in the reader's language;
    404 for an endorsement the policy does not have.
    """
    locale = reader_locale(request, lang)
    name, content = service.endorsement_pdf_of(
        session,
        principal=principal,
        policy_id=policy_id,
        number=number,
        locale=locale,
        translate=translator(locale),
    )
    return pdf_response(name, content)

"""The registered documents as PDF downloads from the pages that show their subject.

Each route answers the PDF in the reader's language (the language chosen on the
dashboard), numbered and recorded in the document registry [domain DOC-1]; it is read as
its subject is (another organisation's subject answers the 404 page), and signed-out
visitors are sent to sign in.  The premium notice and the claim decision have their own
routes on the billing and claims pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from tradecover import billing, claims, limits, policies
from tradecover.access import Principal
from tradecover.api.pagination import IdPath
from tradecover.api.pdf import pdf_response
from tradecover.kit.errors import DomainError
from tradecover.web import i18n
from tradecover.web.kit import SessionDep, choose_locale, current_viewer, error_page, to_sign_in

router = APIRouter(include_in_schema=False)

EndorsementNumber = Annotated[int, Path(ge=1, le=2**31 - 1)]
Issue = Callable[[Principal, str, Callable[[str], str]], tuple[str, bytes]]


def _download(request: Request, session: SessionDep, issue: Issue) -> Response:
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    locale = choose_locale(request, viewer)
    try:
        name, content = issue(viewer.principal, locale, i18n.translations(locale).gettext)
    except DomainError as error:
        return error_page(request, locale, viewer, error.status)
    return pdf_response(name, content)


@router.get("/policies/{policy_id}/schedule.pdf", response_model=None)
def schedule_pdf(policy_id: IdPath, request: Request, session: SessionDep) -> Response:
    """The policy schedule as a PDF download."""
    return _download(
        request,
        session,
        lambda principal, locale, translate: policies.schedule_pdf_of(
            session, principal=principal, policy_id=policy_id, locale=locale, translate=translate
        ),
    )


@router.get("/policies/{policy_id}/endorsements/{number}.pdf", response_model=None)
def endorsement_pdf(
    policy_id: IdPath, number: EndorsementNumber, request: Request, session: SessionDep
) -> Response:
    """One endorsement of a policy as a PDF download."""
    return _download(
        request,
        session,
        lambda principal, locale, translate: policies.endorsement_pdf_of(
            session,
            principal=principal,
            policy_id=policy_id,
            number=number,
            locale=locale,
            translate=translate,
        ),
    )


@router.get("/limits/{limit_id}/decision.pdf", response_model=None)
def limit_decision_pdf(limit_id: IdPath, request: Request, session: SessionDep) -> Response:
    """The decision letter of a credit limit as a PDF download."""
    return _download(
        request,
        session,
        lambda principal, locale, translate: limits.limit_decision_pdf_of(
            session, principal=principal, limit_id=limit_id, locale=locale, translate=translate
        ),
    )


@router.get("/billing/notices/{notice_id}/subsidy.pdf", response_model=None)
def subsidy_statement_pdf(notice_id: IdPath, request: Request, session: SessionDep) -> Response:
    """The subsidy statement of a premium notice as a PDF download."""
    return _download(
        request,
        session,
        lambda principal, locale, translate: billing.subsidy_statement_pdf_of(
            session, principal=principal, notice_id=notice_id, locale=locale, translate=translate
        ),
    )


@router.get("/claims/{claim_id}/recoveries.pdf", response_model=None)
def recovery_statement_pdf(claim_id: IdPath, request: Request, session: SessionDep) -> Response:
    """The recovery statement of a claim as a PDF download."""
    return _download(
        request,
        session,
        lambda principal, locale, translate: claims.recovery_statement_pdf_of(
            session, principal=principal, claim_id=claim_id, locale=locale, translate=translate
        ),
    )

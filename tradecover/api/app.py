"""The FastAPI application factory: routers of every bounded context, errors, limits."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tradecover import __version__
from tradecover.access.known_keys import KnownApiKeys
from tradecover.api import consent_reads, methods, problems
from tradecover.api import docs as api_docs
from tradecover.api.headers import SecurityHeaders
from tradecover.api.hygiene import refuse_unsafe_input
from tradecover.api.openapi_conformance import conform
from tradecover.api.public_text import public_document
from tradecover.config import Settings, get_settings
from tradecover.db.engine import make_engine, make_session_factory
from tradecover.declarations import upload as upload_reader
from tradecover.declarations.erp_endpoint import ErpDeclarations
from tradecover.web.security import CsrfProtection
from tradecover.wiring import register_job_kinds, store_for

API_DESCRIPTION = """
tradecover: short-term export credit insurance, from application to claim.

Authenticate with an `X-API-Key` header (systems) or an OAuth2 bearer token from
`POST /api/v1/auth/token` (people). Every answer is scoped to the caller's
organisation. Errors are RFC 9457 `application/problem+json` with a stable `code`.
"""


class BodySizeLimit:
    """Refuse request bodies over ``max_bytes`` with 413 before they reach a route.

    ``uploads`` widens the limit for the paths it matches (claim documents: the document
    limit plus room for the multipart framing); a body over it is refused as
    ``document_too_large`` naming the field ``file``.
    """

    def __init__(
        self, app: ASGIApp, max_bytes: int, uploads: tuple[re.Pattern[str], int] | None = None
    ) -> None:
        self.app, self.max_bytes, self.uploads = app, max_bytes, uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count the streamed bytes."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = self.uploads is not None and bool(self.uploads[0].match(scope["path"]))
        limit = self.uploads[1] if upload and self.uploads is not None else self.max_bytes
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(send, limit, upload)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(send, limit, upload)

    async def _refuse(self, send: Send, limit: int, upload: bool) -> None:
        response = problems.problem_response(
            status=413,
            code="document_too_large" if upload else "payload_too_large",
            field="file" if upload else None,
            detail=f"request body exceeds {limit} bytes",
        )
        await send({"type": "http.response.start", "status": 413, "headers": response.raw_headers})
        await send({"type": "http.response.body", "body": response.body})


class _TooLarge(Exception):
    pass


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application for ``settings`` (default: from the environment)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="tradecover",
        version=__version__,
        description=API_DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        responses=problems.PROBLEM_RESPONSES,
        dependencies=[Depends(refuse_unsafe_input)],  # query, path, header, form text
    )
    engine = make_engine(
        settings.database_url,
        echo=settings.sql_echo,
        connect_timeout_s=settings.db_connect_timeout_seconds,
        pool_timeout_s=settings.db_pool_timeout_seconds,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.known_api_keys = KnownApiKeys()
    app.state.attachment_store = store_for(engine)  # THE attachment store of the database
    register_job_kinds()
    problems.install(app)
    consent_reads.install(app)
    app.router.on_startup.append(upload_reader.start_parsers)
    app.state.problem_page = _problem_page()  # browsers get the HTML error page
    methods.install(app)  # 405 with the resource's Allow header
    _install_refusal_pages(app)
    on_postgresql = engine.dialect.name == "postgresql"
    # innermost first: the page forms' CSRF check, the ERP route, the body limit, headers
    app.add_middleware(CsrfProtection, signing_key=settings.signing_key, secure=settings.behind_tls)
    app.add_middleware(
        ErpDeclarations,
        known=app.state.known_api_keys if on_postgresql else None,
        factory=app.state.session_factory,
        store=app.state.attachment_store,
    )
    from tradecover.claims.documents.api import MULTIPART_ALLOWANCE, UPLOAD_PATH

    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        uploads=(
            UPLOAD_PATH,
            max(settings.max_body_bytes, settings.claim_document_max_bytes + MULTIPART_ALLOWANCE),
        ),
    )
    api_docs.install(app)
    app.add_middleware(
        SecurityHeaders,
        docs_paths=(api_docs.DOCS, api_docs.OAUTH2_REDIRECT),
        behind_tls=settings.behind_tls,
    )  # the outer one

    @app.get("/health", tags=["service"], summary="Liveness and database check")
    def health() -> dict[str, Any]:
        from sqlalchemy import text

        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    for router in _routers():
        app.include_router(router)
    app.webhooks.include_router(_webhook_definitions())
    _add_problem_schema(app)
    return app


def _problem_page() -> problems.ProblemPage:
    from tradecover.web.error_pages import problem_page

    return problem_page


def _webhook_definitions() -> Any:
    from tradecover.webhooks.api import definitions

    return definitions


def _routers() -> list[Any]:
    from tradecover.access.api import router as access_router
    from tradecover.api.audit_log import router as audit_router
    from tradecover.billing.api import router as billing_router
    from tradecover.buyers.api import router as buyers_router
    from tradecover.claims.api import router as claims_router
    from tradecover.claims.documents.api import router as claim_documents_router
    from tradecover.claims.investment_debt.api import router as investment_debt_claims_router
    from tradecover.coinsurance.api import router as coinsurance_router
    from tradecover.collections.api import router as collections_router
    from tradecover.consents.api import router as consents_router
    from tradecover.consents.api import sharing_router as data_sharing_router
    from tradecover.country_risk.api import router as country_risk_router
    from tradecover.declarations.api import router as declarations_router
    from tradecover.documents.api import router as documents_router
    from tradecover.feeds.api import router as feeds_router
    from tradecover.financing.api import router as financing_router
    from tradecover.jobs.api import router as jobs_router
    from tradecover.ledger.api import router as ledger_router
    from tradecover.limits.api import router as limits_router
    from tradecover.market.api import router as market_router
    from tradecover.policies.api import router as policies_router
    from tradecover.policies.attachment_api import router as attachment_terms_router
    from tradecover.policies.investment_debt_api import router as investment_debt_router
    from tradecover.policies.investment_debt_api import schedule_router as premium_schedule_router
    from tradecover.premium_waivers.api import router as premium_waivers_router
    from tradecover.pricing.api import router as pricing_router
    from tradecover.reference.api import router as reference_router
    from tradecover.reporting.api import router as books_check_router
    from tradecover.reporting.api import subsidies_router as statements_router
    from tradecover.risk.api import router as risk_router
    from tradecover.subsidies.api import router as subsidies_router
    from tradecover.web.access.pages import router as access_pages_router
    from tradecover.web.billing.pages import router as billing_pages_router
    from tradecover.web.claims.documents_pages import router as claim_documents_pages_router
    from tradecover.web.claims.overdue_pages import router as overdue_pages_router
    from tradecover.web.claims.pages import router as claims_pages_router
    from tradecover.web.consents.pages import router as consents_pages_router
    from tradecover.web.declarations.pages import router as declarations_pages_router
    from tradecover.web.documents.pages import router as document_pages_router
    from tradecover.web.documents.pdf_pages import router as document_pdf_pages_router
    from tradecover.web.feeds.pages import router as feeds_pages_router
    from tradecover.web.home.pages import router as home_pages_router
    from tradecover.web.job_pages.pages import router as jobs_pages_router
    from tradecover.web.limits.pages import router as limits_pages_router
    from tradecover.web.limits.tracking_pages import router as limit_tracking_pages_router
    from tradecover.web.mail.pages import router as mail_pages_router
    from tradecover.web.policies.pages import router as policies_pages_router
    from tradecover.web.pricing.pages import router as pricing_pages_router
    from tradecover.web.registers.pages import router as registers_pages_router
    from tradecover.web.risk.pages import router as risk_pages_router
    from tradecover.web.webhooks.pages import router as webhooks_pages_router
    from tradecover.webhooks.api import router as webhooks_router

    # the ERP declarations first: routes are matched in order, and theirs is the hottest
    return [
        declarations_router,
        access_router,
        audit_router,
        reference_router,
        country_risk_router,
        policies_router,
        attachment_terms_router,
        pricing_router,
        premium_schedule_router,
        access_pages_router,
        home_pages_router,
        policies_pages_router,
        pricing_pages_router,
        buyers_router,
        limits_router,
        risk_router,
        risk_pages_router,
        billing_router,
        subsidies_router,
        statements_router,
        ledger_router,
        books_check_router,
        billing_pages_router,
        declarations_pages_router,
        collections_router,
        claims_router,
        limit_tracking_pages_router,
        limits_pages_router,
        registers_pages_router,
        overdue_pages_router,
        claims_pages_router,
        investment_debt_router,
        investment_debt_claims_router,
        premium_waivers_router,
        coinsurance_router,
        market_router,
        financing_router,
        claim_documents_router,
        claim_documents_pages_router,
        feeds_router,
        consents_router,
        data_sharing_router,
        consents_pages_router,
        feeds_pages_router,
        webhooks_router,
        webhooks_pages_router,
        jobs_router,
        jobs_pages_router,
        mail_pages_router,
        document_pages_router,
        document_pdf_pages_router,
        documents_router,
    ]


def _install_refusal_pages(app: FastAPI) -> None:
    """Refused text (``kit.text.UnsafeText``) on a dashboard page answers its error page;
    on the API, problem+json like every domain error.
    """
    from tradecover.kit.text import UnsafeText

    @app.exception_handler(UnsafeText)
    async def _refused(request: Request, exc: UnsafeText) -> Response:
        if request.url.path.startswith("/api/"):
            return problems.response_for(exc)
        from tradecover.web.refusals import refusal_page

        return refusal_page(request, exc)


def _add_problem_schema(app: FastAPI) -> None:
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        problem = problems.Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in problem.pop("$defs", {}).items():
            components.setdefault(name, sub)
        components.setdefault("Problem", problem)
        app.openapi_schema = public_document(conform(schema))
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

"""Dashboard pages: sign-in, the policy list and a policy, in the reader's language.

Server-rendered Jinja2 pages on the same application as the API.  A person signs in
with e-mail and password; the access token travels in the ``tc_session`` cookie
(HttpOnly, SameSite=Lax, Secure behind TLS), which :func:`tradecover.api.deps.get_principal`
also reads; it names a server-side session that signing out ends.
Every read goes through the policies service, which scopes exporters to their own
policies; an id of another organisation renders the same 404 page as a missing one.
Assets are served from ``/static`` out of this package: no CDN, no external fonts.

Language: a signed-in person's ``users.locale`` wins; otherwise the ``tc_locale``
cookie, then the browser's ``Accept-Language``, then the configured default.  Choosing
a language writes both the cookie and (when signed in) the user row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.access import service as access
from tradecover.access import sessions
from tradecover.access.model import Organisation, User
from tradecover.access.principal import Principal
from tradecover.access.roles import OrganisationKind
from tradecover.api.deps import SessionDep
from tradecover.config import Settings
from tradecover.kit.dates import business_today
from tradecover.kit.errors import (
    AuthenticationFailed,
    DomainError,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
)
from tradecover.policies import service as policies
from tradecover.policies.lifecycle import PolicyState
from tradecover.web import i18n, investment_debt_views, labels, views

SESSION_COOKIE = "tc_session"
LOCALE_COOKIE = i18n.LOCALE_COOKIE
LOCALE_COOKIE_MAX_AGE = 365 * 24 * 3600
PAGE_SIZE = 25
MAX_SEARCH = 100
STATIC_DIR = i18n.TEMPLATE_DIR.parent / "static"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

router = APIRouter(include_in_schema=False)
router.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person looking at a page."""

    principal: Principal
    user: User
    organisation: Organisation

    @property
    def role_label(self) -> str:
        """The person's role in words (translated by the template)."""
        return labels.label(labels.ROLES, self.principal.role.value)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _viewer(request: Request, session: Session) -> Viewer | None:
    """The person signed in with the session cookie, or None (no, bad or expired token)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        principal = access.principal_from_token(session, token,
                                                key=_settings(request).signing_key())
    except AuthenticationFailed:
        return None
    user = session.get(User, principal.user_id)
    org = session.get(Organisation, principal.org_id)
    if user is None or org is None:
        return None
    return Viewer(principal=principal, user=user, organisation=org)


def choose_locale(request: Request, viewer: Viewer | None) -> str:
    """The language of this page (see the module docstring for the order)."""
    if viewer is not None and viewer.user.locale in i18n.LOCALES:
        return viewer.user.locale
    return (i18n.normalise(request.cookies.get(LOCALE_COOKIE))
            or i18n.from_accept_language(request.headers.get("accept-language"))
            or i18n.normalise(_settings(request).default_locale)
            or i18n.DEFAULT_LOCALE)


def _safe_next(target: str | None, default: str = "/policies") -> str:
    """A local path to go back to; anything else (other hosts, ``//x``) becomes ``default``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def _page(request: Request, locale: str, template: str, context: dict[str, Any], *,
          viewer: Viewer | None, status: int = 200) -> HTMLResponse:
    context = {"request_path": request.url.path, "current_url": _current_url(request),
               "viewer": viewer, "labels": labels, **context}
    return HTMLResponse(i18n.render(locale, template, context), status_code=status,
                            headers=SECURITY_HEADERS)


def _current_url(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _redirect(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})


def _to_sign_in(request: Request) -> RedirectResponse:
    return _redirect("/sign-in?" + urlencode({"next": _current_url(request)}))


def _error_page(request: Request, locale: str, viewer: Viewer | None, status: int
                ) -> HTMLResponse:
    return _page(request, locale, "error.html", {"status": status}, viewer=viewer,
                 status=status)


@router.get("/", response_model=None)
def home(request: Request, session: SessionDep) -> Response:
    """Go to the policy list when signed in, otherwise to the sign-in page."""
    return _redirect("/policies" if _viewer(request, session) else "/sign-in")


@router.get("/sign-in", response_model=None)
def sign_in_form(request: Request, session: SessionDep,
                 next: Annotated[str | None, Query(max_length=2000)] = None) -> Response:
    """The sign-in form (signed-in visitors go straight on)."""
    viewer = _viewer(request, session)
    if viewer is not None:
        return _redirect(_safe_next(next))
    locale = choose_locale(request, None)
    return _page(request, locale, "sign_in.html",
                 {"error": None, "email": "", "next": _safe_next(next)}, viewer=None)


@router.post("/sign-in", response_model=None)
def sign_in(
    request: Request, session: SessionDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check e-mail and password under the sign-in throttles; on success start a session,
    set its cookie and go on. A locked account or address gets the page back with 429.
    """
    settings = _settings(request)
    ttl = timedelta(minutes=settings.token_ttl_minutes)
    error: DomainError
    if not email.strip() or not password:
        error = AuthenticationFailed("e-mail and password are required",
                                     code="invalid_credentials")
    else:
        outcome = sessions.attempt_sign_in(
            session, email=email, password=password,
            client_address=request.client.host if request.client else None,
            user_agent=request.headers.get("user-agent"), key=settings.signing_key(), ttl=ttl,
            limits=sessions.sign_in_limits(settings))
        if outcome.refusal is None:
            assert outcome.user is not None
            assert outcome.token is not None
            return _signed_in(outcome.user, outcome.token, ttl=ttl, next=next,
                              secure=settings.behind_tls)
        session.commit()  # the failure counters and lockout entries outlive the refusal
        error = outcome.refusal
    locale = choose_locale(request, None)
    locked = isinstance(error, TooManyAttempts)
    message = (i18n.N_("Too many failed sign-ins. Please try again in a few minutes.")
               if locked else i18n.N_("Wrong e-mail or password."))
    page = _page(request, locale, "sign_in.html",
                 {"error": message, "email": email.strip(), "next": _safe_next(next)},
                 viewer=None, status=error.status if locked else 400)
    if isinstance(error, TooManyAttempts):
        page.headers["Retry-After"] = str(error.retry_after)
    return page


def _signed_in(user: User, token: str, *, ttl: timedelta, next: str, secure: bool) -> Response:
    response = _redirect(_safe_next(next))
    response.set_cookie(SESSION_COOKIE, token, max_age=int(ttl.total_seconds()), path="/",
                        httponly=True, samesite="lax", secure=secure)
    if user.locale in i18n.LOCALES:
        response.set_cookie(LOCALE_COOKIE, user.locale, max_age=LOCALE_COOKIE_MAX_AGE,
                            path="/", httponly=True, samesite="lax", secure=secure)
    return response


@router.post("/sign-out", response_model=None)
def sign_out(request: Request, session: SessionDep) -> Response:
    """End the session (its token stops working everywhere) and forget its cookie (the
    language cookie stays).
    """
    viewer = _viewer(request, session)
    if viewer is not None and viewer.principal.session_id is not None:
        sessions.revoke_session(session, principal=viewer.principal,
                                session_id=viewer.principal.session_id, reason="signed out")
    response = _redirect("/sign-in")
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=_settings(request).behind_tls)
    return response


@router.post("/language", response_model=None)
def choose_language(
    request: Request, session: SessionDep,
    locale: Annotated[str, Form(max_length=16)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Remember the chosen language in a cookie and, when signed in, in the user row."""
    code = locale if locale in i18n.LOCALES else None
    target = _safe_next(next, default="/")
    response = _redirect(target)
    if code is None:
        return response
    viewer = _viewer(request, session)
    if viewer is not None:
        access.set_locale(session, principal=viewer.principal, locale=code)
    response.set_cookie(LOCALE_COOKIE, code, max_age=LOCALE_COOKIE_MAX_AGE, path="/",
                        httponly=True, samesite="lax", secure=_settings(request).behind_tls)
    return response


def _exporter_names(session: Session, org_ids: set[int]) -> dict[int, str]:
    if not org_ids:
        return {}
    rows = session.execute(select(Organisation.id, Organisation.name)
                           .where(Organisation.id.in_(org_ids)))
    return {row.id: row.name for row in rows}


def _exporters(session: Session) -> list[tuple[int, str]]:
    rows = session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.kind == OrganisationKind.EXPORTER.value)
        .order_by(Organisation.name, Organisation.id))
    return [(row.id, row.name) for row in rows]


@router.get("/policies", response_model=None)
def policy_list(
    request: Request, session: SessionDep,
    state: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=MAX_SEARCH)] = None,
    exporter: Annotated[str | None, Query(max_length=20)] = None,
    page: Annotated[str | None, Query(max_length=9)] = None,
) -> Response:
    """The policies the signed-in person may see: filter by state, search, page."""
    viewer = _viewer(request, session)
    if viewer is None:
        return _to_sign_in(request)
    locale = choose_locale(request, viewer)
    principal = viewer.principal
    chosen_state = PolicyState(state) if state in {s.value for s in PolicyState} else None
    search = (q or "").strip() or None
    exporter_id = int(exporter) if principal.is_insurer and exporter and exporter.isdigit() \
        else None
    page_no = max(1, int(page)) if page and page.isdigit() else 1
    try:
        rows, total = policies.list_policies(
            session, principal=principal, state=chosen_state, exporter_org_id=exporter_id,
            search=search, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
    except PermissionDenied:
        return _error_page(request, locale, viewer, 403)
    names = _exporter_names(session, {p.exporter_org_id for p in rows})
    items = [views.policy_row(p, exporter_name=names.get(p.exporter_org_id, "—")) for p in rows]
    pages = max(1, -(-total // PAGE_SIZE))
    filters = {k: v for k, v in {"state": chosen_state, "q": search,
                                 "exporter": str(exporter_id) if exporter_id else None}.items()
               if v}

    def page_url(number: int) -> str:
        return "/policies?" + urlencode({**filters, "page": number})

    return _page(request, locale, "policies.html", {
        "items": items, "total": total, "page_no": page_no, "pages": pages,
        "page_url": page_url, "states": list(PolicyState), "state": chosen_state,
        "q": search or "", "exporter_id": exporter_id,
        "exporters": _exporters(session) if principal.is_insurer else [],
        "show_exporter": principal.is_insurer,
    }, viewer=viewer)


@router.get("/policies/{policy_id}", response_model=None)
def policy_page(policy_id: str, request: Request, session: SessionDep) -> Response:
    """One policy: schedule, endorsements, renewal offers and its history."""
    viewer = _viewer(request, session)
    if viewer is None:
        return _to_sign_in(request)
    locale = choose_locale(request, viewer)
    if not policy_id.isdigit() or len(policy_id) > 18:
        return _error_page(request, locale, viewer, 404)
    principal, pid = viewer.principal, int(policy_id)
    try:
        policy = policies.get_policy(session, principal=principal, policy_id=pid)
        endorsements = policies.list_endorsements(session, principal=principal, policy_id=pid)
        offers = policies.list_renewal_offers(session, principal=principal, policy_id=pid)
        history = policies.policy_history(session, principal=principal, policy_id=pid)
    except NotFound:
        return _error_page(request, locale, viewer, 404)
    except PermissionDenied:
        return _error_page(request, locale, viewer, 403)
    exporter = session.get(Organisation, policy.exporter_org_id)
    return _page(request, locale, "policy.html", {
        "policy": views.policy_row(policy, exporter_name=exporter.name if exporter else "—"),
        "schedule": views.schedule_view(policy),
        "state_reason": policy.state_reason,
        "endorsements": [views.endorsement_view(e) for e in endorsements],
        "offers": [views.offer_view(o, currency=policy.currency) for o in offers],
        "history": [views.history_view(h) for h in history],
        "show_exporter": principal.is_insurer,
        "quote": quote,
        **investment_debt_views.policy_extras(session, principal=principal, policy=policy,
                                              today=business_today()),
    }, viewer=viewer)

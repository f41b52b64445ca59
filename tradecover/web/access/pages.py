"""Dashboard pages of access: sign-in, sign-out and the language choice.

Same conventions as :mod:`tradecover.web.kit`.  Choosing a language writes both the
language cookie and (when signed in) the user row.  This router also serves the
dashboard's assets under ``/static``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from tradecover.access import service as access
from tradecover.access import sessions
from tradecover.kit.errors import AuthenticationFailed, DomainError, TooManyAttempts
from tradecover.web import i18n
from tradecover.web.kit import (
    LOCALE_COOKIE,
    LOCALE_COOKIE_MAX_AGE,
    SESSION_COOKIE,
    STATIC_DIR,
    SessionDep,
    choose_locale,
    current_viewer,
    redirect,
    render_page,
    safe_next,
    settings_of,
)

router = APIRouter(include_in_schema=False)
router.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


@router.get("/sign-in", response_model=None)
def sign_in_form(
    request: Request,
    session: SessionDep,
    next: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    """The sign-in form (signed-in visitors go straight on)."""
    viewer = current_viewer(request, session)
    if viewer is not None:
        return redirect(safe_next(next))
    locale = choose_locale(request, None)
    return render_page(
        request,
        locale,
        "access/sign_in.html",
        {"error": None, "email": "", "next": safe_next(next)},
        viewer=None,
    )


@router.post("/sign-in", response_model=None)
def sign_in(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check e-mail and password under the sign-in throttles; on success start a session,
    set its cookie and go on. A locked account or address gets the page back with 429.
    """
    settings = settings_of(request)
    ttl = timedelta(minutes=settings.token_ttl_minutes)
    error: DomainError
    if not email.strip() or not password:
        error = AuthenticationFailed("e-mail and password are required", code="invalid_credentials")
    else:
        outcome = sessions.attempt_sign_in(
            session,
            email=email,
            password=password,
            client_address=request.client.host if request.client else None,
            user_agent=request.headers.get("user-agent"),
            key=settings.signing_key(),
            ttl=ttl,
            limits=sessions.sign_in_limits(settings),
        )
        if outcome.refusal is None:
            assert outcome.user is not None
            assert outcome.token is not None
            return _signed_in(
                outcome.user.locale, outcome.token, ttl=ttl, next=next, secure=settings.behind_tls
            )
        session.commit()  # the failure counters and lockout entries outlive the refusal
        error = outcome.refusal
    locale = choose_locale(request, None)
    locked = isinstance(error, TooManyAttempts)
    message = (
        i18n.N_("Too many failed sign-ins. Please try again in a few minutes.")
        if locked
        else i18n.N_("Wrong e-mail or password.")
    )
    page = render_page(
        request,
        locale,
        "access/sign_in.html",
        {"error": message, "email": email.strip(), "next": safe_next(next)},
        viewer=None,
        status=error.status if locked else 400,
    )
    if isinstance(error, TooManyAttempts):
        page.headers["Retry-After"] = str(error.retry_after)
    return page


def _signed_in(
    user_locale: str, token: str, *, ttl: timedelta, next: str, secure: bool
) -> Response:
    response = redirect(safe_next(next))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(ttl.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure,
    )
    if user_locale in i18n.LOCALES:
        response.set_cookie(
            LOCALE_COOKIE,
            user_locale,
            max_age=LOCALE_COOKIE_MAX_AGE,
            path="/",
            httponly=True,
            samesite="lax",
            secure=secure,
        )
    return response


@router.post("/sign-out", response_model=None)
def sign_out(request: Request, session: SessionDep) -> Response:
    """End the session (its token stops working everywhere) and forget its cookie (the
    language cookie stays).
    """
    viewer = current_viewer(request, session)
    if viewer is not None and viewer.principal.session_id is not None:
        sessions.revoke_session(
            session,
            principal=viewer.principal,
            session_id=viewer.principal.session_id,
            reason="signed out",
        )
    response = redirect("/sign-in")
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings_of(request).behind_tls,
    )
    return response


@router.post("/language", response_model=None)
def choose_language(
    request: Request,
    session: SessionDep,
    locale: Annotated[str, Form(max_length=16)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Remember the chosen language in a cookie and, when signed in, in the user row."""
    code = locale if locale in i18n.LOCALES else None
    target = safe_next(next, default="/")
    response = redirect(target)
    if code is None:
        return response
    viewer = current_viewer(request, session)
    if viewer is not None:
        access.set_locale(session, principal=viewer.principal, locale=code)
    response.set_cookie(
        LOCALE_COOKIE,
        code,
        max_age=LOCALE_COOKIE_MAX_AGE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings_of(request).behind_tls,
    )
    return response

"""The page kit: what every dashboard page module builds on.

Server-rendered Jinja2 pages on the same application as the API.  A person signs in
with e-mail and password; the access token travels in the ``tc_session`` cookie
(HttpOnly, SameSite=Lax, Secure behind TLS), which
:func:`tradecover.api.deps.current_principal` also reads; it names a server-side session
that signing out ends.  Reads go through the contexts' services, which scope exporters to
their own organisation; an id of another organisation renders the same 404 page as a
missing one.  Assets are served from ``/static`` out of this package: no CDN, no
external fonts.

Language: a signed-in person's ``users.locale`` wins; otherwise the ``tc_locale``
cookie, then the browser's ``Accept-Language``, then the configured default.

A page module (``tradecover/web/<context>/pages.py``, its templates under
``templates/<context>/``) imports from here only: the viewer of a request
(:func:`current_viewer`), the page's language (:func:`choose_locale`), rendering
(:func:`render_page`, :func:`error_page`), redirects, and the form helpers of
:mod:`tradecover.web.forms` and the words of :mod:`tradecover.web.i18n` re-exported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tradecover.access import directory_repository as directory
from tradecover.access import service as access
from tradecover.access.principal import Principal
from tradecover.access.roles import PERMISSIONS, Permission
from tradecover.api import consent_reads
from tradecover.api.deps import SESSION_COOKIE, SessionDep
from tradecover.config import Settings
from tradecover.kit.errors import AuthenticationFailed
from tradecover.web import i18n, labels
from tradecover.web.forms import (
    form_choice,
    form_date,
    form_decimal,
    form_id,
    form_money,
    in_savepoint,
)
from tradecover.web.i18n import N_

__all__ = [
    "LOCALE_COOKIE",
    "LOCALE_COOKIE_MAX_AGE",
    "N_",
    "SECURITY_HEADERS",
    "SESSION_COOKIE",
    "STATIC_DIR",
    "SessionDep",
    "Viewer",
    "choose_locale",
    "current_url",
    "current_viewer",
    "error_page",
    "form_choice",
    "form_date",
    "form_decimal",
    "form_id",
    "form_money",
    "in_savepoint",
    "may",
    "permitted_viewer",
    "redirect",
    "render_page",
    "safe_next",
    "settings_of",
    "to_sign_in",
]

LOCALE_COOKIE = i18n.LOCALE_COOKIE
LOCALE_COOKIE_MAX_AGE = 365 * 24 * 3600
STATIC_DIR = i18n.TEMPLATE_DIR.parent / "static"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
"""The headers of every page: no foreign scripts, styles or frames, never cached."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person looking at a page."""

    principal: Principal
    locale: str | None
    """The person's chosen language (``users.locale``), if any."""
    organisation_name: str

    def can(self, permission: str) -> bool:
        """Whether the person's role grants ``permission`` (its value, as templates name it)."""
        return Permission(permission) in PERMISSIONS[self.principal.role]

    @property
    def role_label(self) -> str:
        """The person's role in words (translated by the template)."""
        return labels.label(labels.ROLES, self.principal.role.value)


def settings_of(request: Request) -> Settings:
    """The settings the application was built with."""
    settings: Settings = request.app.state.settings
    return settings


def current_viewer(request: Request, session: Session) -> Viewer | None:
    """The person signed in with the session cookie, or None (no, bad or expired token).

    A page that shows an exporter's data (``consents.PAGE_READS``) to another
    organisation passes the consent guard here, as its viewer is known: 403
    ``consent_required`` naming the scope without a consent, and the read is logged
    [domain CS-15].
    """
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        principal = access.principal_from_token(
            session, token, key=settings_of(request).signing_key()
        )
    except AuthenticationFailed:
        return None
    person = directory.signed_in_person(session, principal)
    if person is None:
        return None
    consent_reads.begin(request, session, principal)
    return Viewer(
        principal=principal, locale=person.locale, organisation_name=person.organisation_name
    )


def may(viewer: Viewer, permission: Permission) -> bool:
    """Whether the viewer's role grants ``permission`` (to show or hide a form)."""
    return permission in PERMISSIONS[viewer.principal.role]


def choose_locale(request: Request, viewer: Viewer | None) -> str:
    """The language of this page (see the module docstring for the order)."""
    if viewer is not None and viewer.locale in i18n.LOCALES:
        return viewer.locale
    return (
        i18n.normalise(request.cookies.get(LOCALE_COOKIE))
        or i18n.from_accept_language(request.headers.get("accept-language"))
        or i18n.normalise(settings_of(request).default_locale)
        or i18n.DEFAULT_LOCALE
    )


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to; anything else (other hosts, ``//x``) becomes ``default``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def render_page(
    request: Request,
    locale: str,
    template: str,
    context: dict[str, Any],
    *,
    viewer: Viewer | None,
    status: int = 200,
) -> HTMLResponse:
    """Render ``template`` in ``locale`` with the page's common context and headers."""
    context = {
        "request_path": request.url.path,
        "current_url": current_url(request),
        "viewer": viewer,
        "labels": labels,
        **context,
    }
    return HTMLResponse(
        i18n.render(locale, template, context), status_code=status, headers=SECURITY_HEADERS
    )


def current_url(request: Request) -> str:
    """The path and query of this request (to come back to after signing in)."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def redirect(target: str) -> RedirectResponse:
    """A 303 to ``target`` (after a form, or to go on), never cached."""
    return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})


def to_sign_in(request: Request) -> RedirectResponse:
    """The way to the sign-in page, coming back to this page afterwards."""
    return redirect("/sign-in?" + urlencode({"next": current_url(request)}))


def error_page(request: Request, locale: str, viewer: Viewer | None, status: int) -> HTMLResponse:
    """The error page with ``status`` (404, 403, ...)."""
    return render_page(
        request, locale, "error.html", {"status": status}, viewer=viewer, status=status
    )


def permitted_viewer(
    request: Request, session: Session, permission: Permission
) -> Viewer | Response:
    """The signed-in viewer when their role grants ``permission``; otherwise the answer to
    give instead: the way to sign in, or the 403 page.
    """
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    if not may(viewer, permission):
        return error_page(request, choose_locale(request, viewer), viewer, 403)
    return viewer

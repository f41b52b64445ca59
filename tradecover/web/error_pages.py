"""The HTML error page that browsers get instead of problem+json.

``api.problems`` turns every failure into a problem response; for a request that a
browser made to the dashboard (``api.problems.wants_html``: not under ``/api``, and
accepting ``text/html``) it asks :func:`problem_page` (``app.state.problem_page``) for
an HTML page instead: the error page in the reader's language
(the signed-in person's, else the language cookie, ``Accept-Language``, the default),
with the status and the stable error code.  API clients keep problem+json.

If the page itself cannot be rendered (say a broken catalog), the English page is
tried, then a minimal page that needs no template, so an error never turns into a
second one.
"""

from __future__ import annotations

import logging
from html import escape

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from tradecover.web import i18n
from tradecover.web.kit import (
    SECURITY_HEADERS,
    Viewer,
    choose_locale,
    current_viewer,
    render_page,
    to_sign_in,
)

log = logging.getLogger(__name__)


def _signed_in(request: Request) -> Viewer | None:
    """The signed-in person, read in a short session of its own (None on any failure)."""
    factory = getattr(request.app.state, "session_factory", None)
    if factory is None:
        return None
    try:
        with factory() as session:
            return current_viewer(request, session)
    except Exception:
        return None


def _plain(status: int, code: str) -> HTMLResponse:
    body = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{status}'
        f"</title></head><body><h1>{status}</h1><p>{escape(code)}</p>"
        '<p><a href="/policies">Back to the policies</a></p></body></html>'
    )
    return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)


def _refused_read(request: Request, code: str) -> dict[str, str]:
    """The scope and purpose a refused read of exporter data names [domain CS-15]."""
    refused = getattr(request.state, "refused_read", None)
    if code != "consent_required" or not refused:
        return {}
    scope, purpose = refused
    return {"consent_scope": str(scope), "consent_purpose": str(purpose)}


def problem_page(request: Request, *, status: int, code: str) -> Response:
    """The browser's answer to a failed dashboard request (401: the sign-in page)."""
    if status == 401:
        answer: Response = to_sign_in(request)
        return answer
    viewer = _signed_in(request)
    try:
        locale = choose_locale(request, viewer)
    except Exception:
        locale = i18n.DEFAULT_LOCALE
    for attempt in dict.fromkeys((locale, i18n.DEFAULT_LOCALE)):
        try:
            page = render_page(
                request,
                attempt,
                "error.html",
                {"status": status, "code": code, **_refused_read(request, code)},
                viewer=viewer,
                status=status,
            )
        except Exception:
            log.exception("error page %s in %s failed", status, attempt)
            continue
        return page
    return _plain(status, code)

"""The dashboard's answer to input that input hygiene refused (``kit.text``): its error
page with the status, the reason and the field, instead of the API's problem+json.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from tradecover.kit.errors import DomainError
from tradecover.web.kit import choose_locale, render_page


def refusal_page(request: Request, error: DomainError) -> HTMLResponse:
    """The error page for a refused form field or query parameter (nothing was written)."""
    locale = choose_locale(request, None)
    return render_page(
        request,
        locale,
        "error.html",
        {"status": error.status, "refused_field": error.field or ""},
        viewer=None,
        status=error.status,
    )

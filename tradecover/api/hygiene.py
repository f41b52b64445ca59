"""Input hygiene at the HTTP edge: every query parameter, path parameter, header value a
route reads and form field of every route (API and dashboard) is checked by
``kit.text`` before the route runs.

Request bodies in JSON are checked by their schemas (``kit.inputs.InputModel``); this
dependency, installed on the whole app, covers what no schema holds, so a route added
later is covered without a line of its own.  A refusal is :class:`~tradecover.kit.text.UnsafeText`
(422 ``unsafe_text`` naming the field, e.g. ``query.q``); the dashboard answers it with
its error page (:func:`tradecover.web.refusals.refusal_page`).
"""

from __future__ import annotations

from fastapi import Request

from tradecover.kit.text import check_text

CHECKED_HEADERS = ("idempotency-key",)
"""Header values a route reads as text (credentials are checked by their lookup)."""
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def refuse_unsafe_input(request: Request) -> None:
    """Refuse a request whose query, path, checked headers or form fields hold a control
    or bidirectional-formatting character (tab and line breaks only in prose fields).
    """
    for name, value in request.query_params.multi_items():
        check_text(name, field=f"query.{name}", prose=False)
        check_text(value, field=f"query.{name}")
    for name, value in request.path_params.items():
        if isinstance(value, str):
            check_text(value, field=f"path.{name}")
    for name in CHECKED_HEADERS:
        header = request.headers.get(name)
        if header is not None:
            check_text(header, field=f"header.{name}", prose=False)
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        form = await request.form()
        for field, item in form.multi_items():
            if isinstance(item, str):
                check_text(item, field=field)
            elif item.filename is not None:
                check_text(item.filename, field=f"{field}.filename", prose=False)

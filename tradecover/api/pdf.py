"""PDF answers of the API: the reader's language, and the response that carries the file.

A PDF route takes ``lang`` (``en``, ``zh_Hans``, ``zh_Hant``, ``ko``; ``zh-CN`` and the like
are understood), else the ``Accept-Language`` header, else English; its texts come from the
dashboard's catalogs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import Response

from tradecover.kit.pdf import MEDIA_TYPE
from tradecover.web import i18n

LangQuery = Annotated[
    str | None,
    Query(
        max_length=16,
        pattern=r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$",
        description="Language of the document (en, zh_Hans, zh_Hant, ko)",
    ),
]

PDF_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}}
}
"""The OpenAPI description of a PDF answer."""


def reader_locale(request: Request, lang: str | None) -> str:
    """The language a PDF is written in for this request."""
    return (
        i18n.normalise(lang)
        or i18n.from_accept_language(request.headers.get("accept-language"))
        or i18n.DEFAULT_LOCALE
    )


def translator(locale: str) -> Callable[[str], str]:
    """The translation function of ``locale`` (the dashboard's catalog)."""
    return i18n.translations(locale).gettext


def pdf_response(filename: str, content: bytes) -> Response:
    """``content`` as a PDF download named ``filename``."""
    return Response(
        content,
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )

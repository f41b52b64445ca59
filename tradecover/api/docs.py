"""The interactive API documentation, served with its assets from this server.

FastAPI's default docs page loads Swagger UI from a CDN; tradecover runs without network
at run time, so the page is built the same way but points at the copy of Swagger UI that
the ``swagger-ui-py`` package ships (Swagger UI 5, which reads OpenAPI 3.1), mounted
under :data:`ASSETS`. Swagger UI's validator badge (fetched from swagger.io) is off.
"""

from __future__ import annotations

from pathlib import Path

import swagger_ui
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS = "/api/docs"
"""Where the docs page is."""
OAUTH2_REDIRECT = "/docs/oauth2-redirect"
"""The page Swagger UI's OAuth2 sign-in returns to."""
ASSETS = "/api/docs/assets"
"""Where Swagger UI's scripts, styles and icons are served from."""
ASSETS_DIR = Path(swagger_ui.__file__).resolve().parent / "static"
"""Swagger UI's files as the package ships them."""


def install(app: FastAPI) -> None:
    """Serve the docs page, its OAuth2 redirect page and Swagger UI's assets."""
    app.mount(ASSETS, StaticFiles(directory=ASSETS_DIR), name="docs-assets")

    @app.get(DOCS, include_in_schema=False)
    def docs_page() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} API",
            oauth2_redirect_url=OAUTH2_REDIRECT,
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},  # no badge from swagger.io
        )

    @app.get(OAUTH2_REDIRECT, include_in_schema=False)
    def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

"""The app without its ERP fast lane (``ErpDeclarations``): every declaration request
goes through FastAPI's route, so that ``attachment.py
--compare-to REF --without-lane`` shows what the lane is worth.

A helper, not a benchmark (``run_all.py`` skips files whose name starts with ``_``).
"""

from __future__ import annotations

from fastapi import FastAPI

from tradecover.api.app import create_app as create_full_app
from tradecover.declarations.erp_endpoint import ErpDeclarations


def create_app() -> FastAPI:
    """The app, its middleware but the ERP fast lane (the stack is built on first use)."""
    app = create_full_app()
    app.user_middleware = [m for m in app.user_middleware if m.cls is not ErpDeclarations]
    return app

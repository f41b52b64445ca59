"""The app with the consent guard and the access log turned off
(``app.state.consent_guard`` False, which no setting and no environment variable can
reach), so that ``attachment.py --without-guard`` measures the app with and without them
in the same run.

A helper, not a benchmark (``run_all.py`` skips files whose name starts with ``_``).
"""

from __future__ import annotations

from fastapi import FastAPI

from tradecover.api.app import create_app as create_full_app


def create_app() -> FastAPI:
    """The app as shipped, its consent guard and access log off."""
    app = create_full_app()
    app.state.consent_guard = False
    return app

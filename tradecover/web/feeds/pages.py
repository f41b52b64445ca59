"""Dashboard pages of the feed stream, gathered on one router: the exporter's shipments
waiting for its confirmation (:mod:`tradecover.web.feeds.confirmations`).
"""

from __future__ import annotations

from fastapi import APIRouter

from tradecover.web.feeds import confirmations

router = APIRouter(include_in_schema=False)
router.include_router(confirmations.router)

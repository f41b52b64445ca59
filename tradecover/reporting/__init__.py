"""Read side: cross-context read models (queries that read the tables of several contexts)."""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.reporting.limits_decision_context import DecisionContext as DecisionContext
    from tradecover.reporting.limits_decision_context import (
        limit_decision_context as limit_decision_context,
    )
    from tradecover.reporting.limits_exposures import limit_exposures as limit_exposures
    from tradecover.reporting.limits_watch_list import WatchEntry as WatchEntry
    from tradecover.reporting.limits_watch_list import limit_watch_list as limit_watch_list
    from tradecover.reporting.renewal_review import RenewalReviewMetrics as RenewalReviewMetrics

_LAZY = {
    "DecisionContext": "limits_decision_context",
    "limit_decision_context": "limits_decision_context",
    "limit_exposures": "limits_exposures",
    "WatchEntry": "limits_watch_list",
    "limit_watch_list": "limits_watch_list",
    "RenewalReviewMetrics": "renewal_review",
}
__getattr__ = lazy_exports(__name__, _LAZY)
__all__ = sorted([*_LAZY])

"""Read side: cross-context read models."""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.reporting.renewal_review import RenewalReviewMetrics as RenewalReviewMetrics

_LAZY = {
    "RenewalReviewMetrics": "renewal_review",
}
__getattr__ = lazy_exports(__name__, _LAZY)
__all__ = sorted([*_LAZY])

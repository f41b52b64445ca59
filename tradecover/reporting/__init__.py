"""Read side: cross-context read models (queries that read the tables of several contexts)."""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.reporting.csv_exports import declarations_csv as declarations_csv
    from tradecover.reporting.csv_exports import limits_csv as limits_csv
    from tradecover.reporting.feed_exposure import BuyerFeedExposure as BuyerFeedExposure
    from tradecover.reporting.feed_exposure import (
        feed_exposure_by_buyer as feed_exposure_by_buyer,
    )
    from tradecover.reporting.feed_omissions import CustomsExport as CustomsExport
    from tradecover.reporting.feed_omissions import OmissionMonth as OmissionMonth
    from tradecover.reporting.feed_omissions import TurnoverFromCustoms as TurnoverFromCustoms
    from tradecover.reporting.feed_omissions import exporter_in_view as exporter_in_view
    from tradecover.reporting.feed_omissions import omissions as omissions
    from tradecover.reporting.feed_omissions import omissions_by_month as omissions_by_month
    from tradecover.reporting.feed_omissions import (
        turnover_from_customs as turnover_from_customs,
    )
    from tradecover.reporting.follower_book import follower_claims as follower_claims
    from tradecover.reporting.follower_book import follower_declarations as follower_declarations
    from tradecover.reporting.follower_book import (
        follower_participations as follower_participations,
    )
    from tradecover.reporting.follower_book import follower_payments as follower_payments
    from tradecover.reporting.limits_decision_context import DecisionContext as DecisionContext
    from tradecover.reporting.limits_decision_context import (
        limit_decision_context as limit_decision_context,
    )
    from tradecover.reporting.limits_exposures import limit_exposures as limit_exposures
    from tradecover.reporting.limits_watch_list import WatchEntry as WatchEntry
    from tradecover.reporting.limits_watch_list import limit_watch_list as limit_watch_list
    from tradecover.reporting.payment_experience import buyers_declared as buyers_declared
    from tradecover.reporting.payment_experience import (
        declarations_in_claim as declarations_in_claim,
    )
    from tradecover.reporting.payment_experience import payment_records_of as payment_records_of
    from tradecover.reporting.programme_book import programme_books as programme_books
    from tradecover.reporting.renewal_review import RenewalReviewMetrics as RenewalReviewMetrics

_LAZY: dict[str, str] = {
    "follower_claims": "follower_book",
    "follower_declarations": "follower_book",
    "follower_participations": "follower_book",
    "follower_payments": "follower_book",
    "programme_books": "programme_book",
    "BuyerFeedExposure": "feed_exposure",
    "feed_exposure_by_buyer": "feed_exposure",
    "CustomsExport": "feed_omissions",
    "OmissionMonth": "feed_omissions",
    "TurnoverFromCustoms": "feed_omissions",
    "exporter_in_view": "feed_omissions",
    "omissions": "feed_omissions",
    "omissions_by_month": "feed_omissions",
    "turnover_from_customs": "feed_omissions",
    "DecisionContext": "limits_decision_context",
    "RenewalReviewMetrics": "renewal_review",
    "WatchEntry": "limits_watch_list",
    "buyers_declared": "payment_experience",
    "declarations_in_claim": "payment_experience",
    "payment_records_of": "payment_experience",
    "limit_decision_context": "limits_decision_context",
    "limit_exposures": "limits_exposures",
    "limit_watch_list": "limits_watch_list",
    "limits_csv": "csv_exports",
    "declarations_csv": "csv_exports",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "BuyerFeedExposure",
    "CustomsExport",
    "DecisionContext",
    "OmissionMonth",
    "RenewalReviewMetrics",
    "TurnoverFromCustoms",
    "WatchEntry",
    "buyers_declared",
    "declarations_csv",
    "declarations_in_claim",
    "exporter_in_view",
    "feed_exposure_by_buyer",
    "follower_claims",
    "follower_declarations",
    "follower_participations",
    "follower_payments",
    "limit_decision_context",
    "limit_exposures",
    "limit_watch_list",
    "limits_csv",
    "omissions",
    "omissions_by_month",
    "payment_records_of",
    "programme_books",
    "turnover_from_customs",
]

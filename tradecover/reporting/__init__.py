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
    from tradecover.reporting.financing_view import AssignedPolicy as AssignedPolicy
    from tradecover.reporting.financing_view import BaseLine as BaseLine
    from tradecover.reporting.financing_view import OutstandingShipment as OutstandingShipment
    from tradecover.reporting.financing_view import PolicyClaim as PolicyClaim
    from tradecover.reporting.financing_view import PolicyLimit as PolicyLimit
    from tradecover.reporting.financing_view import assigned_policies as assigned_policies
    from tradecover.reporting.financing_view import financing_bases as financing_bases
    from tradecover.reporting.financing_view import outstanding_shipments as outstanding_shipments
    from tradecover.reporting.financing_view import policy_claims as policy_claims
    from tradecover.reporting.financing_view import policy_limits as policy_limits
    from tradecover.reporting.financing_view import readable_assignment as readable_assignment
    from tradecover.reporting.financing_view import visible_assignments as visible_assignments
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
    "AssignedPolicy": "financing_view",
    "BaseLine": "financing_view",
    "OutstandingShipment": "financing_view",
    "PolicyClaim": "financing_view",
    "PolicyLimit": "financing_view",
    "assigned_policies": "financing_view",
    "financing_bases": "financing_view",
    "outstanding_shipments": "financing_view",
    "policy_claims": "financing_view",
    "policy_limits": "financing_view",
    "readable_assignment": "financing_view",
    "visible_assignments": "financing_view",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "AssignedPolicy",
    "BaseLine",
    "BuyerFeedExposure",
    "CustomsExport",
    "DecisionContext",
    "OmissionMonth",
    "OutstandingShipment",
    "PolicyClaim",
    "PolicyLimit",
    "RenewalReviewMetrics",
    "TurnoverFromCustoms",
    "WatchEntry",
    "assigned_policies",
    "buyers_declared",
    "declarations_csv",
    "declarations_in_claim",
    "exporter_in_view",
    "feed_exposure_by_buyer",
    "financing_bases",
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
    "outstanding_shipments",
    "payment_records_of",
    "policy_claims",
    "policy_limits",
    "programme_books",
    "readable_assignment",
    "turnover_from_customs",
    "visible_assignments",
]

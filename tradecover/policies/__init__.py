"""Short-term policy administration: exporter profiles, applications, schedules, lifecycle."""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.policies.issuance import suspend as suspend
    from tradecover.policies.lookup_repository import ExporterProfileFacts as ExporterProfileFacts
    from tradecover.policies.lookup_repository import exporter_of_policy as exporter_of_policy
    from tradecover.policies.lookup_repository import exporter_profiles_of as exporter_profiles_of
    from tradecover.policies.lookup_repository import lock_renewal_offer as lock_renewal_offer
    from tradecover.policies.lookup_repository import policy_numbers_of as policy_numbers_of
    from tradecover.policies.lookup_repository import renewal_chain_length as renewal_chain_length
    from tradecover.policies.review import ReviewMetrics as ReviewMetrics
    from tradecover.policies.schedule import Product as Product
    from tradecover.policies.schemas import RenewalOfferOut as RenewalOfferOut
    from tradecover.policies.service import OFFER_OPEN as OFFER_OPEN
    from tradecover.policies.service import get_policy as get_policy
    from tradecover.policies.service import get_renewal_offer as get_renewal_offer
    from tradecover.policies.service import schedule_from_dict as schedule_from_dict

_LAZY = {
    "RenewalOfferOut": "schemas",
    "schedule_from_dict": "service",
    "renewal_chain_length": "lookup_repository",
    "lock_renewal_offer": "lookup_repository",
    "get_renewal_offer": "service",
    "get_policy": "service",
    "exporter_of_policy": "lookup_repository",
    "ReviewMetrics": "review",
    "Product": "schedule",
    "OFFER_OPEN": "service",
    "ExporterProfileFacts": "lookup_repository",
    "exporter_profiles_of": "lookup_repository",
    "policy_numbers_of": "lookup_repository",
    "suspend": "issuance",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "OFFER_OPEN",
    "ExporterProfileFacts",
    "Product",
    "RenewalOfferOut",
    "ReviewMetrics",
    "exporter_of_policy",
    "exporter_profiles_of",
    "get_policy",
    "get_renewal_offer",
    "lock_renewal_offer",
    "policy_numbers_of",
    "renewal_chain_length",
    "schedule_from_dict",
    "suspend",
]

"""Short-term policy administration: exporter profiles, applications, schedules, lifecycle."""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.policies.applications import submit_application as submit_application
    from tradecover.policies.applications import upsert_exporter_profile as upsert_exporter_profile
    from tradecover.policies.issuance import add_endorsement as add_endorsement
    from tradecover.policies.issuance import issue as issue
    from tradecover.policies.issuance import quote as quote
    from tradecover.policies.issuance import suspend as suspend
    from tradecover.policies.issuance import underwrite as underwrite
    from tradecover.policies.issuance import withdraw as withdraw
    from tradecover.policies.lifecycle import TerminationKind as TerminationKind
    from tradecover.policies.renewal import accept_renewal as accept_renewal
    from tradecover.policies.renewal import offer_due_renewals as offer_due_renewals
    from tradecover.policies.renewal import offer_renewal as offer_renewal
    from tradecover.policies.repository import IN_FORCE_STATES as IN_FORCE_STATES
    from tradecover.policies.repository import ExporterProfileFacts as ExporterProfileFacts
    from tradecover.policies.repository import InForceCover as InForceCover
    from tradecover.policies.repository import PolicyTerm as PolicyTerm
    from tradecover.policies.repository import active_terms_of as active_terms_of
    from tradecover.policies.repository import commercial_indemnity_of as commercial_indemnity_of
    from tradecover.policies.repository import exporter_of_policy as exporter_of_policy
    from tradecover.policies.repository import exporter_profiles_of as exporter_profiles_of
    from tradecover.policies.repository import in_force_covers as in_force_covers
    from tradecover.policies.repository import lock_renewal_offer as lock_renewal_offer
    from tradecover.policies.repository import policy_numbers_of as policy_numbers_of
    from tradecover.policies.repository import renewal_chain_length as renewal_chain_length
    from tradecover.policies.review import ReviewMetrics as ReviewMetrics
    from tradecover.policies.schedule import DeclarationFrequency as DeclarationFrequency
    from tradecover.policies.schedule import InsurableScope as InsurableScope
    from tradecover.policies.schedule import PolicySchedule as PolicySchedule
    from tradecover.policies.schedule import Product as Product
    from tradecover.policies.schemas import RenewalOfferOut as RenewalOfferOut
    from tradecover.policies.service import OFFER_OPEN as OFFER_OPEN
    from tradecover.policies.service import get_policy as get_policy
    from tradecover.policies.service import get_renewal_offer as get_renewal_offer
    from tradecover.policies.service import schedule_from_dict as schedule_from_dict
    from tradecover.policies.termination import expire_due as expire_due
    from tradecover.policies.termination import terminate as terminate

_LAZY = {
    "DeclarationFrequency": "schedule",
    "ExporterProfileFacts": "repository",
    "IN_FORCE_STATES": "repository",
    "InForceCover": "repository",
    "InsurableScope": "schedule",
    "OFFER_OPEN": "service",
    "PolicySchedule": "schedule",
    "PolicyTerm": "repository",
    "Product": "schedule",
    "RenewalOfferOut": "schemas",
    "ReviewMetrics": "review",
    "TerminationKind": "lifecycle",
    "accept_renewal": "renewal",
    "active_terms_of": "repository",
    "add_endorsement": "issuance",
    "commercial_indemnity_of": "repository",
    "expire_due": "termination",
    "exporter_of_policy": "repository",
    "exporter_profiles_of": "repository",
    "get_policy": "service",
    "get_renewal_offer": "service",
    "in_force_covers": "repository",
    "issue": "issuance",
    "lock_renewal_offer": "repository",
    "offer_due_renewals": "renewal",
    "offer_renewal": "renewal",
    "policy_numbers_of": "repository",
    "quote": "issuance",
    "renewal_chain_length": "repository",
    "schedule_from_dict": "service",
    "submit_application": "applications",
    "suspend": "issuance",
    "terminate": "termination",
    "underwrite": "issuance",
    "upsert_exporter_profile": "applications",
    "withdraw": "issuance",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "IN_FORCE_STATES",
    "OFFER_OPEN",
    "DeclarationFrequency",
    "ExporterProfileFacts",
    "InForceCover",
    "InsurableScope",
    "PolicySchedule",
    "PolicyTerm",
    "Product",
    "RenewalOfferOut",
    "ReviewMetrics",
    "TerminationKind",
    "accept_renewal",
    "active_terms_of",
    "add_endorsement",
    "commercial_indemnity_of",
    "expire_due",
    "exporter_of_policy",
    "exporter_profiles_of",
    "get_policy",
    "get_renewal_offer",
    "in_force_covers",
    "issue",
    "lock_renewal_offer",
    "offer_due_renewals",
    "offer_renewal",
    "policy_numbers_of",
    "quote",
    "renewal_chain_length",
    "schedule_from_dict",
    "submit_application",
    "suspend",
    "terminate",
    "underwrite",
    "upsert_exporter_profile",
    "withdraw",
]

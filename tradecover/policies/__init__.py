"""Short-term policy administration: exporter profiles, applications, schedules, lifecycle.

Pure rules are imported here eagerly: the schedule (:mod:`~tradecover.policies.schedule`),
the lifecycle (:mod:`~tradecover.policies.lifecycle`), the domestic product's rules
(:mod:`~tradecover.policies.domestic`), the liability rules
(:mod:`~tradecover.policies.liability`) and the renewal review's metrics
(:mod:`~tradecover.policies.review`).  The use cases and queries other contexts call are
resolved lazily (they need the database).
"""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports
from tradecover.policies.attachment_terms import (
    AttachmentModel,
    AttachmentTerms,
    ShipmentDateBasis,
    TermsFrom,
    terms_in_force,
)
from tradecover.policies.domestic import (
    DOMESTIC_RATE_TABLE,
    DomesticBuyerForeign,
    DomesticPoliticalCause,
    ScheduleWording,
    check_domestic_buyer,
    check_domestic_cause,
    claim_terms_of_product,
    domestic_foreign_buyer,
    is_domestic,
    schedule_wording,
)
from tradecover.policies.liability import (
    LiabilityRule,
    LiabilityRuling,
    PolicyStanding,
    Suspension,
    cancelled_from,
    liability_for_shipment,
    standing_from,
)
from tradecover.policies.lifecycle import (
    NON_RENEWAL_NOTICE_DAYS,
    PolicyAction,
    PolicyEvent,
    PolicyState,
    TerminationKind,
    open_actions,
)
from tradecover.policies.ports import (
    STAGE_ISSUE,
    STAGE_UNDERWRITE,
    SubmittedApplication,
    UnderwritingStep,
    check_underwriting,
    guard_underwriting,
    on_application_submitted,
)
from tradecover.policies.review import NoActivityYet, ReviewMetrics, ReviewMetricsSource
from tradecover.policies.schedule import (
    DEFAULT_MIN_DECLARED_SHARE,
    ClaimTermsSchedule,
    DeclarationFrequency,
    DisputeResolution,
    InsurableScope,
    LiabilityGuidance,
    PolicySchedule,
    Product,
    liability_guidance,
    min_declared_share_of,
    rate_floating_from_dict,
)

if TYPE_CHECKING:
    from tradecover.policies.applications import submit_application as submit_application
    from tradecover.policies.applications import upsert_exporter_profile as upsert_exporter_profile
    from tradecover.policies.attachment_repository import (
        PolicyAttachment as PolicyAttachment,
    )
    from tradecover.policies.attachment_repository import (
        active_currencies_of as active_currencies_of,
    )
    from tradecover.policies.attachment_repository import (
        attachment_history as attachment_history,
    )
    from tradecover.policies.attachment_repository import (
        attachment_of_policy as attachment_of_policy,
    )
    from tradecover.policies.attachment_repository import (
        endorse_attachment_terms as endorse_attachment_terms,
    )
    from tradecover.policies.issuance import add_endorsement as add_endorsement
    from tradecover.policies.issuance import issue as issue
    from tradecover.policies.issuance import quote as quote
    from tradecover.policies.issuance import reinstate as reinstate
    from tradecover.policies.issuance import suspend as suspend
    from tradecover.policies.issuance import underwrite as underwrite
    from tradecover.policies.issuance import withdraw as withdraw
    from tradecover.policies.model import Endorsement as Endorsement
    from tradecover.policies.model import Policy as Policy
    from tradecover.policies.model import RenewalOffer as RenewalOffer
    from tradecover.policies.record_schemas import RenewalOfferOut as RenewalOfferOut
    from tradecover.policies.renewal import accept_renewal as accept_renewal
    from tradecover.policies.renewal import offer_due_renewals as offer_due_renewals
    from tradecover.policies.renewal import offer_renewal as offer_renewal
    from tradecover.policies.repository import IN_FORCE_STATES as IN_FORCE_STATES
    from tradecover.policies.repository import ExporterProfileFacts as ExporterProfileFacts
    from tradecover.policies.repository import InForceCover as InForceCover
    from tradecover.policies.repository import PolicyTerm as PolicyTerm
    from tradecover.policies.repository import active_policy_covering as active_policy_covering
    from tradecover.policies.repository import active_terms_of as active_terms_of
    from tradecover.policies.repository import commercial_indemnity_of as commercial_indemnity_of
    from tradecover.policies.repository import exporter_of_policy as exporter_of_policy
    from tradecover.policies.repository import exporter_profiles_of as exporter_profiles_of
    from tradecover.policies.repository import in_force_covers as in_force_covers
    from tradecover.policies.repository import lock_renewal_offer as lock_renewal_offer
    from tradecover.policies.repository import policies_in_force as policies_in_force
    from tradecover.policies.repository import policy_numbers_of as policy_numbers_of
    from tradecover.policies.repository import renewal_chain_length as renewal_chain_length
    from tradecover.policies.service import OFFER_OPEN as OFFER_OPEN
    from tradecover.policies.service import check_money as check_money
    from tradecover.policies.service import claim_terms_from_dict as claim_terms_from_dict
    from tradecover.policies.service import endorsement_pdf_of as endorsement_pdf_of
    from tradecover.policies.service import get_policy as get_policy
    from tradecover.policies.service import get_renewal_offer as get_renewal_offer
    from tradecover.policies.service import policy_in_view as policy_in_view
    from tradecover.policies.service import policy_record as policy_record
    from tradecover.policies.service import required_text as required_text
    from tradecover.policies.service import schedule_from_dict as schedule_from_dict
    from tradecover.policies.service import schedule_of as schedule_of
    from tradecover.policies.service import schedule_pdf_of as schedule_pdf_of
    from tradecover.policies.standing import standing_of as standing_of
    from tradecover.policies.termination import expire_due as expire_due
    from tradecover.policies.termination import terminate as terminate

_LAZY: dict[str, str] = {
    "PolicyAttachment": "attachment_repository",
    "active_currencies_of": "attachment_repository",
    "attachment_history": "attachment_repository",
    "attachment_of_policy": "attachment_repository",
    "endorse_attachment_terms": "attachment_repository",
    "active_policy_covering": "repository",
    "RenewalOffer": "model",
    "Endorsement": "model",
    "ExporterProfileFacts": "repository",
    "IN_FORCE_STATES": "repository",
    "InForceCover": "repository",
    "OFFER_OPEN": "service",
    "Policy": "model",
    "PolicyTerm": "repository",
    "RenewalOfferOut": "record_schemas",
    "accept_renewal": "renewal",
    "active_terms_of": "repository",
    "add_endorsement": "issuance",
    "check_money": "service",
    "claim_terms_from_dict": "service",
    "commercial_indemnity_of": "repository",
    "expire_due": "termination",
    "exporter_of_policy": "repository",
    "exporter_profiles_of": "repository",
    "get_policy": "service",
    "endorsement_pdf_of": "service",
    "schedule_pdf_of": "service",
    "policy_in_view": "service",
    "get_renewal_offer": "service",
    "in_force_covers": "repository",
    "policies_in_force": "repository",
    "issue": "issuance",
    "lock_renewal_offer": "repository",
    "offer_due_renewals": "renewal",
    "offer_renewal": "renewal",
    "policy_numbers_of": "repository",
    "policy_record": "service",
    "quote": "issuance",
    "renewal_chain_length": "repository",
    "required_text": "service",
    "schedule_from_dict": "service",
    "schedule_of": "service",
    "standing_of": "standing",
    "submit_application": "applications",
    "reinstate": "issuance",
    "suspend": "issuance",
    "terminate": "termination",
    "underwrite": "issuance",
    "upsert_exporter_profile": "applications",
    "withdraw": "issuance",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "DEFAULT_MIN_DECLARED_SHARE",
    "DOMESTIC_RATE_TABLE",
    "IN_FORCE_STATES",
    "NON_RENEWAL_NOTICE_DAYS",
    "OFFER_OPEN",
    "STAGE_ISSUE",
    "STAGE_UNDERWRITE",
    "AttachmentModel",
    "AttachmentTerms",
    "ClaimTermsSchedule",
    "DeclarationFrequency",
    "DisputeResolution",
    "DomesticBuyerForeign",
    "DomesticPoliticalCause",
    "Endorsement",
    "ExporterProfileFacts",
    "InForceCover",
    "InsurableScope",
    "LiabilityGuidance",
    "LiabilityRule",
    "LiabilityRuling",
    "NoActivityYet",
    "Policy",
    "PolicyAction",
    "PolicyAttachment",
    "PolicyEvent",
    "PolicySchedule",
    "PolicyStanding",
    "PolicyState",
    "PolicyTerm",
    "Product",
    "RenewalOffer",
    "RenewalOfferOut",
    "ReviewMetrics",
    "ReviewMetricsSource",
    "ScheduleWording",
    "ShipmentDateBasis",
    "SubmittedApplication",
    "Suspension",
    "TerminationKind",
    "TermsFrom",
    "UnderwritingStep",
    "accept_renewal",
    "active_currencies_of",
    "active_policy_covering",
    "active_terms_of",
    "add_endorsement",
    "attachment_history",
    "attachment_of_policy",
    "cancelled_from",
    "check_domestic_buyer",
    "check_domestic_cause",
    "check_money",
    "check_underwriting",
    "claim_terms_from_dict",
    "claim_terms_of_product",
    "commercial_indemnity_of",
    "domestic_foreign_buyer",
    "endorse_attachment_terms",
    "endorsement_pdf_of",
    "expire_due",
    "exporter_of_policy",
    "exporter_profiles_of",
    "get_policy",
    "get_renewal_offer",
    "guard_underwriting",
    "in_force_covers",
    "is_domestic",
    "issue",
    "liability_for_shipment",
    "liability_guidance",
    "lock_renewal_offer",
    "min_declared_share_of",
    "offer_due_renewals",
    "offer_renewal",
    "on_application_submitted",
    "open_actions",
    "policies_in_force",
    "policy_in_view",
    "policy_numbers_of",
    "policy_record",
    "quote",
    "rate_floating_from_dict",
    "reinstate",
    "renewal_chain_length",
    "required_text",
    "schedule_from_dict",
    "schedule_of",
    "schedule_pdf_of",
    "schedule_wording",
    "standing_from",
    "standing_of",
    "submit_application",
    "suspend",
    "terminate",
    "terms_in_force",
    "underwrite",
    "upsert_exporter_profile",
    "withdraw",
]

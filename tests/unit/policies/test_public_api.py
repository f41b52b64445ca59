"""Pins the public face of ``tradecover.policies``: what other contexts may call."""

from __future__ import annotations

import subprocess
import sys
from types import ModuleType

import tradecover.policies as face


def test_public_names_are_pinned() -> None:
    assert sorted(face.__all__) == sorted(
        [
            "AttachmentModel",
            "NON_RENEWAL_NOTICE_DAYS",
            "PolicyAction",
            "open_actions",
            "reinstate",
            "AttachmentTerms",
            "ShipmentDateBasis",
            "TermsFrom",
            "terms_in_force",
            "PolicyAttachment",
            "active_currencies_of",
            "attachment_history",
            "attachment_of_policy",
            "endorse_attachment_terms",
            "ClaimTermsSchedule",
            "DEFAULT_MIN_DECLARED_SHARE",
            "DOMESTIC_RATE_TABLE",
            "DomesticBuyerForeign",
            "DomesticPoliticalCause",
            "ScheduleWording",
            "check_domestic_buyer",
            "check_domestic_cause",
            "claim_terms_of_product",
            "domestic_foreign_buyer",
            "is_domestic",
            "schedule_wording",
            "DeclarationFrequency",
            "DisputeResolution",
            "Endorsement",
            "ExporterProfileFacts",
            "IN_FORCE_STATES",
            "InForceCover",
            "InsurableScope",
            "LiabilityGuidance",
            "LiabilityRule",
            "LiabilityRuling",
            "NoActivityYet",
            "OFFER_OPEN",
            "Policy",
            "PolicyEvent",
            "PolicySchedule",
            "PolicyStanding",
            "PolicyState",
            "PolicyTerm",
            "Product",
            "STAGE_ISSUE",
            "STAGE_UNDERWRITE",
            "SubmittedApplication",
            "UnderwritingStep",
            "check_underwriting",
            "guard_underwriting",
            "on_application_submitted",
            "RenewalOffer",
            "RenewalOfferOut",
            "ReviewMetrics",
            "ReviewMetricsSource",
            "Suspension",
            "TerminationKind",
            "accept_renewal",
            "active_policy_covering",
            "active_terms_of",
            "add_endorsement",
            "cancelled_from",
            "check_money",
            "claim_terms_from_dict",
            "commercial_indemnity_of",
            "expire_due",
            "exporter_of_policy",
            "exporter_profiles_of",
            "get_policy",
            "endorsement_pdf_of",
            "schedule_pdf_of",
            "get_renewal_offer",
            "in_force_covers",
            "issue",
            "liability_for_shipment",
            "liability_guidance",
            "lock_renewal_offer",
            "min_declared_share_of",
            "offer_due_renewals",
            "offer_renewal",
            "policies_in_force",
            "policy_in_view",
            "policy_numbers_of",
            "policy_record",
            "quote",
            "rate_floating_from_dict",
            "renewal_chain_length",
            "required_text",
            "schedule_from_dict",
            "schedule_of",
            "standing_from",
            "standing_of",
            "submit_application",
            "suspend",
            "terminate",
            "underwrite",
            "upsert_exporter_profile",
            "withdraw",
        ]
    )


def test_every_public_name_resolves_to_what_it_names() -> None:
    for name in face.__all__:  # the first look loads the lazy names' modules
        assert getattr(face, name) is not None, name
    for name in face.__all__:  # a submodule of the same name would now hide it
        assert not isinstance(getattr(face, name), ModuleType), name


def test_the_package_loads_neither_the_database_nor_the_web() -> None:
    code = (
        "import sys, tradecover.policies; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'fastapi', 'starlette', 'alembic', 'jinja2'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

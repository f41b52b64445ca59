"""Pins the public surface of the consents package (its purity is checked in
tests/architecture)."""

from __future__ import annotations

import tradecover.consents


def test_public_names_are_pinned() -> None:
    assert sorted(tradecover.consents.__all__) == sorted(
        [
            "AccessRead",
            "BuyerExperience",
            "MINIMUM_FIELDS",
            "POOL_MIN_CONTRIBUTORS",
            "PooledExperience",
            "PurgeDue",
            "SharedField",
            "contribute",
            "contributions_of",
            "effective_withheld",
            "overdue_reports_from_pool",
            "parse_withheld",
            "pool_consents",
            "pooled_experience",
            "purge",
            "set_sharing",
            "sharing_of",
            "sharing_summary",
            "withdraw_from_pool",
            "withheld_fields",
            "CONTRACT_PURPOSES",
            "CONTRACT_SCOPES",
            "Consent",
            "ConsentRequired",
            "ConsentStatus",
            "EXPORTER_READS",
            "OTHER_READS",
            "Party",
            "Purpose",
            "Read",
            "Readable",
            "Receipt",
            "Scope",
            "authorise",
            "consents_of",
            "contract_covers",
            "finish_reading",
            "get_consent",
            "read_of",
            "readable",
            "reads_of",
            "receipt_json",
            "receipt_odrl",
            "receipt_of",
            "refused_read",
            "reject",
            "request_consent",
            "require",
            "revoke",
            "start_reading",
            "status_now",
            "record_reads",
            "record_export",
            "CONSENTED_READS",
            "OTHER_PAGES",
            "PAGE_READS",
            "PURPOSE_OF_KIND",
            "open_read",
            "visible",
            "may_receive",
            "may_see",
            "Visibility",
            "visibility_of",
        ]
    )
    for name in tradecover.consents.__all__:
        assert getattr(tradecover.consents, name) is not None

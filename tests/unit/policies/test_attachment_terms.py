"""The attachment terms of a policy ([domain A-1], [domain A-2])."""

from __future__ import annotations

from datetime import date

import pytest

from tradecover.kit.errors import ValidationFailed
from tradecover.policies import AttachmentModel, AttachmentTerms, ShipmentDateBasis, TermsFrom
from tradecover.policies.attachment_terms import (
    DEFAULT_TERMS,
    current_terms,
    endorsed,
    history_from_list,
    history_to_list,
    terms_from_dict,
    terms_in_force,
    terms_to_dict,
)

HYBRID = AttachmentTerms(AttachmentModel.HYBRID, correction_days=5, authorised_sources=("customs",))
PORTFOLIO = AttachmentTerms(
    AttachmentModel.PORTFOLIO, shipment_date_basis=ShipmentDateBasis.ACCEPTANCE
)


def test_a_policy_that_never_chose_is_individual() -> None:
    assert DEFAULT_TERMS.model is AttachmentModel.INDIVIDUAL
    assert terms_in_force([], date(2026, 3, 1)) == DEFAULT_TERMS
    assert terms_from_dict(None) == DEFAULT_TERMS


@pytest.mark.parametrize(
    ("terms", "source", "attaches"),
    [
        (DEFAULT_TERMS, "customs", False),
        (PORTFOLIO, "erp", True),
        (HYBRID, "customs", True),
        (HYBRID, "ubl", False),
    ],
)
def test_what_attaches_on_receipt(terms: AttachmentTerms, source: str, attaches: bool) -> None:
    assert terms.attaches_on_receipt(source) is attaches


def test_terms_in_force_follow_the_effective_dates() -> None:
    history = [TermsFrom(date(2026, 1, 1), PORTFOLIO), TermsFrom(date(2026, 6, 1), HYBRID)]
    assert terms_in_force(history, date(2025, 12, 31)) == DEFAULT_TERMS
    assert terms_in_force(history, date(2026, 5, 31)) == PORTFOLIO
    assert terms_in_force(history, date(2026, 6, 1)) == HYBRID
    assert current_terms(history) == HYBRID


def test_an_endorsement_of_the_same_day_replaces_the_entry() -> None:
    history = endorsed([TermsFrom(date(2026, 1, 1), PORTFOLIO)], HYBRID, date(2026, 1, 1))
    assert history == [TermsFrom(date(2026, 1, 1), HYBRID)]
    later = endorsed(history, PORTFOLIO, date(2026, 3, 1))
    assert [item.terms for item in later] == [HYBRID, PORTFOLIO]


def test_history_round_trips() -> None:
    history = [TermsFrom(date(2026, 1, 1), PORTFOLIO), TermsFrom(date(2026, 6, 1), HYBRID)]
    assert history_from_list(history_to_list(history)) == history
    assert terms_from_dict(terms_to_dict(HYBRID)) == HYBRID


@pytest.mark.parametrize(
    ("terms", "code"),
    [
        (AttachmentTerms(correction_days=91), "correction_days_out_of_range"),
        (AttachmentTerms(correction_days=-1), "correction_days_out_of_range"),
        (AttachmentTerms(authorised_sources=("fax",)), "unknown_source"),
        (AttachmentTerms(AttachmentModel.HYBRID, authorised_sources=()), "no_authorised_source"),
    ],
)
def test_broken_terms_are_refused(terms: AttachmentTerms, code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        terms.validate()
    assert caught.value.code == code


def test_stored_garbage_is_refused_with_a_code() -> None:
    with pytest.raises(ValidationFailed) as caught:
        terms_from_dict({"model": "blanket"})
    assert caught.value.code == "invalid_attachment_terms"

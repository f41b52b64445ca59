"""The document registry's rules: numbers, hashes, the verdict and the stamp
([domain DOC-1], [domain DOC-2], [domain DOC-3])."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.documents.registry import (
    DocumentKind,
    Genuineness,
    InvalidDocumentNumber,
    Registered,
    content_hash,
    document_number,
    normalise_hash,
    normalise_number,
    parse_number,
    stamp_lines,
    verdict_of,
    verify_path,
)

HASH = hashlib.sha256(b"%PDF-1.4 a letter").hexdigest()
REGISTERED = Registered("DOC-2026-000123", DocumentKind.LIMIT_DECISION, HASH, date(2026, 12, 8))


def test_a_number_names_the_year_and_the_sequence() -> None:
    assert document_number(2026, 123) == "DOC-2026-000123"
    assert document_number(2027, 1_234_567) == "DOC-2027-1234567"
    assert parse_number(" doc-2026-000123 ") == (2026, 123)
    assert normalise_number("doc-2026-000123") == "DOC-2026-000123"


@pytest.mark.parametrize(
    "text", ["", "DOC-2026-123", "DOC-26-000123", "PN-2026-10-000001", "DOC-2026-00012a", "1"]
)
def test_a_text_not_shaped_like_a_number_is_refused(text: str) -> None:
    with pytest.raises(InvalidDocumentNumber):
        parse_number(text)


@pytest.mark.parametrize(("year", "sequence"), [(2026, 0), (2026, -1), (999, 1), (10_000, 1)])
def test_no_number_for_a_sequence_or_year_out_of_range(year: int, sequence: int) -> None:
    with pytest.raises(ValueError, match="no document number"):
        document_number(year, sequence)


@given(st.integers(1000, 9999), st.integers(1, 10**12 - 1))
def test_a_number_reads_back_as_written(year: int, sequence: int) -> None:
    assert parse_number(document_number(year, sequence)) == (year, sequence)


@given(st.integers(1, 10**9), st.integers(1, 10**9))
def test_two_sequences_never_share_a_number(a: int, b: int) -> None:
    assert (document_number(2026, a) == document_number(2026, b)) == (a == b)


def test_the_hash_is_the_sha256_of_the_exact_bytes() -> None:
    assert content_hash(b"%PDF-1.4 a letter") == HASH
    assert content_hash(b"%PDF-1.4 a letter ") != HASH
    assert normalise_hash(f" {HASH.upper()} ") == HASH
    assert normalise_hash("abc") is None and normalise_hash("g" * 64) is None


def test_genuine_only_with_the_registered_hash() -> None:
    verdict = verdict_of("DOC-2026-000123", HASH, REGISTERED)
    assert verdict.outcome is Genuineness.GENUINE
    assert verdict.kind is DocumentKind.LIMIT_DECISION and verdict.issued_on == date(2026, 12, 8)


def test_altered_bytes_are_not_genuine_and_say_nothing_of_the_document() -> None:
    altered = content_hash(b"%PDF-1.4 a letter, altered")
    verdict = verdict_of("DOC-2026-000123", altered, REGISTERED)
    assert verdict.outcome is Genuineness.NOT_GENUINE
    assert verdict.kind is None and verdict.issued_on is None


def test_an_unregistered_number_is_unknown() -> None:
    verdict = verdict_of("DOC-2026-000999", HASH, None)
    assert verdict.outcome is Genuineness.UNKNOWN_NUMBER and verdict.kind is None


def test_the_stamp_carries_the_number_and_where_to_verify_it() -> None:
    lines = stamp_lines("DOC-2026-000123", "https://cover.example/", lambda text: text)
    assert lines == (
        "Document number DOC-2026-000123",
        "Check that this document is genuine at "
        "https://cover.example/verify?number=DOC-2026-000123",
    )
    assert verify_path("DOC-2026-000123") == "/verify?number=DOC-2026-000123"

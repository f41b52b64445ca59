"""The claim decision letter as a PDF, in the reader's language."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from pypdf import PdfReader

from tradecover.claims.decision_pdf import (
    DecisionLetter,
    DecisionLine,
    decision_filename,
    decision_pdf,
)
from tradecover.kit.money import Money
from tradecover.mail.service import translate_to


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _letter(*, approved: bool) -> DecisionLetter:
    eur = "EUR"
    return DecisionLetter(
        claim_id=17,
        policy_id=3,
        policy_number="P-2026-0003",
        exporter_name="Acme Exports",
        buyer_name="Berlin Trading GmbH",
        cause="insolvency",
        approved=approved,
        decided_on=date(2026, 12, 2),
        loss=Money.of("10000.00", eur),
        indemnity=Money.of("9000.00" if approved else "0", eur),
        payable_from=date(2026, 12, 2) if approved else None,
        reason=None if approved else "the notice of possible loss came late",
        lines=[
            DecisionLine(
                declaration_id=7,
                loss=Money.of("10000.00", eur),
                covered=Money.of("10000.00", eur),
                indemnity_pct=Decimal("90"),
                indemnity=Money.of("9000.00", eur),
            )
        ],
    )


def test_an_approval_letter_names_the_claim_buyer_and_indemnity() -> None:
    letter = _letter(approved=True)
    text = _text(decision_pdf(letter, locale="en", translate=translate_to("en")))
    assert "Claim decision 17" in text
    assert "Berlin Trading GmbH" in text and "Approved" in text and "Insolvency" in text
    assert "€9,000.00" in text and "€10,000.00" in text and "90 %" in text
    assert "an indemnity of €9,000.00 is payable from Dec 2, 2026." in text
    assert decision_filename(letter) == "claim-17-decision.pdf"


def test_a_rejection_letter_gives_the_reason() -> None:
    text = _text(decision_pdf(_letter(approved=False), locale="en", translate=translate_to("en")))
    assert "Rejected" in text and "€0.00" in text
    assert "We rejected your claim for this reason: the notice of possible loss came late" in text


def test_the_letter_is_written_in_korean_and_chinese() -> None:
    letter = _letter(approved=True)
    korean = _text(decision_pdf(letter, locale="ko", translate=translate_to("ko")))
    assert "보험금 청구 결정서 17" in korean and "승인됨" in korean
    assert "insolvency" not in korean
    simplified = _text(decision_pdf(letter, locale="zh_Hans", translate=translate_to("zh_Hans")))
    assert "索赔决定书 17" in simplified and "€9,000.00" in simplified
    traditional = _text(decision_pdf(letter, locale="zh_Hant", translate=translate_to("zh_Hant")))
    assert "索賠決定書 17" in traditional

"""The registered letters render deterministically, in the four languages, with their
stamp on every page ([domain DOC-1], [domain DOC-4])."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from tradecover.claims.recovery_pdf import RecoveryLine, RecoveryStatement, recovery_pdf
from tradecover.documents.registry import stamp_lines
from tradecover.kit.money import Money
from tradecover.limits.decision_pdf import LimitDecision, limit_decision_pdf
from tradecover.mail.service import translate_to
from tradecover.policies.documents_pdf import (
    EndorsementText,
    PolicySchedule,
    endorsement_pdf,
    schedule_pdf,
)

LOCALES = ("en", "zh_Hans", "zh_Hant", "ko")
TITLES = {
    "en": "Policy schedule",
    "zh_Hans": "保险单明细表",
    "zh_Hant": "保險單明細表",
    "ko": "보험증권 명세",
}
USD = "USD"
SCHEDULE = PolicySchedule(
    policy_id=3,
    policy_number="ST-2026-000003",
    exporter_name="Acme Exports 中国",
    product="short_term_comprehensive",
    inception=date(2026, 1, 1),
    expiry=date(2026, 12, 31),
    maximum_liability=Money.of("1000000", USD),
    expected_turnover=Money.of("5000000", USD),
    indemnity_commercial_pct=Decimal("90"),
    indemnity_political_pct=Decimal("95"),
    declaration_frequency="monthly",
    base_rate_pct=Decimal("0.35"),
    dispute_resolution="arbitration",
    dispute_venue="Seoul",
    possible_loss_notice_days=30,
    endorsements=(EndorsementText(1, date(2026, 3, 1), "Buyers in BR on LC terms only."),),
)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_schedule_renders_the_same_bytes_twice_with_its_stamp(locale: str) -> None:
    translate = translate_to(locale)
    stamp = stamp_lines("DOC-2026-000007", "", translate)
    first = schedule_pdf(SCHEDULE, locale=locale, translate=translate, stamp=stamp)
    second = schedule_pdf(SCHEDULE, locale=locale, translate=translate, stamp=stamp)
    assert first == second and first.startswith(b"%PDF")
    text = _text(first)
    assert "DOC-2026-000007" in text and "/verify?number=DOC-2026-000007" in text
    assert TITLES[locale] in text
    if locale != "en":
        assert "Document number" not in text  # the stamp is translated too
    other = schedule_pdf(
        SCHEDULE,
        locale=locale,
        translate=translate,
        stamp=stamp_lines("DOC-2026-000008", "", translate),
    )
    assert other != first


def test_the_endorsement_states_its_text_and_date() -> None:
    translate = translate_to("en")
    text = _text(
        endorsement_pdf(SCHEDULE, SCHEDULE.endorsements[0], locale="en", translate=translate)
    )
    assert "Endorsement 1" in text and "Buyers in BR on LC terms only." in text
    assert "This endorsement forms part of the policy from Mar 1, 2026." in text


def test_the_limit_decision_letter_names_the_decision_in_the_readers_language() -> None:
    decision = LimitDecision(
        limit_id=42,
        version=2,
        decision="increase",
        status="active",
        policy_number="ST-2026-000003",
        policy_id=3,
        buyer_name="Buyer GmbH",
        country="DE",
        amount=Money.of("250000", USD),
        payment_terms="OA",
        credit_period_days=60,
        effective_from=date(2026, 6, 1),
        expires_on=None,
        indemnity_pct=Decimal("90"),
        conditions=None,
        reason="bigger orders",
    )
    english = _text(limit_decision_pdf(decision, locale="en", translate=translate_to("en")))
    assert "Limit decision letter 42" in english and "$250,000.00" in english
    assert "increase" not in english and "Increase" in english
    chinese = _text(
        limit_decision_pdf(decision, locale="zh_Hans", translate=translate_to("zh_Hans"))
    )
    assert "限额审批通知书 42" in chinese


def test_the_recovery_statement_shares_each_recovery() -> None:
    def usd(amount: str) -> Money:
        return Money.of(amount, USD)

    statement = RecoveryStatement(
        claim_id=9,
        policy_number=None,
        policy_id=3,
        exporter_name="Acme",
        buyer_name="Buyer GmbH",
        indemnity=usd("36000"),
        lines=(
            RecoveryLine(
                date(2026, 9, 1), "estate", usd("10000"), usd("1000"), usd("5400"), usd("3600")
            ),
        ),
    )
    assert statement.insurer_total == usd("5400")
    text = _text(recovery_pdf(statement, locale="en", translate=translate_to("en")))
    assert "Recovery statement 9" in text and "Insolvent buyer's estate" in text
    assert "$5,400.00" in text and "\nestate\n" not in text

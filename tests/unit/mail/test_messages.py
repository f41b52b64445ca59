"""E-mails of events in the recipient's language, English when a language has none."""

from __future__ import annotations

from tradecover.mail import MAILED_TYPES, compose

ISSUED = {
    "notice_id": 41,
    "policy_id": 3,
    "month": "2026-11",
    "total_amount": "1234.50",
    "currency": "USD",
    "due_date": "2026-12-31",
}


def test_a_notice_is_written_in_the_readers_language() -> None:
    english = compose("notice.issued", ISSUED, "en")
    chinese = compose("notice.issued", ISSUED, "zh_Hans")
    assert english is not None and chinese is not None
    assert "1234.50 USD" in english.body and "2026-12-31" in english.body
    assert "保费通知书" in chinese.subject and "1234.50" in chinese.body


def test_a_language_without_a_template_falls_back_to_english() -> None:
    message = compose("notice.issued", ISSUED, "zh_Hant")
    assert message is not None and message.subject == "Premium notice 41 issued"


def test_an_event_that_is_not_mailed_gives_no_message() -> None:
    assert compose("claim.filed", {}, "en") is None
    assert "notice.issued" in MAILED_TYPES

"""The dashboard's message catalogs: complete, compiled, and in step with the sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from tradecover.web import i18n

ROOT = Path(__file__).resolve().parents[3]


def _po(code: str) -> Path:
    return i18n.LOCALE_DIR / code / "LC_MESSAGES" / "messages.po"


def _ids(path: Path) -> set[object]:
    with path.open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


@pytest.mark.parametrize("code", i18n.LOCALES)
def test_every_message_is_translated(code: str) -> None:
    with _po(code).open("rb") as handle:
        catalog = read_po(handle)
    messages = [m for m in catalog if m.id]
    assert len(messages) > 100
    empty = [
        m.id for m in messages if not (all(m.string) if isinstance(m.string, tuple) else m.string)
    ]
    assert empty == []
    assert [m.id for m in messages if m.fuzzy] == []
    assert [m.id for m in messages if m.check(catalog)] == []


def _messages(path: Path) -> dict[object, object]:
    with path.open("rb") as handle:
        return {_plain(m.id): _plain(m.string) for m in read_mo(handle) if m.id}


def _plain(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


@pytest.mark.parametrize("code", i18n.LOCALES)
def test_the_committed_mo_file_is_up_to_date(code: str, tmp_path: Path) -> None:
    fresh = tmp_path / "messages.mo"
    with _po(code).open("rb") as source:
        catalog = read_po(source, locale=code)
    with fresh.open("wb") as target:
        write_mo(target, catalog)
    assert len(_messages(fresh)) > 100
    assert _messages(i18n.mo_path(code)) == _messages(fresh)


def test_the_catalogs_hold_exactly_the_messages_of_the_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pot = tmp_path / "messages.pot"
    monkeypatch.chdir(ROOT)
    CommandLineInterface().run(  # type: ignore[no-untyped-call]
        [
            "pybabel",
            "--quiet",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ]
    )
    source = _ids(pot)
    assert source == _ids(i18n.LOCALE_DIR / "messages.pot")
    for code in i18n.LOCALES:
        assert _ids(_po(code)) == source, code


def test_the_glossary_terms_are_used() -> None:
    expected = {
        "zh_Hans": {
            "Maximum liability": "保单最高赔偿限额",
            "Whole turnover": "统保",
            "Indemnity percentage": "赔偿比例",
            "Policy schedule": "保险单明细表",
        },
        "zh_Hant": {
            "Maximum liability": "保單最高賠償限額",
            "Whole turnover": "統保",
            "Indemnity percentage": "賠償比例",
            "Policy schedule": "保險單明細表",
        },
        "ko": {
            "Maximum liability": "최고보상한도",
            "Whole turnover": "포괄보험",
            "Indemnity percentage": "보상비율",
            "Policy schedule": "보험증권 명세",
        },
    }
    for code, terms in expected.items():
        for english, translated in terms.items():
            assert i18n.gettext(code, english) == translated


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_Hans"),
        ("zh-TW", "zh_Hant"),
        ("zh-Hant-HK", "zh_Hant"),
        ("fr-FR, ko;q=0.4, en;q=0.3", "ko"),
        ("en;q=0.2, ko-KR;q=0.9", "ko"),
        ("fr, de", None),
        ("", None),
        ("ko;q=abc", None),
    ],
)
def test_accept_language(header: str, expected: str | None) -> None:
    assert i18n.from_accept_language(header) == expected


def test_money_and_dates_follow_the_language() -> None:
    from datetime import date

    from tradecover.kit.money import Money

    assert i18n.Formatter("en").money(Money.of("1234567.891", "USD")) == "$1,234,567.89"
    assert i18n.Formatter("zh_Hans").money(Money.of("1234567.891", "USD")) == "US$1,234,567.89"
    assert i18n.Formatter("ko").minor(1_500_000, "KRW") == "₩1,500,000"
    assert i18n.Formatter("zh_Hans").date(date(2026, 3, 5)) == "2026年3月5日"
    assert i18n.Formatter("ko").date(date(2026, 3, 5)) == "2026. 3. 5."
    assert i18n.Formatter("en").percent(90) == "90%"
    assert i18n.Formatter("en").rate("0.125") == "0.125%"

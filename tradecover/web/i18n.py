"""Languages of the dashboard: Babel catalogs, locale choice and locale-aware formatting.

The dashboard speaks English and Simplified Chinese from the start, Traditional Chinese
and Korean beside them.  Catalogs live in ``locale/<code>/LC_MESSAGES/messages.po`` next
to this module and are compiled to ``.mo`` (both are committed; ``make translations``
recompiles).  Each language gets its own Jinja2 environment with the gettext callables
of its catalog installed, so concurrent requests in different languages never share
state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from tradecover.kit.money import Money
from tradecover.web import csrf

LOCALE_DIR = Path(__file__).parent / "locale"
TEMPLATE_DIR = Path(__file__).parent / "templates"
DOMAIN = "messages"
DEFAULT_LOCALE = "en"
LOCALE_COOKIE = "tc_locale"


@dataclass(frozen=True, slots=True)
class Language:
    """A language the dashboard offers: catalog code, HTML ``lang`` and its own name."""

    code: str
    html_lang: str
    native_name: str


LANGUAGES: tuple[Language, ...] = (
    Language("en", "en", "English"),
    Language("zh_Hans", "zh-Hans", "简体中文"),
    Language("zh_Hant", "zh-Hant", "繁體中文"),
    Language("ko", "ko", "한국어"),
)
LOCALES: tuple[str, ...] = tuple(lang.code for lang in LANGUAGES)
_BY_CODE = {lang.code: lang for lang in LANGUAGES}


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark ``message`` for extraction; it is translated later, where it is shown."""
    return message


def language(code: str) -> Language:
    """The :class:`Language` of a supported ``code`` (the default language otherwise)."""
    return _BY_CODE.get(code, _BY_CODE[DEFAULT_LOCALE])


def normalise(code: str | None) -> str | None:
    """A supported locale code for ``code`` (``zh-CN``, ``zh_TW``, ``ko-KR``...), or None."""
    if not code:
        return None
    raw = code.strip().replace("-", "_")
    if raw in _BY_CODE:
        return raw
    lowered = raw.lower()
    for lang in LANGUAGES:
        if lang.code.lower() == lowered:
            return lang.code
    if lowered.startswith("zh"):
        traditional = ("hant", "_tw", "_hk", "_mo")
        return "zh_Hant" if any(tag in lowered for tag in traditional) else "zh_Hans"
    base = lowered.split("_", 1)[0]
    return base if base in _BY_CODE else None


def from_accept_language(header: str | None) -> str | None:
    """The best supported locale of an ``Accept-Language`` header, or None."""
    if not header:
        return None
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        code = normalise(tag)
        if code and quality > 0:
            weighted.append((-quality, position, code))
    return min(weighted)[2] if weighted else None


def mo_path(code: str) -> Path:
    """Where the compiled catalog of ``code`` lives."""
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo"


@lru_cache(maxsize=len(LOCALES))
def translations(code: str) -> NullTranslations:
    """The compiled catalog of ``code`` (an empty one if it has not been compiled)."""
    path = mo_path(code)
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        return Translations(fp=handle, domain=DOMAIN)


class Formatter:
    """Numbers, money, percentages and dates written the way ``code``'s readers expect."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.locale = Locale.parse(code)

    def money(self, value: Money | None) -> str:
        """``value`` with its currency, to the currency's minor unit."""
        if value is None:
            return "—"
        return str(
            format_currency(
                value.rounded().amount, value.currency, locale=self.locale, currency_digits=True
            )
        )

    def minor(self, minor: int | None, currency: str) -> str:
        """An amount stored as integer minor units of ``currency``."""
        return "—" if minor is None else self.money(Money.from_minor(minor, currency))

    def decimal(self, value: Decimal | int | str | None) -> str:
        """A plain decimal number with grouping."""
        if value is None:
            return "—"
        return str(format_decimal(Decimal(value), format="#,##0.########", locale=self.locale))

    def percent(self, value: Decimal | int | str | None) -> str:
        """A percentage given in percent (``90`` is 90 %)."""
        if value is None:
            return "—"
        return self.ratio(Decimal(value) / 100)

    def ratio(self, value: Decimal | int | str | None) -> str:
        """A fraction written as a percentage (``0.25`` is 25 %)."""
        if value is None:
            return "—"
        return str(format_percent(Decimal(value), format="#,##0.##%", locale=self.locale))

    def rate(self, value: Decimal | int | str | None) -> str:
        """A premium rate given in percent, to a hundredth of a basis point."""
        if value is None:
            return "—"
        return str(format_percent(Decimal(value) / 100, format="#,##0.####%", locale=self.locale))

    def country(self, code: str | None) -> str:
        """A country's name in the reader's language, from its ISO 3166 alpha-2 code (the
        code itself where the language's data has no name for it).
        """
        if not code:
            return "—"
        return str(self.locale.territories.get(code.upper(), code))

    def date(self, value: date | None) -> str:
        """A business date, medium length."""
        return (
            "—" if value is None else str(format_date(value, format="medium", locale=self.locale))
        )

    def datetime(self, value: datetime | None) -> str:
        """An instant, in UTC, medium length."""
        if value is None:
            return "—"
        return (
            str(format_datetime(value, format="medium", tzinfo=value.tzinfo, locale=self.locale))
            + " UTC"
        )


@lru_cache(maxsize=len(LOCALES))
def environment(code: str) -> Environment:
    """The Jinja2 environment of one language: its catalog and formatters installed."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    catalog = translations(code)
    env.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]
    fmt = Formatter(code)
    env.filters.update(
        money=fmt.money,
        minor=fmt.minor,
        decimal=fmt.decimal,
        percent=fmt.percent,
        ratio=fmt.ratio,
        rate=fmt.rate,
        date=fmt.date,
        datetime=fmt.datetime,
        country=fmt.country,
        tr=catalog.gettext,
    )
    env.globals.update(lang=language(code), languages=LANGUAGES, fmt=fmt, csrf_field=csrf.field)
    return env


def render(code: str, template: str, context: dict[str, Any]) -> str:
    """Render ``template`` in the language ``code``."""
    return environment(code).get_template(template).render(context)


def gettext(code: str, message: str) -> str:
    """``message`` translated into ``code`` (for strings built in Python)."""
    return translations(code).gettext(message)

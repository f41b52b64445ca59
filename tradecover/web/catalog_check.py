"""Check the dashboard's message catalogs before they are compiled.

The templates translate with Jinja2's new-style gettext, which %-formats EVERY message
(``_("Cut (percent)")`` is ``gettext("Cut (percent)") % {}``), so a translation breaks
its page (a 500) when it

* names a placeholder the source string does not give (``%(amount)s`` for ``%(sum)s``)
  or drops or changes the conversion of one it gives (``%(num)s`` for ``%(num)d``);
* carries a bare ``%`` (``감액 비율(%)``): write ``%%`` or a word instead.

:func:`problems` lists every such message of a catalog; ``python -m
tradecover.web.catalog_check`` checks every catalog and exits 1 when one is broken (the
Makefile's ``translations`` target runs it before compiling).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from tradecover.web import i18n

_DIRECTIVE = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?(?P<spec>[#0\- +]*\d*(?:\.\d+)?)"
    r"(?P<conv>[diouxXeEfFgGcrsa%]|.?)",
    re.DOTALL,
)


class PlaceholderError(ValueError):
    """A string whose % directives cannot be formatted."""


def placeholders(text: str) -> list[tuple[str, str]]:
    """The ``(name, conversion)`` of every %-directive in ``text``, sorted (``%%`` left out).

    Raises :class:`PlaceholderError` on a bare ``%`` or an unknown conversion, and on a
    positional directive (``%s``: Jinja passes only named values).
    """
    found = []
    for match in _DIRECTIVE.finditer(text):
        conv = match.group("conv")
        if conv == "%" and match.group("name") is None and not match.group("spec"):
            continue
        if conv == "" or conv not in "diouxXeEfFgGcrsa":
            raise PlaceholderError(f"bare or unknown % directive {match.group(0)!r}")
        name = match.group("name")
        if name is None:
            raise PlaceholderError(f"positional directive {match.group(0)!r}: name it")
        found.append((name, conv))
    return sorted(found)


def message_problems(source: str, translation: str) -> list[str]:
    """Why ``translation`` cannot stand for ``source`` (empty: it can)."""
    try:
        wanted = placeholders(source)
    except PlaceholderError as error:
        return [f"source: {error}"]
    try:
        given = placeholders(translation)
    except PlaceholderError as error:
        return [str(error)]
    if set(given) != set(wanted):
        return [f"placeholders {sorted(set(given))} differ from the source's {sorted(set(wanted))}"]
    return []


def _pairs(message: Message) -> Iterator[tuple[str, str]]:
    """(source, translation) of each form: form 0 stands for the singular, the others
    for the plural source.
    """
    ids = message.id if isinstance(message.id, list | tuple) else (message.id,)
    strings = message.string if isinstance(message.string, list | tuple) else (message.string,)
    for index, text in enumerate(strings):
        if text:
            yield str(ids[0] if index == 0 else ids[-1]), str(text)


def problems(catalog: Catalog) -> list[str]:
    """Every broken message of ``catalog``: ``"<msgid>": <why>``."""
    out = []
    for message in catalog:
        if not message.id:
            continue
        for source, text in _pairs(message):
            out += [f"{source!r}: {why}" for why in message_problems(source, text)]
    return out


def catalog_of(code: str) -> Catalog:
    """The ``.po`` catalog of one language."""
    path: Path = i18n.LOCALE_DIR / code / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=code)


def main() -> int:
    """Check every catalog; print what is broken; 1 when anything is."""
    broken = 0
    for code in i18n.LOCALES:
        for line in problems(catalog_of(code)):
            print(f"{code}: {line}", file=sys.stderr)
            broken += 1
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())

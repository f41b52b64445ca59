"""Input hygiene: which characters free text may hold, which digits a number may be written
in, and how a cell the product writes is kept from being read as a spreadsheet formula.

The rules (``docs/security/input-hygiene.md``):

- **Refused everywhere**: the C0 controls U+0000-U+001F (NUL included: PostgreSQL cannot
  store it), DEL U+007F and the C1 controls U+0080-U+009F; the bidirectional formatting
  characters (embeddings and overrides U+202A-U+202E, isolates U+2066-U+2069, the marks
  U+200E, U+200F and U+061C: "Trojan Source" text that reads differently from what is
  stored); the line and paragraph separators U+2028/U+2029; lone surrogates
  U+D800-U+DFFF (not encodable as UTF-8).
- **Allowed in prose only**: tab, newline and a carriage return directly before a newline
  (a browser's textarea sends CRLF), in the fields whose name says they hold prose
  (:func:`allows_line_breaks`: reasons, notes, descriptions, explanations, messages...).
- **Numbers are ASCII**: a number written with other decimal digits (full-width
  ``"１００"``, Arabic-Indic...) is refused, never silently read; no field normalises them.
- **Formulas are text**: a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return is written with a leading apostrophe (:func:`spreadsheet_safe`), so that
  a spreadsheet shows it and never evaluates it; a cell read from an upload is always
  kept as the text it holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

from tradecover.kit.errors import ValidationFailed

_ALWAYS_REFUSED = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2066-\u2069\ud800-\udfff"
)
_LINE_TEXT: Final = re.compile(f"[{_ALWAYS_REFUSED}\t\n\r]")
"""What a one-line field refuses."""
_PROSE: Final = re.compile(f"[{_ALWAYS_REFUSED}]|\r(?!\n)")
"""What a prose field refuses: the same, less tab, newline and CRLF."""
_NON_ASCII_DIGIT: Final = re.compile(r"(?![0-9])\d")
"""A decimal digit (Unicode category Nd) that is not one of ASCII's ten."""
_PLAIN_NUMBER: Final = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
"""A signed decimal number: a spreadsheet reads it as that number, never as a formula."""

PROSE_FIELD_SUFFIXES: Final = (
    "reason",
    "reasons",
    "note",
    "notes",
    "comment",
    "comments",
    "description",
    "explanation",
    "remarks",
    "text",
    "message",
)
"""Field names ending so hold prose: tab and line breaks are allowed there."""

FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""


class UnsafeText(ValidationFailed):
    """A text field holds a control, bidirectional-formatting or other refused character."""

    default_code = "unsafe_text"


class NonAsciiDigits(ValidationFailed):
    """A number is written with digits other than ASCII 0-9 (e.g. full-width)."""

    default_code = "non_ascii_digits"


def allows_line_breaks(field: str) -> bool:
    """Whether the field named ``field`` (a name or a dotted path) holds prose."""
    name = field.rsplit(".", 1)[-1].lower()
    return name.endswith(PROSE_FIELD_SUFFIXES)


def refused_character(text: str, *, prose: bool = False) -> tuple[int, str] | None:
    """The first refused character of ``text`` and its index, or ``None`` when it is clean;
    ``prose`` allows tab, newline and CRLF.
    """
    found = (_PROSE if prose else _LINE_TEXT).search(text)
    return None if found is None else (found.start(), text[found.start()])


def describe(index: int, char: str) -> str:
    """A reader's description of a refused character: ``U+0000 at position 3``."""
    return f"U+{ord(char):04X} at position {index + 1}"


def problem_of(text: str, *, prose: bool = False) -> str | None:
    """Why ``text`` is refused (a sentence), or ``None`` when it is clean."""
    found = refused_character(text, prose=prose)
    if found is None:
        return None
    return (
        f"holds a refused character ({describe(*found)}): control and bidirectional "
        f"formatting characters are not accepted"
        + ("" if prose else "; tab and line breaks are not allowed in this field")
    )


def check_text(text: str, *, field: str, prose: bool | None = None) -> str:
    """``text`` unchanged when clean; else :class:`UnsafeText` naming ``field``.
    ``prose`` defaults to what the field's name says (:func:`allows_line_breaks`).
    """
    problem = problem_of(text, prose=allows_line_breaks(field) if prose is None else prose)
    if problem is not None:
        raise UnsafeText(f"{field} {problem}", field=field)
    return text


def unsafe_strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every (path, problem) of the strings inside ``value`` (nested lists, tuples, sets and
    mapping keys and values); a string's allowance is its own field's
    (:func:`allows_line_breaks` of the last name in ``path``).
    """
    if isinstance(value, str):
        problem = problem_of(value, prose=allows_line_breaks(path))
        if problem is not None:
            yield path, problem
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from unsafe_strings(key, path)
            yield from unsafe_strings(item, f"{path}.{key}" if isinstance(key, str) else path)
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            yield from unsafe_strings(item, f"{path}[{index}]")


def has_non_ascii_digits(text: str) -> bool:
    """Whether ``text`` holds a decimal digit other than ASCII 0-9 (e.g. ``"１"``)."""
    return _NON_ASCII_DIGIT.search(text) is not None


def check_number_text(text: str, *, field: str) -> str:
    """``text`` unchanged when its digits are ASCII; else :class:`NonAsciiDigits` naming
    ``field`` (``Decimal("１００")`` and ``int("１００")`` would silently read 100).
    """
    if has_non_ascii_digits(text):
        raise NonAsciiDigits(
            f"{field} must be written with the digits 0-9 (got {text!r}: full-width and "
            f"other non-ASCII digits are not accepted)",
            field=field,
        )
    return text


def spreadsheet_safe(value: Any) -> Any:
    """A cell value as written to a CSV or XLSX file: text beginning with ``=``, ``+``,
    ``-``, ``@``, tab or carriage return gets a leading apostrophe so a spreadsheet shows
    it as text; any other value (a signed decimal number such as ``"-12.50"`` included) is
    returned unchanged.
    """
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_TRIGGERS)
        and _PLAIN_NUMBER.fullmatch(value) is None
    ):
        return "'" + value
    return value


def spreadsheet_row(values: Any) -> list[Any]:
    """Each value of a row made :func:`spreadsheet_safe`."""
    return [spreadsheet_safe(value) for value in values]

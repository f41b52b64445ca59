"""Harmonized System (HS 2022) chapters and validation of HS codes.

A code is 2, 4, 6, 8 or 10 digits (chapter, heading, subheading, and the national
8- and 10-digit extensions); dots and spaces as written on invoices (``8471.30``) are
accepted and removed.  Its first two digits must be an HS chapter: 01-97 except the
reserved chapter 77.  Chapters 98 and 99 are national-use chapters outside the HS and
are refused unless the caller opts in.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import Final

from tradecover.kit.errors import ValidationFailed

DATA_FILE: Final = "hs_chapters.csv"
METADATA_FILE: Final = "hs_chapters.json"
CODE_LENGTHS: Final = frozenset({2, 4, 6, 8, 10})
"""Accepted lengths of an HS code, in digits."""


class UnknownHsCode(ValidationFailed):
    """The value is not a well-formed HS code in an existing chapter."""

    default_code = "unknown_hs_code"


class ChapterStatus(StrEnum):
    """Whether goods can be classified in a chapter."""

    ACTIVE = "active"
    RESERVED = "reserved"
    NATIONAL_USE = "national_use"


@dataclass(frozen=True, slots=True)
class HsChapter:
    """One HS chapter: two-digit code, section (I-XXI, empty for 98/99), status, title."""

    code: str
    section: str
    status: ChapterStatus
    description: str


@cache
def _chapters() -> dict[str, HsChapter]:
    text = files("tradecover.reference").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    result: dict[str, HsChapter] = {}
    for row in csv.DictReader(io.StringIO(text)):
        chapter = HsChapter(
            code=row["chapter"],
            section=row["section"],
            status=ChapterStatus(row["status"]),
            description=row["description"],
        )
        result[chapter.code] = chapter
    return result


def hs_chapters(*, include_unusable: bool = False) -> tuple[HsChapter, ...]:
    """List the HS chapters in order; only active ones unless ``include_unusable``."""
    return tuple(
        c for c in _chapters().values() if include_unusable or c.status is ChapterStatus.ACTIVE
    )


def hs_chapter(chapter: str) -> HsChapter:
    """Return chapter ``chapter`` (two digits, any status); raises UnknownHsCode."""
    found = _chapters().get(chapter)
    if found is None:
        raise UnknownHsCode(f"{chapter!r} is not an HS chapter", field="hs_code")
    return found


def normalize_hs_code(code: object) -> str:
    """Strip the dots and spaces of a written HS code (``"8471.30"`` -> ``"847130"``)."""
    if not isinstance(code, str):
        raise UnknownHsCode(f"HS code must be a string, not {type(code).__name__}")
    return code.replace(".", "").replace(" ", "")


def check_hs_code(code: object, *, field: str = "hs_code", allow_national_use: bool = False) -> str:
    """Return the normalised code if valid, else raise :class:`UnknownHsCode`.

    Valid means 2, 4, 6, 8 or 10 ASCII digits whose chapter is active, or is 98/99
    when ``allow_national_use`` is set.
    """
    if type(code) is str and (code, allow_national_use) in _VALID:
        return _VALID[(code, allow_national_use)]
    digits = _checked_hs_code(code, field=field, allow_national_use=allow_national_use)
    if type(code) is str and len(_VALID) < _VALID_MAX:
        _VALID[(code, allow_national_use)] = digits
    return digits


_VALID: dict[tuple[str, bool], str] = {}
"""Codes found valid (the chapters are reference data, fixed while the process runs)."""
_VALID_MAX = 65536


def _checked_hs_code(code: object, *, field: str, allow_national_use: bool) -> str:
    try:
        digits = normalize_hs_code(code)
    except UnknownHsCode as exc:
        exc.field = field
        raise
    if len(digits) not in CODE_LENGTHS or not (digits.isascii() and digits.isdigit()):
        raise UnknownHsCode(
            f"{code!r} is not an HS code of 2, 4, 6, 8 or 10 digits",
            field=field,
            details={"value": code},
        )
    chapter = _chapters().get(digits[:2])
    allowed = {ChapterStatus.ACTIVE}
    if allow_national_use:
        allowed.add(ChapterStatus.NATIONAL_USE)
    if chapter is None or chapter.status not in allowed:
        reason = "does not exist" if chapter is None else f"is {chapter.status.value}"
        raise UnknownHsCode(
            f"HS chapter {digits[:2]} of {code!r} {reason}",
            field=field,
            details={"value": code, "chapter": digits[:2]},
        )
    return digits


def chapter_of(code: str, *, allow_national_use: bool = False) -> HsChapter:
    """Return the chapter of a valid HS code; raises :class:`UnknownHsCode` otherwise."""
    digits = check_hs_code(code, allow_national_use=allow_national_use)
    return _chapters()[digits[:2]]

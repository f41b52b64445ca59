"""The document registry's rules: numbers, content hashes and the verification verdict.

Every PDF the insurer issues is a registered document ([domain DOC-1]): it carries a
document number ``DOC-2026-000123`` (:func:`document_number`, the year of issue and the
registry's sequence, unique) and the registry keeps the SHA-256 of its exact bytes
(:func:`content_hash`) [domain DOC-2].  A hash cannot be inside the bytes it hashes, so the
PDF shows only its number and where to check it (:func:`verify_path`); whoever holds the
file gives the number and the file (or its hash) and gets a :class:`Verdict` back
(:func:`verdict_of`) that tells genuine, not genuine or unknown number, with the kind and
the date of issue only when genuine: never the document's contents [domain DOC-3].
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from urllib.parse import quote


class DocumentKind(StrEnum):
    """The kinds of document the registry issues [domain DOC-1]."""

    POLICY_SCHEDULE = "policy_schedule"
    ENDORSEMENT = "endorsement"
    LIMIT_DECISION = "limit_decision"
    PREMIUM_NOTICE = "premium_notice"
    SUBSIDY_STATEMENT = "subsidy_statement"
    CLAIM_DECISION = "claim_decision"
    RECOVERY_STATEMENT = "recovery_statement"


PREFIX = "DOC"
NUMBER_PATTERN = re.compile(r"^DOC-([0-9]{4})-([0-9]{6,12})$")
"""A document number: ``DOC-``, the year of issue, ``-``, the sequence (six digits and more)."""
HASH_PATTERN = re.compile(r"^[0-9a-f]{64}$")
VERIFY_PATH = "/verify"


class InvalidDocumentNumber(ValueError):
    """A text that is not shaped like a document number."""


def document_number(year: int, sequence: int) -> str:
    """The number of the ``sequence``-th registered document, issued in ``year`` [domain DOC-1]."""
    if not sequence >= 1 or not 1000 <= year <= 9999:
        raise ValueError(f"no document number for year {year}, sequence {sequence}")
    return f"{PREFIX}-{year:04d}-{sequence:06d}"


def parse_number(text: str) -> tuple[int, int]:
    """The year and sequence of a document number (spaces around it and case ignored)."""
    found = NUMBER_PATTERN.match(text.strip().upper())
    if found is None:
        raise InvalidDocumentNumber(text)
    return int(found.group(1)), int(found.group(2))


def normalise_number(text: str) -> str:
    """The canonical spelling of a document number (raises :class:`InvalidDocumentNumber`)."""
    year, sequence = parse_number(text)
    return document_number(year, sequence)


def content_hash(content: bytes) -> str:
    """The SHA-256 of a document's exact bytes, in lower-case hex [domain DOC-2]."""
    return hashlib.sha256(content).hexdigest()


def normalise_hash(text: str) -> str | None:
    """A SHA-256 given as hex (any case, spaces around it), or None when not shaped like one."""
    value = text.strip().lower()
    return value if HASH_PATTERN.match(value) else None


def verify_path(number: str) -> str:
    """Where the holder of document ``number`` checks it: ``/verify?number=...``."""
    return f"{VERIFY_PATH}?number={quote(number)}"


class Genuineness(StrEnum):
    """What the registry answers about a number and a file [domain DOC-3]."""

    GENUINE = "genuine"
    NOT_GENUINE = "not_genuine"
    UNKNOWN_NUMBER = "unknown_number"


@dataclass(frozen=True, slots=True)
class Registered:
    """What the registry keeps of one issued document that a verification compares."""

    number: str
    kind: DocumentKind
    sha256: str
    issued_on: date


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer of a verification: the kind and the date of issue only when genuine."""

    number: str
    outcome: Genuineness
    kind: DocumentKind | None = None
    issued_on: date | None = None


def verdict_of(number: str, sha256: str, registered: Registered | None) -> Verdict:
    """Genuine when ``number`` is registered with exactly ``sha256``; not genuine when it is
    registered with another hash; unknown otherwise [domain DOC-3].
    """
    if registered is None:
        return Verdict(number, Genuineness.UNKNOWN_NUMBER)
    if registered.sha256 != sha256.lower():
        return Verdict(number, Genuineness.NOT_GENUINE)
    return Verdict(number, Genuineness.GENUINE, registered.kind, registered.issued_on)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark ``message`` for the catalogs; it is translated where it is used."""
    return message


STAMP_NUMBER = N_("Document number %(number)s")
STAMP_VERIFY = N_("Check that this document is genuine at %(url)s")
KIND_LABELS = {
    DocumentKind.POLICY_SCHEDULE: N_("Policy schedule"),
    DocumentKind.ENDORSEMENT: N_("Endorsement"),
    DocumentKind.LIMIT_DECISION: N_("Limit decision letter"),
    DocumentKind.PREMIUM_NOTICE: N_("Premium notice"),
    DocumentKind.SUBSIDY_STATEMENT: N_("Subsidy statement"),
    DocumentKind.CLAIM_DECISION: N_("Claim decision"),
    DocumentKind.RECOVERY_STATEMENT: N_("Recovery statement"),
}
"""The name of each kind, a message of the dashboard's catalogs."""


def stamp_lines(number: str, base_url: str, translate: Callable[[str], str]) -> tuple[str, ...]:
    """The footer every page of a registered document carries: its number and where to
    verify it (``base_url``: the dashboard's address, may be empty) [domain DOC-1].
    """
    _ = translate
    url = base_url.rstrip("/") + verify_path(number)
    return (_(STAMP_NUMBER) % {"number": number}, _(STAMP_VERIFY) % {"url": url})

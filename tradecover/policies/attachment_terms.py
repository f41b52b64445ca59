"""The attachment model of a policy ([domain A-1]): how shipments received from connected
sources attach cover, as a pure value of the schedule.

* **individual**: only what the exporter notifies is covered; a shipment received from a
  source waits for the exporter's confirmation within the declaration deadline;
* **portfolio**: everything in scope attaches on receipt;
* **hybrid**: attaches on receipt from an authorised source; the exporter may correct or
  withdraw it within ``correction_days``.

The model is part of the schedule and changes only by endorsement, from an effective date
([domain A-2]): a policy keeps the list of the terms it has had, each with the day it took
effect, and :func:`terms_in_force` picks the one in force on a day.  A policy that never
chose is individual (its exporter notified every shipment by hand before automatic
attachment existed, so nothing attaches without the exporter's word).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from tradecover.kit.errors import ValidationFailed


class AttachmentModel(StrEnum):
    """How received shipments attach cover under a policy."""

    INDIVIDUAL = "individual"
    PORTFOLIO = "portfolio"
    HYBRID = "hybrid"


class ShipmentDateBasis(StrEnum):
    """Which customs date is the shipment date: exit, else acceptance; or acceptance."""

    EXIT_THEN_ACCEPTANCE = "exit_then_acceptance"
    ACCEPTANCE = "acceptance"


FEED_SOURCES = ("customs", "ubl", "cii", "erp")
"""The sources a hybrid policy may authorise."""

MAX_CORRECTION_DAYS = 90
DEFAULT_CORRECTION_DAYS = 7


@dataclass(frozen=True, slots=True)
class AttachmentTerms:
    """The schedule's attachment terms: the model, the hybrid's correction window in days,
    the sources a hybrid policy authorises and the shipment-date basis of customs records.
    """

    model: AttachmentModel = AttachmentModel.INDIVIDUAL
    correction_days: int = DEFAULT_CORRECTION_DAYS
    authorised_sources: tuple[str, ...] = FEED_SOURCES
    shipment_date_basis: ShipmentDateBasis = ShipmentDateBasis.EXIT_THEN_ACCEPTANCE

    def validate(self) -> None:
        """Raise :class:`ValidationFailed` naming the first broken term."""
        if isinstance(self.correction_days, bool) or not (
            0 <= self.correction_days <= MAX_CORRECTION_DAYS
        ):
            raise ValidationFailed(
                f"correction_days must be 0 to {MAX_CORRECTION_DAYS}",
                code="correction_days_out_of_range",
                field="correction_days",
            )
        unknown = [s for s in self.authorised_sources if s not in FEED_SOURCES]
        if unknown:
            raise ValidationFailed(
                f"unknown sources {', '.join(unknown)}; known: {', '.join(FEED_SOURCES)}",
                code="unknown_source",
                field="authorised_sources",
            )
        if self.model is AttachmentModel.HYBRID and not self.authorised_sources:
            raise ValidationFailed(
                "a hybrid policy authorises at least one source",
                code="no_authorised_source",
                field="authorised_sources",
            )

    def attaches_on_receipt(self, source: str) -> bool:
        """Whether a document of ``source`` attaches when received ([domain A-1])."""
        if self.model is AttachmentModel.PORTFOLIO:
            return True
        if self.model is AttachmentModel.HYBRID:
            return source in self.authorised_sources
        return False

    def describe(self) -> str:
        """One line in words for an endorsement's text (no stored codes: the exporter reads it)."""
        basis = _BASIS_WORDS[self.shipment_date_basis]
        if self.model is AttachmentModel.HYBRID:
            return (
                f"attachment model hybrid: attaches on receipt from "
                f"{', '.join(self.authorised_sources)}; corrections and withdrawals within "
                f"{self.correction_days} days; the shipment date is {basis}"
            )
        return f"attachment model {self.model.value}; the shipment date is {basis}"


_BASIS_WORDS = {
    ShipmentDateBasis.EXIT_THEN_ACCEPTANCE: "the date of exit, else of acceptance by customs",
    ShipmentDateBasis.ACCEPTANCE: "the date of acceptance by customs",
}

DEFAULT_TERMS = AttachmentTerms()
"""Individual, 7 days, every source, exit else acceptance."""


@dataclass(frozen=True, slots=True)
class TermsFrom:
    """Attachment terms in force from ``effective`` on."""

    effective: date
    terms: AttachmentTerms


def terms_to_dict(terms: AttachmentTerms) -> dict[str, Any]:
    """The terms as JSON-ready values."""
    return {
        "model": terms.model.value,
        "correction_days": terms.correction_days,
        "authorised_sources": list(terms.authorised_sources),
        "shipment_date_basis": terms.shipment_date_basis.value,
    }


def terms_from_dict(data: dict[str, Any] | None) -> AttachmentTerms:
    """Rebuild terms from :func:`terms_to_dict` output (``None``: the default terms)."""
    if not data:
        return DEFAULT_TERMS
    try:
        terms = AttachmentTerms(
            model=AttachmentModel(data.get("model", DEFAULT_TERMS.model.value)),
            correction_days=int(data.get("correction_days", DEFAULT_CORRECTION_DAYS)),
            authorised_sources=tuple(data.get("authorised_sources", FEED_SOURCES)),
            shipment_date_basis=ShipmentDateBasis(
                data.get("shipment_date_basis", DEFAULT_TERMS.shipment_date_basis.value)
            ),
        )
    except ValueError as error:
        raise ValidationFailed(
            f"invalid attachment terms: {error}", code="invalid_attachment_terms"
        ) from None
    terms.validate()
    return terms


def history_to_list(history: Sequence[TermsFrom]) -> list[dict[str, Any]]:
    """A policy's attachment terms over time, as stored (oldest first)."""
    return [
        {"effective": item.effective.isoformat(), **terms_to_dict(item.terms)} for item in history
    ]


def history_from_list(data: Sequence[dict[str, Any]] | None) -> list[TermsFrom]:
    """Rebuild the history from :func:`history_to_list` output, oldest first."""
    items = [
        TermsFrom(date.fromisoformat(str(entry["effective"])), terms_from_dict(entry))
        for entry in data or ()
    ]
    return sorted(items, key=lambda item: item.effective)


def terms_in_force(history: Sequence[TermsFrom], on: date) -> AttachmentTerms:
    """The terms in force on ``on``: the latest to take effect on or before it; before the
    first (or with none), the default individual terms ([domain A-2]).
    """
    current = DEFAULT_TERMS
    for item in sorted(history, key=lambda entry: entry.effective):
        if item.effective <= on:
            current = item.terms
    return current


def current_terms(history: Sequence[TermsFrom]) -> AttachmentTerms:
    """The latest terms of the history (the schedule's, as it now reads), else the default."""
    return max(history, key=lambda item: item.effective).terms if history else DEFAULT_TERMS


def endorsed(
    history: Sequence[TermsFrom], terms: AttachmentTerms, effective: date
) -> list[TermsFrom]:
    """The history once ``terms`` take effect on ``effective``: an entry of the same day is
    replaced, later entries stay (an endorsement changes the terms from its date on).
    """
    terms.validate()
    kept = [item for item in history if item.effective != effective]
    return sorted([*kept, TermsFrom(effective, terms)], key=lambda item: item.effective)

"""Finding the registry's buyer a trade document names, among an exporter's buyers
([domain FR-6]).

The identity matching of credit limits extended to what e-invoices, customs records and ERP
events carry: a VAT number, an EORI number, a registration number, a name.  Every
identifier is normalised as the registry stores it (separators gone, upper case, a VAT-style
country prefix dropped: :func:`~tradecover.buyers.identity.normalise_national_id`) and
looked up with one indexed query among the buyers related to the exporter (merged records
left out), on ``tax_id`` and ``registration_number``.  An EORI number is, in most EU
states, the VAT or registration number behind the country code, so it is compared with
both.  The strongest match wins: VAT, then EORI, then registration number; failing all,
the normalised legal name (one in the document's country first).  Two buyers
matched at the same strength are no match: the document is not guessed onto one of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from tradecover.buyers.identity import InvalidIdentifier, normalise_name, normalise_national_id
from tradecover.buyers.model import Buyer, ExporterBuyerRelationship


@dataclass(frozen=True, slots=True)
class DocumentParty:
    """The identifiers a document gives for its buyer (any may be missing)."""

    name: str | None = None
    country: str | None = None
    vat: str | None = None
    eori: str | None = None
    registration: str | None = None


@dataclass(frozen=True, slots=True)
class IdentifiedBuyer:
    """The related buyer a document names, and by what."""

    buyer_id: int
    matched_by: str  # vat, eori, registration, name


def _national(raw: str | None, country: str | None) -> str | None:
    """``raw`` as the registry stores national ids (the prefix of its own country dropped)."""
    if not raw:
        return None
    prefix = raw.strip()[:2].upper()
    country = (country or (prefix if prefix.isalpha() else "")).upper()
    try:
        value = normalise_national_id(raw, country=country, field="identifier")
    except InvalidIdentifier:
        return None
    if len(value) > 2 and value[:2].isalpha() and value[:2] == prefix and value[2].isdigit():
        value = value[2:]  # a VAT or EORI prefix of another country than the buyer's
    return value


_Found = tuple[int, str | None, str | None, str, str]


def _by_name(rows: Sequence[_Found], name: str, country: str | None) -> list[int]:
    """The buyers of that name: those in the document's country where there are any."""
    named = [r for r in rows if name and r[3] == name]
    local = [r for r in named if country and r[4] == country.upper()]
    return [int(r[0]) for r in (local or named)]


def _wanted(party: DocumentParty) -> tuple[str | None, str | None, str | None, str]:
    """``party``'s identifiers as the registry stores them, and its normalised name."""
    return (
        _national(party.vat, party.country),
        _national(party.eori, party.country),
        _national(party.registration, party.country),
        normalise_name(party.name) if party.name else "",
    )


def _conditions(
    vat: str | None, eori: str | None, registration: str | None, name: str
) -> list[ColumnElement[bool]]:
    ids = {v for v in (vat, eori, registration) if v}
    conditions: list[ColumnElement[bool]] = []
    if ids:
        conditions += [Buyer.tax_id.in_(ids), Buyer.registration_number.in_(ids)]
    if name:
        conditions.append(Buyer.normalised_name == name)
    return conditions


def _related(
    session: Session, exporter_org_id: int, conditions: Sequence[ColumnElement[bool]], limit: int
) -> list[_Found]:
    result = session.execute(
        select(
            Buyer.id,
            Buyer.tax_id,
            Buyer.registration_number,
            Buyer.normalised_name,
            Buyer.country,
        )
        .join(ExporterBuyerRelationship, ExporterBuyerRelationship.buyer_id == Buyer.id)
        .where(
            ExporterBuyerRelationship.org_id == exporter_org_id,
            Buyer.merged_into_id.is_(None),
            or_(*conditions),
        )
        .limit(limit)
    )
    return [(int(r[0]), r[1], r[2], str(r[3]), str(r[4])) for r in result]


def _strongest(party: DocumentParty, rows: Sequence[_Found]) -> IdentifiedBuyer | None:
    """The one buyer of ``rows`` ``party`` names at the strongest level, or None."""
    vat, eori, registration, name = _wanted(party)
    levels: tuple[tuple[str, list[int]], ...] = (
        ("vat", [r[0] for r in rows if vat and r[1] == vat]),
        ("eori", [r[0] for r in rows if eori and eori in (r[1], r[2])]),
        ("registration", [r[0] for r in rows if registration and r[2] == registration]),
        ("name", _by_name(rows, name, party.country)),
    )
    for matched_by, found in levels:
        distinct = sorted(set(found))
        if len(distinct) == 1:
            return IdentifiedBuyer(int(distinct[0]), matched_by)
        if len(distinct) > 1:
            return None
    return None


def identify_related_buyer(
    session: Session, exporter_org_id: int, party: DocumentParty
) -> IdentifiedBuyer | None:
    """The buyer related to ``exporter_org_id`` that ``party`` names, or None (no buyer, or
    two at the strongest level that matched).
    """
    conditions = _conditions(*_wanted(party))
    if not conditions:
        return None
    return _strongest(party, _related(session, exporter_org_id, conditions, 50))


def identify_related_buyers(
    session: Session, exporter_org_id: int, parties: Sequence[DocumentParty]
) -> dict[DocumentParty, IdentifiedBuyer | None]:
    """What :func:`identify_related_buyer` finds for each of ``parties``, with one query for
    all of them (a batch of documents of one exporter).
    """
    conditions = [c for party in set(parties) for c in _conditions(*_wanted(party))]
    rows = (
        _related(session, exporter_org_id, conditions, 50 * len(parties) + 50) if conditions else []
    )
    return {party: _strongest(party, rows) for party in parties}

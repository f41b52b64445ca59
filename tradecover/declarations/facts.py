"""What the cover decisions of a set of shipments read, loaded set-based before deciding:
plain values (no SQL, no ORM).

Both attachment stores fill :class:`AttachmentFacts` from the one read model of each
(:mod:`tradecover.reporting.attachment_facts`: portable;
:mod:`tradecover.reporting.attachment_facts_pg`: PostgreSQL, in the store's first round
trip, which also locks the limits' reservation rows and the audit chain heads and reserves
the declarations' ids).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from tradecover.declarations.cover import CountryCoverStatus, PolicyFacts


@dataclass(frozen=True, slots=True)
class LimitVersionRow:
    """One version of a credit limit, as the cover decision reads it."""

    id: int
    kind: str
    currency: str
    amount_minor: int
    effective_from: date
    expires_on: date | None
    indemnity_pct: Decimal | None
    number: int


@dataclass(frozen=True, slots=True)
class LimitRow:
    """The exporter's credit limit on a buyer under a policy, with every version."""

    id: int
    status: str
    versions: tuple[LimitVersionRow, ...]

    def version_on(self, on: date) -> LimitVersionRow | None:
        """The version in force on ``on``: the latest effective by then."""
        found = [v for v in self.versions if v.effective_from <= on]
        return max(found, key=lambda v: (v.effective_from, v.number)) if found else None


@dataclass(frozen=True, slots=True)
class BuyerRow:
    """A buyer as the attachment reads it: its country, whether the exporter trades with
    it, whether it is frozen (an open notice of possible loss), its country's cover and
    the probability of default of its latest rating (``None``: not rated), which prices it.
    """

    country: str | None
    known: bool
    frozen: bool
    country_status: CountryCoverStatus
    pd: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PolicyRow:
    """A policy as the attachment reads it: whose it is, its period and currency, what
    prices its declarations, and its cover view (:class:`PolicyFacts`).
    """

    id: int
    exporter_org_id: int
    currency: str
    inception: date
    expiry: date
    indemnity_commercial_pct: Decimal
    flat_rate_option: bool
    flat_rate_pct: Decimal | None
    rate_table: str
    rate_floating: dict[str, Any] | None
    cover: PolicyFacts
    product: str = "short_term_comprehensive"
    """The policy's product: a domestic one covers buyers at home only [domain DT-1]."""


@dataclass(slots=True)
class AttachmentFacts:
    """Everything the cover decisions of a set of shipments read.

    ``outstanding`` (limit id -> minor units) is what the locked reservation rows of the
    limits hold.  ``heads`` (audit chain -> last position and hash), ``ids`` (declaration
    ids reserved for the new rows) and ``pricing_stamp`` are read, and the heads locked,
    only by the PostgreSQL store.
    """

    policies: dict[int, PolicyRow]
    buyers: dict[int, BuyerRow]
    limits: dict[tuple[int, int], LimitRow]
    duplicates: dict[tuple[int, str], int]
    outstanding: dict[int, int] = field(default_factory=dict)
    heads: dict[int, tuple[int, str]] | None = None
    ids: list[int] = field(default_factory=list)
    pricing_stamp: tuple[str, str] | None = None  # read with the facts (PostgreSQL)


def pick_limits(
    heads: dict[int, tuple[int, int, str]], versions: dict[int, list[LimitVersionRow]]
) -> dict[tuple[int, int], LimitRow]:
    """The exporter's limit per (policy, buyer) from limit rows ``heads`` (id -> policy,
    buyer, status): the active one first, then the newest.
    """
    limits: dict[tuple[int, int], LimitRow] = {}
    for limit_id in sorted(heads, key=lambda i: (heads[i][2] == "active", i)):
        policy_id, buyer_id, status = heads[limit_id]
        limits[(policy_id, buyer_id)] = LimitRow(
            limit_id, status, tuple(versions.get(limit_id, ()))
        )
    return limits

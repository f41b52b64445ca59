"""The pure rules of selective filtering and of the payment-experience pool.

Per connected feed source, the exporter chooses which fields of its documents the other
organisations may see ([003], [domain CS-11]).  What automatic attachment needs — the
buyer, the amounts, the currency, the dates, the payment terms and the HS code whose
chapter prices the cover — is the minimum the policy names and is always shared; the
rest (goods description, line items and unit prices, the transport document, the
original document's bytes) the exporter may withhold.  A withheld field is never stored
on the reading side: the feed stores a projection of the document without it.

The pool of buyers' payment experience ([000], [domain CS-12]) shows a buyer's pooled
figures only when at least :data:`POOL_MIN_CONTRIBUTORS` exporters contribute.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from tradecover.kit.errors import ValidationFailed


class SharedField(StrEnum):
    """A field of a feed document an exporter shares or withholds [domain CS-11]."""

    BUYER = "buyer"
    AMOUNTS = "amounts"
    CURRENCY = "currency"
    DATES = "dates"
    PAYMENT_TERMS = "payment_terms"
    HS_CODE = "hs_code"
    GOODS_DESCRIPTION = "goods_description"
    LINE_ITEMS = "line_items"
    TRANSPORT_DOCUMENT = "transport_document"
    ORIGINAL_DOCUMENT = "original_document"


MINIMUM_FIELDS = frozenset(
    {
        SharedField.BUYER,
        SharedField.AMOUNTS,
        SharedField.CURRENCY,
        SharedField.DATES,
        SharedField.PAYMENT_TERMS,
        SharedField.HS_CODE,
    }
)
"""What automatic attachment needs: always shared, never withheld [domain CS-11]."""

FEED_SOURCES = ("customs", "ubl", "cii", "erp")
"""The kinds of feed source an exporter connects (the feeds context's list)."""

POOL_MIN_CONTRIBUTORS = 3
"""k of the pool's k-anonymity: a buyer's pooled figures show only with this many
contributing exporters [domain CS-12]."""

_LABELS = {
    SharedField.BUYER: "buyer",
    SharedField.AMOUNTS: "amounts",
    SharedField.CURRENCY: "currency",
    SharedField.DATES: "dates",
    SharedField.PAYMENT_TERMS: "payment terms",
    SharedField.HS_CODE: "HS code",
    SharedField.GOODS_DESCRIPTION: "goods description",
    SharedField.LINE_ITEMS: "line items with unit prices",
    SharedField.TRANSPORT_DOCUMENT: "transport document",
    SharedField.ORIGINAL_DOCUMENT: "original documents",
}


def parse_source(value: str) -> str:
    """A feed source kind, or 422 ``unknown_source``."""
    if value not in FEED_SOURCES:
        raise ValidationFailed(
            f"unknown source {value!r} (known: {', '.join(FEED_SOURCES)})",
            code="unknown_source",
            field="source",
        )
    return value


def parse_withheld(values: Iterable[str]) -> frozenset[SharedField]:
    """The fields the exporter withholds [domain CS-11]: an unknown one is refused
    (``unknown_field``), and so is one of the policy's minimum (``field_in_minimum``).
    """
    out: set[SharedField] = set()
    for value in values:
        try:
            field = SharedField(value)
        except ValueError:
            known = ", ".join(f.value for f in SharedField if f not in MINIMUM_FIELDS)
            raise ValidationFailed(
                f"unknown field {value!r} (may be withheld: {known})",
                code="unknown_field",
                field="withheld",
            ) from None
        if field in MINIMUM_FIELDS:
            raise ValidationFailed(
                f"{_LABELS[field]} is what automatic attachment needs: the policy shares it",
                code="field_in_minimum",
                field="withheld",
            )
        out.add(field)
    return frozenset(out)


def effective_withheld(withheld: Iterable[str]) -> frozenset[SharedField]:
    """What is withheld in effect: withholding any field withholds the original document
    too (its bytes hold the field) [domain CS-11].
    """
    out = frozenset(SharedField(v) for v in withheld)
    return out | {SharedField.ORIGINAL_DOCUMENT} if out else out


def _join(labels: list[str]) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return f"{', '.join(labels[:-1])} and {labels[-1]}"


def sharing_summary(withheld: Iterable[str], buyers: int, reader: str = "Your insurer") -> str:
    """The plain-language sentence of what a reader sees of the exporter's shipments.

    [domain CS-11] For example: "Your insurer can see buyer, amounts and dates of your
    shipments to 14 buyers; it cannot see line items with unit prices."
    """
    hidden = effective_withheld(withheld)
    seen = [_LABELS[f] for f in SharedField if f not in hidden]
    unseen = [_LABELS[f] for f in SharedField if f in hidden]
    noun = "buyer" if buyers == 1 else "buyers"
    sentence = f"{reader} can see {_join(seen)} of your shipments to {buyers} {noun}"
    if unseen:
        return f"{sentence}; it cannot see {_join(unseen)}."
    return f"{sentence}."


@dataclass(frozen=True, slots=True)
class BuyerExperience:
    """One exporter's payment experience of one buyer: its overdue notices (and the
    longest delay) and its claims [domain CS-12].
    """

    buyer_id: int
    overdue_notices: int
    max_days_late: int
    claims: int


@dataclass(frozen=True, slots=True)
class PooledExperience:
    """A buyer's payment experience pooled over contributing exporters, no exporter named."""

    buyer_id: int
    contributors: int
    reporting: int
    """Contributors with at least one overdue notice or claim on the buyer."""
    overdue_notices: int
    max_days_late: int
    claims: int


def pooled(buyer_id: int, rows: Iterable[BuyerExperience]) -> PooledExperience | None:
    """The pooled figures of ``buyer_id`` over one row per contributor, or None when fewer
    than :data:`POOL_MIN_CONTRIBUTORS` contribute (k-anonymity) [domain CS-12].
    """
    items = [r for r in rows if r.buyer_id == buyer_id]
    if len(items) < POOL_MIN_CONTRIBUTORS:
        return None
    return PooledExperience(
        buyer_id=buyer_id,
        contributors=len(items),
        reporting=sum(1 for r in items if r.overdue_notices or r.claims),
        overdue_notices=sum(r.overdue_notices for r in items),
        max_days_late=max(r.max_days_late for r in items),
        claims=sum(r.claims for r in items),
    )


def overdue_reports_from_pool(pool: PooledExperience | None) -> int:
    """What the pool adds to a buyer's overdue reports in its rating [domain CS-12]: each
    contributor with an overdue notice or a claim counts once, so one exporter's long list
    weighs as one report; nothing below k contributors.
    """
    return 0 if pool is None else pool.reporting

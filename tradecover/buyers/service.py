"""Registering and assessing buyers: the registry's use cases that write a buyer record.

Registering runs :func:`tradecover.buyers.identity.match_buyer` against the candidates of
:func:`tradecover.buyers.matching.candidates`: ``same`` reuses the record, ``possible``
creates a new one and puts the pair in the review queue, ``different`` creates one.  An
exporter's registration records its relationship to the buyer.  Assessing records new
financials, payment record or adverse events; both re-rate the buyer
(:func:`tradecover.buyers.rating_records.rate`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover import audit
from tradecover.access import Permission, Principal
from tradecover.buyers.directory import BuyerKind, get_buyer
from tradecover.buyers.identity import (
    MatchResult,
    MatchVerdict,
    buyer_identity,
    rank_matches,
)
from tradecover.buyers.matching import candidates, identity_of
from tradecover.buyers.model import Buyer, BuyerMatchReview, ExporterBuyerRelationship
from tradecover.buyers.rating_factors import (
    AdverseEvent,
    CompanyType,
    Sector,
    SizeBand,
)
from tradecover.buyers.rating_records import rate
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money

FINANCIAL_RATIOS = ("current_ratio", "debt_to_equity", "net_margin", "interest_cover")
"""The ratios kept in ``Buyer.financials`` (decimal strings), besides ``negative_equity``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BuyerDetails:
    """What is known about a buyer's (or bank's) business and risk, all optional."""

    address: str | None = None
    sector: Sector | None = None
    size: SizeBand | None = None
    company_type: CompanyType | None = None
    ownership: str | None = None
    financials: dict[str, Decimal | bool] | None = None
    days_beyond_terms: int | None = None
    overdue_reports: int = 0
    adverse_events: frozenset[AdverseEvent] = frozenset()
    bank_rank: int | None = None
    total_assets: Money | None = None
    capital_adequacy_ratio: Decimal | None = None
    defaults_on_record: int = 0


@dataclass(frozen=True, slots=True)
class Registration:
    """The outcome of registering a buyer: the record used and how it was matched."""

    buyer: Buyer
    verdict: MatchVerdict
    created: bool
    review_id: int | None
    matched: MatchResult | None


def _check_details(details: BuyerDetails) -> dict[str, Any]:
    financials: dict[str, Any] = {}
    for key, value in (details.financials or {}).items():
        if key == "negative_equity":
            financials[key] = bool(value)
        elif key in FINANCIAL_RATIOS and isinstance(value, Decimal) and value.is_finite():
            financials[key] = str(value)
        else:
            raise ValidationFailed(
                f"unknown or invalid financial figure {key!r}",
                code="invalid_financials",
                field=f"financials.{key}",
            )
    for name, number in (
        ("days_beyond_terms", details.days_beyond_terms),
        ("overdue_reports", details.overdue_reports),
        ("defaults_on_record", details.defaults_on_record),
        ("bank_rank", details.bank_rank),
    ):
        if number is not None and not 0 <= number <= 100_000:
            raise ValidationFailed(
                f"{name} must be between 0 and 100000", code="out_of_range", field=name
            )
    if details.total_assets is not None and details.total_assets.amount < 0:
        raise ValidationFailed(
            "total assets cannot be negative", code="out_of_range", field="total_assets"
        )
    return financials


def _apply_details(row: Buyer, details: BuyerDetails) -> None:
    row.financials = _check_details(details)
    row.address = details.address
    row.sector = details.sector.value if details.sector else None
    row.size = details.size.value if details.size else None
    row.company_type = details.company_type.value if details.company_type else None
    row.ownership = details.ownership
    row.days_beyond_terms = details.days_beyond_terms
    row.overdue_reports = details.overdue_reports
    row.adverse_events = sorted(e.value for e in details.adverse_events)
    row.bank_rank = details.bank_rank
    row.total_assets_minor = details.total_assets.minor_units() if details.total_assets else None
    row.total_assets_currency = details.total_assets.currency if details.total_assets else None
    row.capital_adequacy_ratio = details.capital_adequacy_ratio
    row.defaults_on_record = details.defaults_on_record


def snapshot(row: Buyer) -> dict[str, Any]:
    """The audited fields of a buyer."""
    return {
        "kind": row.kind,
        "legal_name": row.legal_name,
        "country": row.country,
        "other_names": row.other_names,
        "lei": row.lei,
        "duns": row.duns,
        "tax_id": row.tax_id,
        "registration_number": row.registration_number,
        "sector": row.sector,
        "size": row.size,
        "company_type": row.company_type,
        "financials": row.financials,
        "days_beyond_terms": row.days_beyond_terms,
        "overdue_reports": row.overdue_reports,
        "adverse_events": row.adverse_events,
        "merged_into_id": row.merged_into_id,
    }


def _relate(
    session: Session,
    *,
    principal: Principal,
    buyer: Buyer,
    own_reference: str | None,
    trading_since: date | None,
) -> None:
    if principal.is_insurer:
        return
    existing = session.execute(
        select(ExporterBuyerRelationship).where(
            ExporterBuyerRelationship.org_id == principal.org_id,
            ExporterBuyerRelationship.buyer_id == buyer.id,
        )
    ).scalar_one_or_none()
    if existing is not None:
        return
    session.add(
        ExporterBuyerRelationship(
            org_id=principal.org_id,
            buyer_id=buyer.id,
            own_reference=own_reference,
            trading_since=trading_since,
            created_at=utc_now(),
        )
    )
    session.flush()
    audit.record(
        session,
        org_id=principal.org_id,
        actor=principal.actor,
        action="buyer.related",
        entity_type="buyer",
        entity_id=buyer.id,
        after={
            "own_reference": own_reference,
            "trading_since": trading_since.isoformat() if trading_since else None,
        },
    )


def register_buyer(
    session: Session,
    *,
    principal: Principal,
    name: str,
    country: str,
    kind: BuyerKind = BuyerKind.BUYER,
    other_names: Sequence[str] = (),
    lei: str | None = None,
    duns: str | None = None,
    tax_id: str | None = None,
    registration_number: str | None = None,
    details: BuyerDetails | None = None,
    own_reference: str | None = None,
    trading_since: date | None = None,
) -> Registration:
    """Register a buyer (or bank), reusing the record of the same company when one exists.

    An exporter's registration also records its relationship to the buyer (its own
    reference and trading history); that relationship is what lets it see the buyer.
    """
    principal.require(Permission.BUYER_REGISTER)
    ident = buyer_identity(
        name=name,
        country=country,
        other_names=other_names,
        lei=lei,
        duns=duns,
        tax_id=tax_id,
        registration_number=registration_number,
    )
    if own_reference is not None and len(own_reference) > 100:
        raise ValidationFailed(
            "own_reference is at most 100 characters", code="too_long", field="own_reference"
        )
    details = details or BuyerDetails()
    _check_details(details)
    found = candidates(session, ident, kind)
    ranked = rank_matches(ident, [identity_of(c) for c in found])
    best = ranked[0] if ranked else None
    if best is not None and best[1].verdict is MatchVerdict.SAME:
        buyer = found[best[0]]
        _relate(
            session,
            principal=principal,
            buyer=buyer,
            own_reference=own_reference,
            trading_since=trading_since,
        )
        return Registration(buyer, MatchVerdict.SAME, False, None, best[1])
    now = utc_now()
    buyer = Buyer(
        kind=kind.value,
        legal_name=ident.name,
        normalised_name=ident.normalised_names[0] if ident.normalised_names else "",
        other_names=list(ident.other_names),
        country=ident.country,
        lei=ident.lei,
        duns=ident.duns,
        tax_id=ident.tax_id,
        registration_number=ident.registration_number,
        created_at=now,
        created_by=principal.actor,
        updated_at=now,
    )
    _apply_details(buyer, details)
    session.add(buyer)
    session.flush()
    audit.record(
        session,
        org_id=principal.org_id,
        actor=principal.actor,
        action="buyer.registered",
        entity_type="buyer",
        entity_id=buyer.id,
        after=snapshot(buyer),
    )
    review_id = None
    if best is not None:  # possible match: a risk manager decides
        review = BuyerMatchReview(
            buyer_id=buyer.id,
            candidate_id=found[best[0]].id,
            score=Decimal(str(round(best[1].score, 4))),
            matched_on=best[1].matched_on,
            reason=best[1].reason,
            status="open",
            created_at=now,
        )
        session.add(review)
        session.flush()
        review_id = review.id
        audit.record(
            session,
            org_id=principal.org_id,
            actor=principal.actor,
            action="buyer.match_review_opened",
            entity_type="buyer_match_review",
            entity_id=review.id,
            after={
                "buyer_id": buyer.id,
                "candidate_id": review.candidate_id,
                "score": str(review.score),
            },
        )
    _relate(
        session,
        principal=principal,
        buyer=buyer,
        own_reference=own_reference,
        trading_since=trading_since,
    )
    rate(session, principal=principal, buyer_id=buyer.id, check_access=False)
    verdict = MatchVerdict.POSSIBLE if best is not None else MatchVerdict.DIFFERENT
    return Registration(buyer, verdict, True, review_id, best[1] if best else None)


def update_details(
    session: Session, *, principal: Principal, buyer_id: int, details: BuyerDetails, reason: str
) -> Buyer:
    """Record new financials, payment record or adverse events (insurer), then re-rate."""
    principal.require(Permission.BUYER_ASSESS)
    if not reason.strip():
        raise ValidationFailed("a reason is required", code="reason_required", field="reason")
    row = get_buyer(session, principal=principal, buyer_id=buyer_id, lock=True)
    before = snapshot(row)
    _apply_details(row, details)
    row.updated_at = utc_now()
    session.flush()
    audit.record(
        session,
        org_id=principal.org_id,
        actor=principal.actor,
        action="buyer.assessed",
        entity_type="buyer",
        entity_id=row.id,
        reason=reason,
        before=before,
        after=snapshot(row),
    )
    rate(session, principal=principal, buyer_id=row.id, check_access=False)
    return row


def adverse_event_values(values: Iterable[str]) -> frozenset[AdverseEvent]:
    """Parse adverse event names (API and CLI input)."""
    try:
        return frozenset(AdverseEvent(v) for v in values)
    except ValueError:
        allowed = ", ".join(e.value for e in AdverseEvent)
        raise ValidationFailed(
            f"adverse events are among: {allowed}",
            code="invalid_adverse_event",
            field="adverse_events",
        ) from None

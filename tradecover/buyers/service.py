"""Use cases of the buyer registry: register (with matching), see, assess, rate, review.

One registry for every insured.  Registering runs :func:`match_buyer` against candidates
of the same country (blocked by identifiers and by the first characters of the
normalised names): ``same`` reuses the record, ``possible`` creates a new one and puts
the pair in the review queue, ``different`` creates one.  An exporter sees a buyer only
through its own relationship to it; insurer staff see every buyer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from tradecover import audit, country_risk
from tradecover.access import Permission, Principal
from tradecover.buyers.identity import (
    BuyerIdentity,
    MatchResult,
    MatchVerdict,
    buyer_identity,
    rank_matches,
)
from tradecover.buyers.model import Buyer, BuyerMatchReview, BuyerRating, ExporterBuyerRelationship
from tradecover.buyers.ports import RatedBuyer, buyer_rated, merge_blocked
from tradecover.buyers.rating import (
    AdverseEvent,
    BankProfile,
    BuyerProfile,
    CompanyType,
    Rating,
    Sector,
    SizeBand,
    rate_bank,
    rate_buyer,
)
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tradecover.kit.money import Money

BLOCK_PREFIX = 2
"""Characters of a normalised name that two records must share to be compared."""

MAX_CANDIDATES = 200
"""Most existing records compared with a new one."""

FINANCIAL_RATIOS = ("current_ratio", "debt_to_equity", "net_margin", "interest_cover")
"""The ratios kept in ``Buyer.financials`` (decimal strings), besides ``negative_equity``."""


class BuyerKind(StrEnum):
    """A buyer of goods, or a bank (issuing or confirming letters of credit)."""

    BUYER = "buyer"
    BANK = "bank"


class ReviewResolution(StrEnum):
    """How a risk manager resolves an uncertain match."""

    MERGE = "merge"
    KEEP_SEPARATE = "keep_separate"


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


def _identity(row: Buyer) -> BuyerIdentity:
    return buyer_identity(name=row.legal_name, country=row.country,
                          other_names=row.other_names or (), lei=row.lei, duns=row.duns,
                          tax_id=row.tax_id, registration_number=row.registration_number)


def _candidates(session: Session, ident: BuyerIdentity, kind: BuyerKind) -> list[Buyer]:
    terms: list[Any] = [Buyer.normalised_name.like(f"{n[:BLOCK_PREFIX]}%")
                        for n in ident.normalised_names if n]
    for column, value in ((Buyer.lei, ident.lei), (Buyer.duns, ident.duns),
                          (Buyer.tax_id, ident.tax_id),
                          (Buyer.registration_number, ident.registration_number)):
        if value:
            terms.append(column == value)
    if not terms:
        return []
    query = (select(Buyer).where(Buyer.country == ident.country, Buyer.kind == kind.value,
                                 Buyer.merged_into_id.is_(None), or_(*terms))
             .order_by(Buyer.id).limit(MAX_CANDIDATES))
    return list(session.execute(query).scalars())


def _check_details(details: BuyerDetails) -> dict[str, Any]:
    financials: dict[str, Any] = {}
    for key, value in (details.financials or {}).items():
        if key == "negative_equity":
            financials[key] = bool(value)
        elif key in FINANCIAL_RATIOS and isinstance(value, Decimal) and value.is_finite():
            financials[key] = str(value)
        else:
            raise ValidationFailed(f"unknown or invalid financial figure {key!r}",
                                   code="invalid_financials", field=f"financials.{key}")
    for name, number in (("days_beyond_terms", details.days_beyond_terms),
                         ("overdue_reports", details.overdue_reports),
                         ("defaults_on_record", details.defaults_on_record),
                         ("bank_rank", details.bank_rank)):
        if number is not None and not 0 <= number <= 100_000:
            raise ValidationFailed(f"{name} must be between 0 and 100000",
                                   code="out_of_range", field=name)
    if details.total_assets is not None and details.total_assets.amount < 0:
        raise ValidationFailed("total assets cannot be negative", code="out_of_range",
                               field="total_assets")
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
    return {"kind": row.kind, "legal_name": row.legal_name, "country": row.country,
            "other_names": row.other_names, "lei": row.lei, "duns": row.duns,
            "tax_id": row.tax_id, "registration_number": row.registration_number,
            "sector": row.sector, "size": row.size, "company_type": row.company_type,
            "financials": row.financials, "days_beyond_terms": row.days_beyond_terms,
            "overdue_reports": row.overdue_reports, "adverse_events": row.adverse_events,
            "merged_into_id": row.merged_into_id}


def _relate(session: Session, *, principal: Principal, buyer: Buyer,
            own_reference: str | None, trading_since: date | None) -> None:
    if principal.is_insurer:
        return
    existing = session.execute(select(ExporterBuyerRelationship).where(
        ExporterBuyerRelationship.org_id == principal.org_id,
        ExporterBuyerRelationship.buyer_id == buyer.id)).scalar_one_or_none()
    if existing is not None:
        return
    session.add(ExporterBuyerRelationship(
        org_id=principal.org_id, buyer_id=buyer.id, own_reference=own_reference,
        trading_since=trading_since, created_at=utc_now()))
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor,
                 action="buyer.related", entity_type="buyer", entity_id=buyer.id,
                 after={"own_reference": own_reference,
                        "trading_since": trading_since.isoformat() if trading_since else None})


def register_buyer(
    session: Session, *, principal: Principal, name: str, country: str,
    kind: BuyerKind = BuyerKind.BUYER, other_names: Sequence[str] = (),
    lei: str | None = None, duns: str | None = None, tax_id: str | None = None,
    registration_number: str | None = None, details: BuyerDetails | None = None,
    own_reference: str | None = None, trading_since: date | None = None,
) -> Registration:
    """Register a buyer (or bank), reusing the record of the same company when one exists.

    An exporter's registration also records its relationship to the buyer (its own
    reference and trading history); that relationship is what lets it see the buyer.
    """
    principal.require(Permission.BUYER_REGISTER)
    ident = buyer_identity(name=name, country=country, other_names=other_names, lei=lei,
                           duns=duns, tax_id=tax_id, registration_number=registration_number)
    if own_reference is not None and len(own_reference) > 100:
        raise ValidationFailed("own_reference is at most 100 characters", code="too_long",
                               field="own_reference")
    details = details or BuyerDetails()
    _check_details(details)
    candidates = _candidates(session, ident, kind)
    ranked = rank_matches(ident, [_identity(c) for c in candidates])
    best = ranked[0] if ranked else None
    if best is not None and best[1].verdict is MatchVerdict.SAME:
        buyer = candidates[best[0]]
        _relate(session, principal=principal, buyer=buyer, own_reference=own_reference,
                trading_since=trading_since)
        return Registration(buyer, MatchVerdict.SAME, False, None, best[1])
    now = utc_now()
    buyer = Buyer(kind=kind.value, legal_name=ident.name,
                  normalised_name=ident.normalised_names[0] if ident.normalised_names else "",
                  other_names=list(ident.other_names), country=ident.country, lei=ident.lei,
                  duns=ident.duns, tax_id=ident.tax_id,
                  registration_number=ident.registration_number, created_at=now,
                  created_by=principal.actor, updated_at=now)
    _apply_details(buyer, details)
    session.add(buyer)
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor,
                 action="buyer.registered", entity_type="buyer", entity_id=buyer.id,
                 after=snapshot(buyer))
    review_id = None
    if best is not None:  # possible match: a risk manager decides
        review = BuyerMatchReview(
            buyer_id=buyer.id, candidate_id=candidates[best[0]].id,
            score=Decimal(str(round(best[1].score, 4))), matched_on=best[1].matched_on,
            reason=best[1].reason, status="open", created_at=now)
        session.add(review)
        session.flush()
        review_id = review.id
        audit.record(session, org_id=principal.org_id, actor=principal.actor,
                     action="buyer.match_review_opened", entity_type="buyer_match_review",
                     entity_id=review.id, after={"buyer_id": buyer.id,
                                                 "candidate_id": review.candidate_id,
                                                 "score": str(review.score)})
    _relate(session, principal=principal, buyer=buyer, own_reference=own_reference,
            trading_since=trading_since)
    rate(session, principal=principal, buyer_id=buyer.id, check_access=False)
    verdict = MatchVerdict.POSSIBLE if best is not None else MatchVerdict.DIFFERENT
    return Registration(buyer, verdict, True, review_id, best[1] if best else None)


def can_see(session: Session, principal: Principal, buyer_id: int) -> bool:
    """Insurer staff see every buyer; an exporter only those it has a relationship with."""
    if principal.is_insurer:
        return True
    return bool(session.execute(select(exists().where(
        ExporterBuyerRelationship.org_id == principal.org_id,
        ExporterBuyerRelationship.buyer_id == buyer_id))).scalar())


def get_buyer(session: Session, *, principal: Principal, buyer_id: int,
              lock: bool = False) -> Buyer:
    """One buyer the caller may see; another's (or a missing one) answers 404."""
    principal.require(Permission.BUYER_READ)
    query = select(Buyer).where(Buyer.id == buyer_id)
    if lock:
        query = query.with_for_update()
    row = session.execute(query).scalar_one_or_none()
    if row is None or not can_see(session, principal, buyer_id):
        raise NotFound(f"no buyer {buyer_id}", code="buyer_not_found")
    return row


def relationship(session: Session, *, principal: Principal,
                 buyer_id: int) -> ExporterBuyerRelationship | None:
    """The caller's own relationship to a buyer (``None`` for insurer staff)."""
    return session.execute(select(ExporterBuyerRelationship).where(
        ExporterBuyerRelationship.org_id == principal.org_id,
        ExporterBuyerRelationship.buyer_id == buyer_id)).scalar_one_or_none()


def list_buyers(
    session: Session, *, principal: Principal, country: str | None = None,
    search: str | None = None, sector: Sector | None = None, limit: int = 50, offset: int = 0,
) -> tuple[list[Buyer], int]:
    """Buyers the caller may see, by name, and how many match."""
    principal.require(Permission.BUYER_READ)
    query = select(Buyer).where(Buyer.merged_into_id.is_(None))
    if not principal.is_insurer:
        query = query.where(Buyer.id.in_(select(ExporterBuyerRelationship.buyer_id).where(
            ExporterBuyerRelationship.org_id == principal.org_id)))
    if country:
        query = query.where(Buyer.country == country.upper())
    if sector:
        query = query.where(Buyer.sector == sector.value)
    if search:
        pattern = f"%{search.strip().lower()[:100]}%"
        query = query.where(or_(func.lower(Buyer.legal_name).like(pattern),
                                Buyer.normalised_name.like(pattern)))
    total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    rows = session.execute(query.order_by(Buyer.legal_name, Buyer.id)
                           .limit(limit).offset(offset)).scalars()
    return list(rows), total


def update_details(session: Session, *, principal: Principal, buyer_id: int,
                   details: BuyerDetails, reason: str) -> Buyer:
    """Record new financials, payment record or adverse events (insurer), then re-rate."""
    principal.require(Permission.BUYER_ASSESS)
    if not reason.strip():
        raise ValidationFailed("a reason is required", code="reason_required", field="reason")
    row = get_buyer(session, principal=principal, buyer_id=buyer_id, lock=True)
    before = snapshot(row)
    _apply_details(row, details)
    row.updated_at = utc_now()
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor,
                 action="buyer.assessed", entity_type="buyer", entity_id=row.id,
                 reason=reason, before=before, after=snapshot(row))
    rate(session, principal=principal, buyer_id=row.id, check_access=False)
    return row


# --- rating -----------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def rating_of(session: Session, row: Buyer) -> Rating:
    """Rate ``row`` now with the current model and the country class in force (pure)."""
    try:
        country_class = country_risk.current(session, row.country).risk_class
    except NotFound:
        country_class = None
    events = frozenset(AdverseEvent(e) for e in row.adverse_events or ())
    if row.kind == BuyerKind.BANK.value:
        assets = (Money.from_minor(row.total_assets_minor, row.total_assets_currency)
                  if row.total_assets_minor is not None and row.total_assets_currency else None)
        return rate_bank(BankProfile(country_class=country_class, rank=row.bank_rank,
                                     total_assets=assets,
                                     capital_adequacy_ratio=row.capital_adequacy_ratio,
                                     defaults_on_record=row.defaults_on_record,
                                     adverse_events=events))
    fin = row.financials or {}
    return rate_buyer(BuyerProfile(
        country_class=country_class,
        company_type=CompanyType(row.company_type or CompanyType.PRIVATE.value),
        size=SizeBand(row.size or SizeBand.SMALL.value),
        sector=Sector(row.sector or Sector.OTHER.value),
        current_ratio=_decimal(fin.get("current_ratio")),
        debt_to_equity=_decimal(fin.get("debt_to_equity")),
        negative_equity=bool(fin.get("negative_equity", False)),
        net_margin=_decimal(fin.get("net_margin")),
        interest_cover=_decimal(fin.get("interest_cover")),
        days_beyond_terms=row.days_beyond_terms, overdue_reports=row.overdue_reports,
        adverse_events=events))


def rating_from_row(row: BuyerRating) -> Rating:
    """The stored rating as the pure value the decision rules take."""
    from tradecover.buyers.rating import Contribution

    return Rating(model_version=row.model_version, score=row.score, grade=row.grade,
                  pd=row.pd, hard_stop=row.hard_stop,
                  hard_stop_reasons=tuple(row.hard_stop_reasons or ()),
                  contributions=tuple(Contribution(**c) for c in row.contributions or ()))


def latest_rating(session: Session, buyer_id: int) -> BuyerRating | None:
    """The most recent stored rating of a buyer."""
    return session.execute(select(BuyerRating).where(BuyerRating.buyer_id == buyer_id)
                           .order_by(BuyerRating.id.desc()).limit(1)).scalar_one_or_none()


def rating_history(session: Session, *, principal: Principal,
                   buyer_id: int) -> list[BuyerRating]:
    """Every rating of a buyer, newest first (insurer staff only)."""
    principal.require(Permission.BUYER_ASSESS)
    get_buyer(session, principal=principal, buyer_id=buyer_id)
    return list(session.execute(select(BuyerRating).where(BuyerRating.buyer_id == buyer_id)
                                .order_by(BuyerRating.id.desc())).scalars())


def rate(session: Session, *, principal: Principal, buyer_id: int,
         check_access: bool = True) -> BuyerRating:
    """Rate a buyer now, store the rating, and refresh its suggested aggregate limit."""
    if check_access:
        principal.require(Permission.BUYER_ASSESS)
        row = get_buyer(session, principal=principal, buyer_id=buyer_id)
    else:
        row = session.get_one(Buyer, buyer_id)
    rating = rating_of(session, row)
    stored = BuyerRating(
        buyer_id=row.id, model_version=rating.model_version, score=rating.score,
        grade=rating.grade, pd=rating.pd, hard_stop=rating.hard_stop,
        hard_stop_reasons=list(rating.hard_stop_reasons),
        contributions=[{"factor": c.factor, "value": c.value, "points": c.points,
                        "explanation": c.explanation} for c in rating.contributions],
        rated_at=utc_now(), rated_by=principal.actor)
    session.add(stored)
    session.flush()
    buyer_rated(session, RatedBuyer(
        buyer_id=row.id, bank=row.kind == BuyerKind.BANK.value,
        size=SizeBand(row.size or SizeBand.SMALL.value), rating=rating, actor=principal.actor))
    audit.record(session, org_id=principal.org_id, actor=principal.actor,
                 action="buyer.rated", entity_type="buyer", entity_id=row.id,
                 after={"rating_id": stored.id, "model_version": rating.model_version,
                        "grade": rating.grade, "pd": str(rating.pd),
                        "hard_stop": rating.hard_stop})
    return stored


# --- match reviews ----------------------------------------------------------------------


def list_reviews(session: Session, *, principal: Principal, status: str | None = "open",
                 limit: int = 50, offset: int = 0) -> tuple[list[BuyerMatchReview], int]:
    """The review queue of uncertain matches (insurer staff), oldest first."""
    principal.require(Permission.BUYER_ASSESS)
    query = select(BuyerMatchReview)
    if status:
        query = query.where(BuyerMatchReview.status == status)
    total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    rows = session.execute(query.order_by(BuyerMatchReview.id).limit(limit).offset(offset))
    return list(rows.scalars()), total


def resolve_review(session: Session, *, principal: Principal, review_id: int,
                   resolution: ReviewResolution, note: str | None = None) -> BuyerMatchReview:
    """Merge the new record into the existing one, or keep both (risk managers).

    A merge moves the exporters' relationships to the surviving record and marks the new
    one merged; it is refused while the new record carries limits or applications.
    """
    principal.require(Permission.BUYER_REVIEW)
    review = session.execute(select(BuyerMatchReview).where(BuyerMatchReview.id == review_id)
                             .with_for_update()).scalar_one_or_none()
    if review is None:
        raise NotFound(f"no match review {review_id}", code="review_not_found")
    if review.status != "open":
        raise Conflict(f"review {review_id} is already {review.status}",
                       code="review_already_resolved")
    if resolution is ReviewResolution.MERGE:
        _merge(session, duplicate_id=review.buyer_id, survivor_id=review.candidate_id)
    review.status = "merged" if resolution is ReviewResolution.MERGE else "kept_separate"
    review.resolved_at = utc_now()
    review.resolved_by = principal.actor
    review.resolution_note = note
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor,
                 action=f"buyer.match_review_{review.status}",
                 entity_type="buyer_match_review", entity_id=review.id, reason=note,
                 after={"buyer_id": review.buyer_id, "candidate_id": review.candidate_id})
    return review


def _merge(session: Session, *, duplicate_id: int, survivor_id: int) -> None:
    if merge_blocked(session, duplicate_id):
        raise Conflict("the new record already carries limits or applications: "
                       "keep the records separate", code="merge_blocked")
    duplicate = session.get_one(Buyer, duplicate_id)
    taken = set(session.execute(select(ExporterBuyerRelationship.org_id).where(
        ExporterBuyerRelationship.buyer_id == survivor_id)).scalars())
    for rel in session.execute(select(ExporterBuyerRelationship).where(
            ExporterBuyerRelationship.buyer_id == duplicate_id)).scalars():
        if rel.org_id in taken:
            session.delete(rel)
        else:
            rel.buyer_id = survivor_id
    duplicate.merged_into_id = survivor_id
    duplicate.updated_at = utc_now()
    session.flush()


def require_not_exporter(principal: Principal) -> None:
    """Refuse insurer-only reads to exporters (ratings and reviews are the insurer's)."""
    if not principal.is_insurer:
        raise PermissionDenied("only the insurer's staff may see this", code="forbidden")


def adverse_event_values(values: Iterable[str]) -> frozenset[AdverseEvent]:
    """Parse adverse event names (API and CLI input)."""
    try:
        return frozenset(AdverseEvent(v) for v in values)
    except ValueError:
        allowed = ", ".join(e.value for e in AdverseEvent)
        raise ValidationFailed(f"adverse events are among: {allowed}",
                               code="invalid_adverse_event", field="adverse_events") from None


# --- reads for other contexts -------------------------------------------------------------


def buyer_record(session: Session, buyer_id: int) -> Buyer:
    """One buyer by id, for a use case of another context that already checked access."""
    return session.get_one(Buyer, buyer_id)


def buyers_in_sector(sector: str) -> Select[int]:
    """The statement selecting the ids of the buyers of ``sector`` (to filter by)."""
    return select(Buyer.id).where(Buyer.sector == sector)

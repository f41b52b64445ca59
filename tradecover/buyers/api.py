"""HTTP routes of the buyer registry: register, list, see, assess, rate, review matches."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.api.pagination import IdPath, Page, PageDep
from tradecover.buyers import directory, matching, rating_records, service
from tradecover.buyers.rating_factors import Sector
from tradecover.buyers.schemas import (
    AssessmentIn,
    BuyerDetailsIn,
    BuyerIn,
    BuyerOut,
    RatingOut,
    RegistrationOut,
    ResolveIn,
    ReviewOut,
)
from tradecover.kit.money import Money

router = APIRouter(tags=["buyers"])


def _details(body: BuyerDetailsIn) -> service.BuyerDetails:
    return service.BuyerDetails(
        address=body.address,
        sector=body.sector,
        size=body.size,
        company_type=body.company_type,
        ownership=body.ownership,
        financials=body.financials.as_dict() if body.financials else None,
        days_beyond_terms=body.days_beyond_terms,
        overdue_reports=body.overdue_reports,
        adverse_events=frozenset(body.adverse_events),
        bank_rank=body.bank_rank,
        capital_adequacy_ratio=body.capital_adequacy_ratio,
        total_assets=(
            Money.of(body.total_assets_usd, "USD") if body.total_assets_usd is not None else None
        ),
        defaults_on_record=body.defaults_on_record,
    )


@router.post(
    "/api/v1/buyers",
    status_code=201,
    response_model=RegistrationOut,
    summary="Register a buyer or bank",
)
def register(body: BuyerIn, session: SessionDep, principal: PrincipalDep) -> RegistrationOut:
    """The same company is reused (matched on identifiers, then names); an uncertain match
    creates a new record and a review for a risk manager.
    """
    reg = service.register_buyer(
        session,
        principal=principal,
        name=body.name,
        country=body.country.upper(),
        kind=body.kind,
        other_names=body.other_names,
        lei=body.lei,
        duns=body.duns,
        tax_id=body.tax_id,
        registration_number=body.registration_number,
        details=_details(body),
        own_reference=body.own_reference,
        trading_since=body.trading_since,
    )
    return RegistrationOut(
        buyer=BuyerOut.of(reg.buyer),
        verdict=reg.verdict.value,
        created=reg.created,
        review_id=reg.review_id,
    )


@router.get("/api/v1/buyers", response_model=Page[BuyerOut], summary="Buyers")
def list_buyers(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    country: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    search: Annotated[str | None, Query(max_length=100)] = None,
    sector: Sector | None = None,
) -> Page[BuyerOut]:
    """An exporter sees the buyers it trades with; insurer staff see all."""
    rows, total = directory.list_buyers(
        session,
        principal=principal,
        country=country,
        search=search,
        sector=sector,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[BuyerOut.of(r) for r in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/api/v1/buyers/{buyer_id}", response_model=BuyerOut, summary="One buyer")
def get_buyer(buyer_id: IdPath, session: SessionDep, principal: PrincipalDep) -> BuyerOut:
    """Another exporter's buyer answers 404 like a missing one."""
    return BuyerOut.of(directory.get_buyer(session, principal=principal, buyer_id=buyer_id))


@router.put(
    "/api/v1/buyers/{buyer_id}/assessment",
    response_model=BuyerOut,
    summary="Record financials, payment record, adverse events",
)
def assess(
    buyer_id: IdPath, body: AssessmentIn, session: SessionDep, principal: PrincipalDep
) -> BuyerOut:
    """Insurer staff; the buyer is re-rated at once."""
    return BuyerOut.of(
        service.update_details(
            session,
            principal=principal,
            buyer_id=buyer_id,
            details=_details(body),
            reason=body.reason,
        )
    )


@router.post(
    "/api/v1/buyers/{buyer_id}/ratings",
    status_code=201,
    response_model=RatingOut,
    summary="Rate a buyer now",
)
def rate(buyer_id: IdPath, session: SessionDep, principal: PrincipalDep) -> RatingOut:
    """Recompute with the current model; the suggested aggregate follows."""
    return RatingOut.of(rating_records.rate(session, principal=principal, buyer_id=buyer_id))


@router.get(
    "/api/v1/buyers/{buyer_id}/ratings", response_model=list[RatingOut], summary="A buyer's ratings"
)
def ratings(buyer_id: IdPath, session: SessionDep, principal: PrincipalDep) -> list[RatingOut]:
    """Newest first, with the model version and every factor's points (insurer)."""
    return [
        RatingOut.of(r)
        for r in rating_records.rating_history(session, principal=principal, buyer_id=buyer_id)
    ]


@router.get(
    "/api/v1/buyer-match-reviews", response_model=Page[ReviewOut], summary="Uncertain buyer matches"
)
def reviews(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    status: Annotated[str | None, Query(max_length=16)] = "open",
) -> Page[ReviewOut]:
    """The review queue (insurer staff)."""
    rows, total = matching.list_reviews(
        session, principal=principal, status=status, limit=page.limit, offset=page.offset
    )
    return Page(
        items=[ReviewOut.of(r) for r in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.post(
    "/api/v1/buyer-match-reviews/{review_id}/resolve",
    response_model=ReviewOut,
    summary="Merge or keep separate",
)
def resolve(
    review_id: IdPath, body: ResolveIn, session: SessionDep, principal: PrincipalDep
) -> ReviewOut:
    """Risk managers resolve an uncertain match."""
    return ReviewOut.of(
        matching.resolve_review(
            session,
            principal=principal,
            review_id=review_id,
            resolution=body.resolution,
            note=body.note,
        )
    )

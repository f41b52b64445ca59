"""Matching a new buyer against the registry, and the review queue of uncertain matches.

:func:`candidates` blocks the registry by identifiers and by the first characters of the
normalised names (same country and kind) before :func:`tradecover.buyers.identity.rank_matches`
compares them; a ``possible`` match waits in the review queue (:func:`list_reviews`) until a
risk manager merges the records or keeps them separate (:func:`resolve_review`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tradecover import audit
from tradecover.access import Permission, Principal
from tradecover.buyers.directory import BuyerKind
from tradecover.buyers.identity import (
    BuyerIdentity,
    buyer_identity,
)
from tradecover.buyers.model import Buyer, BuyerMatchReview, ExporterBuyerRelationship
from tradecover.buyers.ports import merge_blocked
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, NotFound

BLOCK_PREFIX = 2
"""Characters of a normalised name that two records must share to be compared."""

MAX_CANDIDATES = 200
"""Most existing records compared with a new one."""


class ReviewResolution(StrEnum):
    """How a risk manager resolves an uncertain match."""

    MERGE = "merge"
    KEEP_SEPARATE = "keep_separate"


def identity_of(row: Buyer) -> BuyerIdentity:
    """The identity of a stored buyer, as the matching rules compare it."""
    return buyer_identity(
        name=row.legal_name,
        country=row.country,
        other_names=row.other_names or (),
        lei=row.lei,
        duns=row.duns,
        tax_id=row.tax_id,
        registration_number=row.registration_number,
    )


def candidates(session: Session, ident: BuyerIdentity, kind: BuyerKind) -> list[Buyer]:
    """The records a new identity is compared with (at most :data:`MAX_CANDIDATES`)."""
    terms: list[Any] = [
        Buyer.normalised_name.like(f"{n[:BLOCK_PREFIX]}%") for n in ident.normalised_names if n
    ]
    for column, value in (
        (Buyer.lei, ident.lei),
        (Buyer.duns, ident.duns),
        (Buyer.tax_id, ident.tax_id),
        (Buyer.registration_number, ident.registration_number),
    ):
        if value:
            terms.append(column == value)
    if not terms:
        return []
    query = (
        select(Buyer)
        .where(
            Buyer.country == ident.country,
            Buyer.kind == kind.value,
            Buyer.merged_into_id.is_(None),
            or_(*terms),
        )
        .order_by(Buyer.id)
        .limit(MAX_CANDIDATES)
    )
    return list(session.execute(query).scalars())


def list_reviews(
    session: Session,
    *,
    principal: Principal,
    status: str | None = "open",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[BuyerMatchReview], int]:
    """The review queue of uncertain matches (insurer staff), oldest first."""
    principal.require(Permission.BUYER_ASSESS)
    query = select(BuyerMatchReview)
    if status:
        query = query.where(BuyerMatchReview.status == status)
    total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    rows = session.execute(query.order_by(BuyerMatchReview.id).limit(limit).offset(offset))
    return list(rows.scalars()), total


def resolve_review(
    session: Session,
    *,
    principal: Principal,
    review_id: int,
    resolution: ReviewResolution,
    note: str | None = None,
) -> BuyerMatchReview:
    """Merge the new record into the existing one, or keep both (risk managers).

    A merge moves the exporters' relationships to the surviving record and marks the new
    one merged; it is refused while the new record carries limits or applications.
    """
    principal.require(Permission.BUYER_REVIEW)
    review = session.execute(
        select(BuyerMatchReview).where(BuyerMatchReview.id == review_id).with_for_update()
    ).scalar_one_or_none()
    if review is None:
        raise NotFound(f"no match review {review_id}", code="review_not_found")
    if review.status != "open":
        raise Conflict(
            f"review {review_id} is already {review.status}", code="review_already_resolved"
        )
    if resolution is ReviewResolution.MERGE:
        _merge(session, duplicate_id=review.buyer_id, survivor_id=review.candidate_id)
    review.status = "merged" if resolution is ReviewResolution.MERGE else "kept_separate"
    review.resolved_at = utc_now()
    review.resolved_by = principal.actor
    review.resolution_note = note
    session.flush()
    audit.record(
        session,
        org_id=principal.org_id,
        actor=principal.actor,
        action=f"buyer.match_review_{review.status}",
        entity_type="buyer_match_review",
        entity_id=review.id,
        reason=note,
        after={"buyer_id": review.buyer_id, "candidate_id": review.candidate_id},
    )
    return review


def _merge(session: Session, *, duplicate_id: int, survivor_id: int) -> None:
    if merge_blocked(session, duplicate_id):
        raise Conflict(
            "the new record already carries limits or applications: keep the records separate",
            code="merge_blocked",
        )
    duplicate = session.get_one(Buyer, duplicate_id)
    taken = set(
        session.execute(
            select(ExporterBuyerRelationship.org_id).where(
                ExporterBuyerRelationship.buyer_id == survivor_id
            )
        ).scalars()
    )
    for rel in session.execute(
        select(ExporterBuyerRelationship).where(ExporterBuyerRelationship.buyer_id == duplicate_id)
    ).scalars():
        if rel.org_id in taken:
            session.delete(rel)
        else:
            rel.buyer_id = survivor_id
    duplicate.merged_into_id = survivor_id
    duplicate.updated_at = utc_now()
    session.flush()

"""Shared pieces of the limit use cases: country and buyer caps, aggregates, reading limits."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover import audit, buyers, country_risk, documents, policies
from tradecover.access import Permission, Principal
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, NotFound, ValidationFailed
from tradecover.kit.money import Money
from tradecover.limits import repository as repo
from tradecover.limits.aggregate import suggested_bank_aggregate, suggested_buyer_aggregate
from tradecover.limits.decision_pdf import LimitDecision, limit_decision_pdf, limit_filename
from tradecover.limits.fx import CAP_CURRENCY, from_usd, to_usd
from tradecover.limits.model import (
    BuyerAggregate,
    BuyerAggregateChange,
    CountryExposure,
    CreditLimit,
    CreditLimitVersion,
)
from tradecover.limits.request import CountryStatus, RequestType
from tradecover.limits.versions import LimitVersion

if TYPE_CHECKING:
    from tradecover.buyers import RatedBuyer
    from tradecover.reporting import DecisionContext

# --- shared caps ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CountryView:
    """The country's cover status and exposure cap in US dollars (``None``: no cap)."""

    status: CountryStatus
    cap_usd: Money | None


def country_view(session: Session, country: str) -> CountryView:
    """The insurer's view of ``country`` in force (open without cap when none recorded)."""
    try:
        view = country_risk.current(session, country)
    except NotFound:
        return CountryView(CountryStatus.OPEN, None)
    cap = to_usd(view.exposure_cap) if view.exposure_cap is not None else None
    return CountryView(CountryStatus(view.cover_status.value), cap)


def _view_of(facts: DecisionContext) -> CountryView:
    """The view of the buyer's country from its version in force (open without cap: none)."""
    row = facts.country_risk
    if row is None:
        return CountryView(CountryStatus.OPEN, None)
    cap = (
        to_usd(Money.from_minor(row.exposure_cap_minor, row.cap_currency))
        if row.exposure_cap_minor is not None and row.cap_currency
        else None
    )
    return CountryView(CountryStatus(row.cover_status), cap)


def _rooms_of(
    aggregate: BuyerAggregate | None, view: CountryView, country_committed: int | None
) -> tuple[Money, Money | None]:
    if aggregate is None:
        raise Conflict(
            "the buyer has no aggregate limit yet: rate it first", code="no_aggregate_limit"
        )
    buyer_room = Money.from_minor(
        aggregate.aggregate_minor - aggregate.committed_minor, CAP_CURRENCY
    )
    if view.cap_usd is None:
        return buyer_room, None
    return buyer_room, view.cap_usd - Money.from_minor(country_committed or 0, CAP_CURRENCY)


def _aggregate_row(session: Session, buyer_id: int) -> BuyerAggregate:
    row = session.get(BuyerAggregate, buyer_id, populate_existing=True)
    if row is None:
        raise Conflict(
            "the buyer has no aggregate limit yet: rate it first", code="no_aggregate_limit"
        )
    return row


def _rooms(
    session: Session, *, buyer_id: int, country: str, view: CountryView
) -> tuple[Money, Money | None]:
    agg = _aggregate_row(session, buyer_id)
    buyer_room = Money.from_minor(agg.aggregate_minor - agg.committed_minor, CAP_CURRENCY)
    if view.cap_usd is None:
        return buyer_room, None
    committed = (
        session.execute(
            select(CountryExposure.committed_minor).where(CountryExposure.country == country)
        ).scalar_one_or_none()
        or 0
    )
    return buyer_room, view.cap_usd - Money.from_minor(committed, CAP_CURRENCY)


def _in_currency(room_usd: Money | None, currency: str) -> Money | None:
    if room_usd is None:
        return None
    if room_usd.amount <= 0:
        return Money.zero(currency)
    return from_usd(room_usd, currency)


@dataclass(frozen=True, slots=True)
class AggregateView:
    """A buyer aggregate limit and what is committed on it, in US dollars."""

    buyer_id: int
    suggested: Money
    override: Money | None
    override_reason: str | None
    aggregate: Money
    committed: Money
    model_version: str

    @property
    def room(self) -> Money:
        """What is left (zero when the aggregate was lowered below the commitments)."""
        left = self.aggregate - self.committed
        return left if left.amount > 0 else Money.zero(CAP_CURRENCY)


def _aggregate_view(row: BuyerAggregate) -> AggregateView:
    def usd(minor: int) -> Money:
        return Money.from_minor(minor, CAP_CURRENCY)

    return AggregateView(
        row.buyer_id,
        usd(row.suggested_minor),
        usd(row.override_minor) if row.override_minor is not None else None,
        row.override_reason,
        usd(row.aggregate_minor),
        usd(row.committed_minor),
        row.model_version,
    )


def get_aggregate(session: Session, *, principal: Principal, buyer_id: int) -> AggregateView:
    """The buyer aggregate limit (insurer staff)."""
    principal.require(Permission.BUYER_ASSESS)
    buyers.get_buyer(session, principal=principal, buyer_id=buyer_id)
    return _aggregate_view(_aggregate_row(session, buyer_id))


def aggregate_history(
    session: Session, *, principal: Principal, buyer_id: int
) -> list[BuyerAggregateChange]:
    """Every change of a buyer aggregate limit, oldest first (insurer staff)."""
    principal.require(Permission.BUYER_ASSESS)
    buyers.get_buyer(session, principal=principal, buyer_id=buyer_id)
    return list(
        session.execute(
            select(BuyerAggregateChange)
            .where(BuyerAggregateChange.buyer_id == buyer_id)
            .order_by(BuyerAggregateChange.id)
        ).scalars()
    )


def override_aggregate(
    session: Session, *, principal: Principal, buyer_id: int, amount: Money | None, reason: str
) -> AggregateView:
    """Set (or, with ``None``, clear) a risk manager's override of the aggregate limit.

    Lowering it below what is committed is allowed (existing limits stay; no new
    exposure fits until limits are cut), and the answer says how much is over.
    """
    principal.require(Permission.BUYER_REVIEW)
    if not reason.strip():
        raise ValidationFailed("a reason is required", code="reason_required", field="reason")
    if amount is not None:
        if amount.currency != CAP_CURRENCY:
            raise ValidationFailed(
                "aggregate limits are in USD", code="currency_not_allowed", field="currency"
            )
        if amount.amount < 0:
            raise ValidationFailed(
                "an aggregate limit cannot be negative", code="amount_not_positive", field="amount"
            )
    buyers.get_buyer(session, principal=principal, buyer_id=buyer_id)
    row = session.execute(
        select(BuyerAggregate)
        .where(BuyerAggregate.buyer_id == buyer_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if row is None:
        raise Conflict(
            "the buyer has no aggregate limit yet: rate it first", code="no_aggregate_limit"
        )
    before = _aggregate_view(row)
    row.override_minor = amount.minor_units() if amount is not None else None
    row.override_reason = reason if amount is not None else None
    row.override_by = principal.actor if amount is not None else None
    row.aggregate_minor = amount.minor_units() if amount is not None else row.suggested_minor
    row.updated_at = utc_now()
    session.add(
        BuyerAggregateChange(
            buyer_id=buyer_id,
            suggested_minor=row.suggested_minor,
            override_minor=row.override_minor,
            aggregate_minor=row.aggregate_minor,
            model_version=row.model_version,
            reason=reason,
            changed_by=principal.actor,
            changed_at=utc_now(),
        )
    )
    session.flush()
    after = _aggregate_view(row)
    audit.record(
        session,
        org_id=principal.org_id,
        actor=principal.actor,
        action="buyer_aggregate.overridden" if amount else "buyer_aggregate.cleared",
        entity_type="buyer",
        entity_id=buyer_id,
        reason=reason,
        before={"aggregate": str(before.aggregate)},
        after={"aggregate": str(after.aggregate), "committed": str(after.committed)},
    )
    return after


# --- reading limits ---------------------------------------------------------------------


def _limit(session: Session, principal: Principal, limit_id: int) -> CreditLimit:
    row = session.execute(
        repo.visible_limits(principal, session)
        .where(CreditLimit.id == limit_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no credit limit {limit_id}", code="limit_not_found")
    return row


def get_limit(session: Session, *, principal: Principal, limit_id: int) -> CreditLimit:
    """One limit the caller may see (an exporter: only its own)."""
    principal.require(Permission.LIMIT_READ)
    return _limit(session, principal, limit_id)


def list_limits(
    session: Session,
    *,
    principal: Principal,
    buyer_id: int | None = None,
    status: str | None = "active",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[CreditLimit], int]:
    """Limits the caller may see, newest first, and how many match."""
    principal.require(Permission.LIMIT_READ)
    query = repo.visible_limits(principal, session)
    if buyer_id is not None:
        query = query.where(CreditLimit.buyer_id == buyer_id)
    if status:
        query = query.where(CreditLimit.status == status)
    total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    rows = session.execute(query.order_by(CreditLimit.id.desc()).limit(limit).offset(offset))
    return list(rows.scalars()), total


def versions_of(session: Session, limit_id: int) -> list[CreditLimitVersion]:
    """The versions of a limit, oldest first."""
    return list(
        session.execute(
            select(CreditLimitVersion)
            .where(CreditLimitVersion.limit_id == limit_id)
            .order_by(CreditLimitVersion.number)
        ).scalars()
    )


def limit_history(
    session: Session, *, principal: Principal, limit_id: int
) -> list[CreditLimitVersion]:
    """Every version of a limit the caller may see, oldest first."""
    get_limit(session, principal=principal, limit_id=limit_id)
    return versions_of(session, limit_id)


def _pure_versions(rows: Iterable[CreditLimitVersion]) -> list[LimitVersion]:
    return [
        LimitVersion(
            number=v.number,
            kind=RequestType(v.kind),
            amount=Money.from_minor(v.amount_minor, v.currency),
            effective_from=v.effective_from,
            expires_on=v.expires_on,
            indemnity_pct=v.indemnity_pct,
            reason=v.reason,
        )
        for v in rows
    ]


def _active_limit(
    session: Session, *, org_id: int, policy_id: int, buyer_id: int
) -> CreditLimit | None:
    return session.execute(
        select(CreditLimit)
        .where(
            CreditLimit.org_id == org_id,
            CreditLimit.policy_id == policy_id,
            CreditLimit.buyer_id == buyer_id,
            CreditLimit.status == "active",
        )
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def refresh_buyer_aggregate(session: Session, rated: RatedBuyer) -> None:
    """Refresh a buyer's suggested aggregate limit after a rating (and the aggregate
    itself unless an override stands), recording the change; nothing when unchanged.
    """
    suggested = (
        suggested_bank_aggregate(rated.rating)
        if rated.bank
        else suggested_buyer_aggregate(rated.rating, size=rated.size)
    )
    minor = Money(suggested.amount, CAP_CURRENCY).minor_units()
    agg = session.execute(
        select(BuyerAggregate).where(BuyerAggregate.buyer_id == rated.buyer_id).with_for_update()
    ).scalar_one_or_none()
    version = rated.rating.model_version
    if agg is None:
        agg = BuyerAggregate(
            buyer_id=rated.buyer_id,
            currency=CAP_CURRENCY,
            suggested_minor=minor,
            aggregate_minor=minor,
            guard_cap_minor=0,
            committed_minor=0,
            model_version=version,
            updated_at=utc_now(),
        )
        session.add(agg)
    elif agg.suggested_minor == minor and agg.model_version == version:
        return
    else:
        agg.suggested_minor = minor
        agg.model_version = version
        if agg.override_minor is None:
            agg.aggregate_minor = minor
        agg.updated_at = utc_now()
    session.add(
        BuyerAggregateChange(
            buyer_id=rated.buyer_id,
            suggested_minor=minor,
            override_minor=agg.override_minor,
            aggregate_minor=agg.aggregate_minor,
            model_version=version,
            reason="rating",
            changed_by=rated.actor,
            changed_at=utc_now(),
        )
    )
    session.flush()


def limit_decision(session: Session, *, principal: Principal, limit_id: int) -> LimitDecision:
    """The decision in force on a limit the caller may see (its latest version)."""
    row = get_limit(session, principal=principal, limit_id=limit_id)
    latest = max(versions_of(session, row.id), key=lambda v: v.number)
    return LimitDecision(
        limit_id=row.id,
        version=latest.number,
        decision=latest.kind,
        status=row.status,
        policy_number=policies.policy_numbers_of(session, [row.policy_id]).get(row.policy_id),
        policy_id=row.policy_id,
        buyer_name=buyers.buyer_record(session, row.buyer_id).legal_name,
        country=row.country,
        amount=Money.from_minor(latest.amount_minor, latest.currency),
        payment_terms=row.payment_terms,
        credit_period_days=row.credit_period_days,
        effective_from=latest.effective_from,
        expires_on=latest.expires_on,
        indemnity_pct=latest.indemnity_pct,
        conditions=row.conditions_text,
        reason=latest.reason,
    )


def limit_decision_pdf_of(
    session: Session,
    *,
    principal: Principal,
    limit_id: int,
    locale: str,
    translate: Callable[[str], str],
) -> tuple[str, bytes]:
    """The file name and registered PDF of the decision letter of a limit the caller may
    see [domain DOC-1].
    """
    decision = limit_decision(session, principal=principal, limit_id=limit_id)
    row = get_limit(session, principal=principal, limit_id=limit_id)
    issued = documents.issue(
        session,
        kind=documents.DocumentKind.LIMIT_DECISION,
        subject_id=row.id,
        org_id=row.org_id,
        locale=locale,
        actor=principal.actor,
        render=lambda number: limit_decision_pdf(
            decision,
            locale=locale,
            translate=translate,
            stamp=documents.stamp_lines(number, "", translate),
        ),
    )
    return limit_filename(decision), issued.content

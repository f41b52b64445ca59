"""Every query of the credit limit context: reservations on the shared caps, utilisation.

Reservations follow reliability.md ("Never over-commit a shared limit"): the committed
amount of a buyer aggregate or a country only moves through one conditional ``UPDATE``
(``... SET committed_minor = committed_minor + :delta WHERE ... AND committed_minor +
:delta <= cap``) whose row count says whether it fitted, and CHECK constraints back it up.
Rows are locked in one order everywhere: country, then buyer aggregate, then limit.

Utilisation of every limit is one set-based query (:func:`utilisation_query`); the
outstanding insured receivables come from the view ``limit_outstanding``, the single
place to change when declarations and collections (issues 4 and 5) land.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import (
    CursorResult,
    Select,
    Update,
    case,
    column,
    exists,
    func,
    select,
    table,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from tradecover import consents
from tradecover.kit.money import Money
from tradecover.limits.fx import CAP_CURRENCY
from tradecover.limits.model import (
    BuyerAggregate,
    CountryExposure,
    CreditLimit,
    CreditLimitVersion,
    LimitApplication,
    LimitNotification,
)
from tradecover.limits.request import RequestType
from tradecover.limits.versions import LimitVersion

if TYPE_CHECKING:
    from tradecover.access import Principal

ACTIVE = "active"
"""Status of a limit in force (the other is ``cancelled``)."""


def visible_limits(principal: Principal, session: Session | None = None) -> Select[CreditLimit]:
    """The credit limits the caller may see: every one for insurer staff, else its own,
    and for a bank also those of the exporters that consented to the read under way,
    within the consent's data window by effective date [domain CS-14].

    Every list and get of limits starts from this statement (tenant scoping, once).
    """
    query = select(CreditLimit)
    if principal.is_insurer:
        return query
    if session is None:
        return query.where(CreditLimit.org_id == principal.org_id)
    return query.where(
        consents.visible(session, principal, CreditLimit.org_id, CreditLimit.effective_from)
    )


def visible_applications(principal: Principal) -> Select[LimitApplication]:
    """The limit applications the caller may see (insurer staff: all; else its own)."""
    query = select(LimitApplication)
    if not principal.is_insurer:
        query = query.where(LimitApplication.org_id == principal.org_id)
    return query


def visible_notifications(principal: Principal) -> Select[LimitNotification]:
    """The limit notices the caller may see (insurer staff: all; else its own)."""
    query = select(LimitNotification)
    if not principal.is_insurer:
        query = query.where(LimitNotification.org_id == principal.org_id)
    return query


def ensure_country_row(session: Session, country: str) -> None:
    """Create the country's exposure row if missing (safe under concurrency)."""
    values = {
        "country": country,
        "currency": CAP_CURRENCY,
        "guard_cap_minor": None,
        "committed_minor": 0,
    }
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(CountryExposure).values(**values).on_conflict_do_nothing(index_elements=["country"])
    )


def lock_caps(session: Session, *, country: str, buyer_id: int) -> None:
    """Lock the country row, then the buyer aggregate row (the one lock order)."""
    ensure_country_row(session, country)
    session.execute(
        select(CountryExposure.country).where(CountryExposure.country == country).with_for_update()
    )
    session.execute(
        select(BuyerAggregate.buyer_id).where(BuyerAggregate.buyer_id == buyer_id).with_for_update()
    )


def _rowcount(session: Session, statement: Update) -> int:
    """Run a conditional update as Core on the session's connection: the ORM's bulk-update
    layer costs more CPU than the round trip, and no ORM state follows these rows.
    """
    session.flush()
    result = cast(CursorResult[Any], session.connection().execute(statement))
    return int(result.rowcount)


def reserve_country(
    session: Session, *, country: str, delta_minor: int, cap_minor: int | None, ensure: bool = True
) -> bool:
    """Add ``delta_minor`` USD to the country's committed amount if it stays within the cap.

    ``cap_minor`` ``None``: the country has no cap.  ``ensure=False``: the caller saw the
    country's row (rows are never deleted), so it is not created first.  Returns whether
    it fitted.
    """
    if ensure:
        ensure_country_row(session, country)
    row = CountryExposure
    statement = update(row).where(row.country == country)
    if cap_minor is None:
        statement = statement.values(
            committed_minor=row.committed_minor + delta_minor, guard_cap_minor=None
        )
    else:
        statement = statement.where(row.committed_minor + delta_minor <= cap_minor).values(
            committed_minor=row.committed_minor + delta_minor, guard_cap_minor=cap_minor
        )
    return _rowcount(session, statement) == 1


def reserve_buyer(session: Session, *, buyer_id: int, delta_minor: int) -> bool:
    """Add ``delta_minor`` USD to the buyer's committed amount if it stays within its aggregate.

    Returns whether it fitted (a buyer without an aggregate row has no room).
    """
    row = BuyerAggregate
    return (
        _rowcount(
            session,
            update(row)
            .where(
                row.buyer_id == buyer_id, row.committed_minor + delta_minor <= row.aggregate_minor
            )
            .values(
                committed_minor=row.committed_minor + delta_minor,
                guard_cap_minor=row.aggregate_minor,
            ),
        )
        == 1
    )


def release_country(session: Session, *, country: str, amount_minor: int) -> None:
    """Give ``amount_minor`` USD back to the country (a CHECK keeps it from going negative)."""
    row = CountryExposure
    _rowcount(
        session,
        update(row)
        .where(row.country == country)
        .values(committed_minor=row.committed_minor - amount_minor),
    )


def release_buyer(session: Session, *, buyer_id: int, amount_minor: int) -> None:
    """Give ``amount_minor`` USD back to the buyer aggregate."""
    row = BuyerAggregate
    _rowcount(
        session,
        update(row)
        .where(row.buyer_id == buyer_id)
        .values(committed_minor=row.committed_minor - amount_minor),
    )


def release(session: Session, *, country: str, buyer_id: int, amount_minor: int) -> None:
    """Give ``amount_minor`` USD back to the country and the buyer aggregate (in lock order)."""
    if amount_minor == 0:
        return
    release_country(session, country=country, amount_minor=amount_minor)
    release_buyer(session, buyer_id=buyer_id, amount_minor=amount_minor)


def committed_in_country(session: Session, country: str) -> int:
    """US dollar minor units committed in ``country`` now."""
    value = session.execute(
        select(CountryExposure.committed_minor).where(CountryExposure.country == country)
    ).scalar_one_or_none()
    return int(value or 0)


def aggregate_of(session: Session, buyer_id: int, *, lock: bool = False) -> BuyerAggregate | None:
    """The buyer's aggregate row."""
    query = select(BuyerAggregate).where(BuyerAggregate.buyer_id == buyer_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.execute(query).scalar_one_or_none()


def active_limit(
    session: Session, *, policy_id: int, buyer_id: int, lock: bool = False
) -> CreditLimit | None:
    """The limit in force under ``policy_id`` on ``buyer_id``."""
    query = select(CreditLimit).where(
        CreditLimit.policy_id == policy_id,
        CreditLimit.buyer_id == buyer_id,
        CreditLimit.status == ACTIVE,
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.execute(query.order_by(CreditLimit.id).limit(1)).scalar_one_or_none()


def limit_by_id(session: Session, limit_id: int, *, lock: bool = False) -> CreditLimit | None:
    """One limit by id."""
    query = select(CreditLimit).where(CreditLimit.id == limit_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.execute(query).scalar_one_or_none()


def versions_of(session: Session, limit_id: int) -> list[CreditLimitVersion]:
    """Every version of a limit, oldest first."""
    return list(
        session.execute(
            select(CreditLimitVersion)
            .where(CreditLimitVersion.limit_id == limit_id)
            .order_by(CreditLimitVersion.number)
        ).scalars()
    )


def pending_application(session: Session, *, policy_id: int, buyer_id: int) -> int | None:
    """The id of an undecided application under ``policy_id`` on ``buyer_id``."""
    return session.execute(
        select(LimitApplication.id)
        .where(
            LimitApplication.policy_id == policy_id,
            LimitApplication.buyer_id == buyer_id,
            LimitApplication.status.in_(("pending", "pending_second_approval")),
        )
        .limit(1)
    ).scalar_one_or_none()


def application_by_id(
    session: Session, application_id: int, *, lock: bool = False
) -> LimitApplication | None:
    """One application by id."""
    query = select(LimitApplication).where(LimitApplication.id == application_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.execute(query).scalar_one_or_none()


# --- utilisation ------------------------------------------------------------------------

LIMIT_OUTSTANDING = table(
    "limit_outstanding", column("limit_id"), column("outstanding_minor"), column("shipped_on")
)
"""The one source of outstanding insured receivables per limit (a view, see migration 0006)."""


@dataclass(frozen=True, slots=True)
class UtilisationRow:
    """Approved, outstanding and available amounts of one limit (minor units of its currency).

    ``rate_bp`` is outstanding / approved in basis points of a fraction (1/10000), rounded
    half-up; ``None`` for a zero limit.
    """

    limit_id: int
    org_id: int
    buyer_id: int
    country: str
    currency: str
    status: str
    effective_from: date
    approved_minor: int
    outstanding_minor: int
    available_minor: int
    rate_bp: int | None
    last_used_on: date | None


def utilisation_query(
    *,
    org_id: int | None = None,
    limit_ids: Sequence[int] | None = None,
    buyer_id: int | None = None,
    active_only: bool = True,
) -> Select[Any]:
    """One set-based query: every (matching) limit with its outstanding and available amounts.

    Outstanding receivables are summed per limit from ``limit_outstanding`` in one grouped
    subquery joined to the limits; nothing is computed row by row in Python.
    """
    o = LIMIT_OUTSTANDING
    sums = (
        select(
            o.c.limit_id.label("limit_id"),
            func.sum(o.c.outstanding_minor).label("outstanding"),
            func.max(o.c.shipped_on).label("last_used_on"),
        )
        .group_by(o.c.limit_id)
        .subquery("s")
    )
    outstanding = func.coalesce(sums.c.outstanding, 0)
    approved = CreditLimit.amount_minor
    available = case((approved > outstanding, approved - outstanding), else_=0)
    rate = case((approved > 0, (outstanding * 20000 + approved) // (approved * 2)), else_=None)
    query = select(
        CreditLimit.id,
        CreditLimit.org_id,
        CreditLimit.buyer_id,
        CreditLimit.country,
        CreditLimit.currency,
        CreditLimit.status,
        CreditLimit.effective_from,
        approved.label("approved_minor"),
        outstanding.label("outstanding_minor"),
        available.label("available_minor"),
        rate.label("rate_bp"),
        sums.c.last_used_on,
    ).outerjoin(sums, sums.c.limit_id == CreditLimit.id)
    if active_only:
        query = query.where(CreditLimit.status == ACTIVE)
    if org_id is not None:
        query = query.where(CreditLimit.org_id == org_id)
    if buyer_id is not None:
        query = query.where(CreditLimit.buyer_id == buyer_id)
    if limit_ids is not None:
        query = query.where(CreditLimit.id.in_(list(limit_ids)))
    return query.order_by(CreditLimit.id)


def utilisation_rows(session: Session, **filters: Any) -> list[UtilisationRow]:
    """Run :func:`utilisation_query` and return its rows."""
    rows = []
    for r in session.execute(utilisation_query(**filters)):
        last = r.last_used_on
        if isinstance(last, str):  # SQLite returns view dates as text
            last = date.fromisoformat(last)
        rows.append(
            UtilisationRow(
                limit_id=r.id,
                org_id=r.org_id,
                buyer_id=r.buyer_id,
                country=r.country,
                currency=r.currency,
                status=r.status,
                effective_from=r.effective_from,
                approved_minor=int(r.approved_minor),
                outstanding_minor=int(r.outstanding_minor),
                available_minor=int(r.available_minor),
                rate_bp=None if r.rate_bp is None else int(r.rate_bp),
                last_used_on=last,
            )
        )
    return rows


def active_limits_on_buyers(session: Session, buyer_ids: Sequence[int]) -> list[CreditLimit]:
    """The limits in force on these buyers (any exporter), by id (for other contexts)."""
    wanted = sorted(set(buyer_ids))
    rows: list[CreditLimit] = []
    for start in range(0, len(wanted), 500):  # bound the IN list on every database
        rows += session.execute(
            select(CreditLimit)
            .where(
                CreditLimit.buyer_id.in_(wanted[start : start + 500]), CreditLimit.status == ACTIVE
            )
            .order_by(CreditLimit.id)
        ).scalars()
    return sorted(rows, key=lambda r: r.id)


def limit_versions(session: Session, limit_id: int) -> list[LimitVersion]:
    """Every version of a limit as the pure value the cover and claim rules take, oldest
    first (for other contexts).
    """
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
        for v in versions_of(session, limit_id)
    ]


def buyer_carries_limits(session: Session, buyer_id: int) -> bool:
    """True when a credit limit or a limit application names the buyer (its record must
    not be merged away).
    """
    return any(
        session.execute(select(exists().where(model.buyer_id == buyer_id))).scalar()
        for model in (CreditLimit, LimitApplication)
    )

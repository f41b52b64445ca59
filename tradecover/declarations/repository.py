"""Queries of declarations: the limit reservation (one conditional update) and lookups.

The reservation follows docs/reliability ("never over-commit a shared limit"): the row
``limit_reservations(limit_id)`` holds what is outstanding on the limit, and ONE statement
takes ``min(amount, cap - outstanding)`` from it only while ``outstanding < cap``, writing
what it took to ``last_reserved_minor`` and returning it.  Concurrent attachments on the
same limit queue on that row (PostgreSQL row lock; SQLite ``BEGIN IMMEDIATE``), so the
amounts they take always add up within the cap; the CHECK ``outstanding_minor <=
cap_minor`` is the backstop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import BigInteger, bindparam, case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tradecover.declarations.model import LimitReservation
from tradecover.kit.dates import utc_now
from tradecover.limits.model import CreditLimit, CreditLimitVersion


@dataclass(frozen=True, slots=True)
class Reserved:
    """What one reservation took, and what was outstanding before it."""

    taken_minor: int
    outstanding_before_minor: int


def _ensure(session: Session, *, limit_id: int, currency: str, cap_minor: int) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(LimitReservation).values(
        limit_id=limit_id, currency=currency, outstanding_minor=0, cap_minor=cap_minor,
        last_reserved_minor=0, updated_at=utc_now(),
    ).on_conflict_do_nothing(index_elements=["limit_id"]))


_OUTSTANDING = LimitReservation.outstanding_minor
_AMOUNT = bindparam("amount", type_=BigInteger)
_CAP = bindparam("cap", type_=BigInteger)
_FITS = _OUTSTANDING + _AMOUNT <= _CAP
_RESERVE = (  # built once: the hot path of every attachment
    update(LimitReservation)
    .where(LimitReservation.limit_id == bindparam("b_limit_id", type_=BigInteger),
           _CAP > _OUTSTANDING)
    .values(last_reserved_minor=case((_FITS, _AMOUNT), else_=_CAP - _OUTSTANDING),
            outstanding_minor=case((_FITS, _OUTSTANDING + _AMOUNT), else_=_CAP),
            cap_minor=_CAP,
            updated_at=bindparam("now", type_=LimitReservation.__table__.c.updated_at.type))
    .returning(LimitReservation.outstanding_minor, LimitReservation.last_reserved_minor)
    .execution_options(synchronize_session=False)
)


def reserve(session: Session, *, limit_id: int, currency: str, amount_minor: int,
            cap_minor: int) -> Reserved:
    """Take up to ``amount_minor`` from the limit without passing ``cap_minor``.

    Returns what was taken (0 when the limit is exhausted) and the outstanding before.
    """
    params = {"b_limit_id": limit_id, "amount": amount_minor, "cap": cap_minor,
              "now": utc_now()}
    for _attempt in range(3):
        row = session.connection().execute(_RESERVE, params).one_or_none()
        if row is not None:
            after, taken = int(row[0]), int(row[1])
            return Reserved(taken, after - taken)
        current = session.execute(
            select(LimitReservation.outstanding_minor)
            .where(LimitReservation.limit_id == limit_id).with_for_update()).scalar_one_or_none()
        if current is None:
            _ensure(session, limit_id=limit_id, currency=currency, cap_minor=cap_minor)
        elif current >= cap_minor:
            return Reserved(0, int(current))
        # else: the row was created by a concurrent first reservation: try again
    raise RuntimeError(f"limit reservation row {limit_id} could not be created")  # pragma: no cover


def reserve_many(session: Session, wanted: dict[int, tuple[str, int, int]]
                 ) -> dict[int, Reserved]:
    """:func:`reserve` on many limits at once: ``wanted`` maps a limit id to ``(currency,
    amount_minor, cap_minor)``.

    The reservation rows are locked, and created on a limit's first use, with ONE upsert
    (``INSERT ... ON CONFLICT DO UPDATE``, a no-op update) in limit id order, so concurrent
    batches take them in one order and cannot deadlock; what each limit can give is
    computed from the locked values and written back with ONE ``UPDATE ... CASE``.  The
    CHECK ``outstanding_minor <= cap_minor`` stays the backstop.
    """
    ids = sorted(wanted)
    dialect = session.get_bind().dialect.name
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utc_now()
    rows = upsert(LimitReservation).values([
        {"limit_id": i, "currency": wanted[i][0], "outstanding_minor": 0,
         "cap_minor": wanted[i][2], "last_reserved_minor": 0, "updated_at": now}
        for i in ids])
    lock = rows.on_conflict_do_update(
        index_elements=["limit_id"],
        set_={"outstanding_minor": LimitReservation.__table__.c.outstanding_minor},
    ).returning(LimitReservation.limit_id, LimitReservation.outstanding_minor)
    current = {int(r[0]): int(r[1]) for r in session.execute(lock)}
    done: dict[int, Reserved] = {}
    after: dict[int, int] = {}
    taken: dict[int, int] = {}
    for limit_id in ids:
        _currency, amount, cap = wanted[limit_id]
        before = current[limit_id]
        take = max(0, min(amount, cap - before))
        done[limit_id] = Reserved(take, before)
        if take:
            after[limit_id], taken[limit_id] = before + take, take
    if after:
        key = LimitReservation.limit_id
        session.execute(
            update(LimitReservation).where(key.in_(sorted(after)))
            .values(outstanding_minor=case(after, value=key),
                    last_reserved_minor=case(taken, value=key),
                    cap_minor=case({i: wanted[i][2] for i in after}, value=key),
                    updated_at=utc_now())
            .execution_options(synchronize_session=False))
    return done


def lock(session: Session, limit_ids: set[int]) -> None:
    """Lock the existing reservation rows of ``limit_ids`` in limit id order (PostgreSQL
    ``FOR UPDATE``; SQLite's ``BEGIN IMMEDIATE`` already serialises writers).

    A transaction that releases on one limit and reserves on another (a correction that
    changes the buyer) takes both rows first, in the one order every such writer uses, so
    two of them working on the same limits the other way round cannot deadlock.
    """
    if limit_ids:
        session.execute(select(LimitReservation.limit_id)
                        .where(LimitReservation.limit_id.in_(sorted(limit_ids)))
                        .order_by(LimitReservation.limit_id).with_for_update()).all()


def release(session: Session, *, limit_id: int, amount_minor: int) -> None:
    """Give ``amount_minor`` back to the limit (a cancellation, correction or collection)."""
    if amount_minor <= 0:
        return
    session.execute(
        update(LimitReservation).where(LimitReservation.limit_id == limit_id)
        .values(outstanding_minor=LimitReservation.outstanding_minor - amount_minor,
                updated_at=utc_now())
        .execution_options(synchronize_session=False))


def outstanding_minor(session: Session, limit_id: int) -> int:
    """What the reservation row says is outstanding on the limit (0 when never used)."""
    value = session.execute(select(LimitReservation.outstanding_minor)
                            .where(LimitReservation.limit_id == limit_id)).scalar_one_or_none()
    return int(value or 0)


def limit_for(session: Session, *, org_id: int, policy_id: int, buyer_id: int
              ) -> CreditLimit | None:
    """The exporter's limit on the buyer under the policy (the active one first)."""
    rows = session.execute(
        select(CreditLimit).where(CreditLimit.org_id == org_id,
                                  CreditLimit.policy_id == policy_id,
                                  CreditLimit.buyer_id == buyer_id)
        .order_by(CreditLimit.id.desc())).scalars().all()
    active = [r for r in rows if r.status == "active"]
    candidates = active or list(rows)
    return candidates[0] if candidates else None


def version_on(session: Session, *, limit_id: int, on: date) -> CreditLimitVersion | None:
    """The limit's version in force on ``on``: the latest effective by then."""
    return session.execute(
        select(CreditLimitVersion)
        .where(CreditLimitVersion.limit_id == limit_id,
               CreditLimitVersion.effective_from <= on)
        .order_by(CreditLimitVersion.effective_from.desc(), CreditLimitVersion.number.desc())
        .limit(1)).scalar_one_or_none()

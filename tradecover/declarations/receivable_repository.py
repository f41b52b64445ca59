"""Declared invoices as receivables: what collections reads of them and the one write it
makes (a collection raises ``collected_minor``), without another context's ORM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import Table, bindparam, case, select, update
from sqlalchemy.orm import Session

from tradecover.declarations import repository
from tradecover.declarations.model import STATUS_ACTIVE, Declaration


@dataclass(frozen=True, slots=True)
class OpenReceivable:
    """An active declared invoice not yet collected in full (amounts in minor units)."""

    id: int
    exporter_org_id: int
    policy_id: int
    buyer_id: int
    invoice_number: str
    currency: str
    insured_minor: int
    covered_minor: int
    collected_minor: int
    shipment_date: date
    due_date: date


def open_receivables(
    session: Session, *, exporter_org_id: int | None = None, due_before: date | None = None
) -> list[OpenReceivable]:
    """Active declarations with something left to collect, by policy and id; only one
    exporter's when ``exporter_org_id`` is given, only those due before ``due_before``
    (their declared due date) when it is given.
    """
    query = select(Declaration).where(
        Declaration.status == STATUS_ACTIVE,
        Declaration.collected_minor < Declaration.insured_minor,
    )
    if exporter_org_id is not None:
        query = query.where(Declaration.exporter_org_id == exporter_org_id)
    if due_before is not None:
        query = query.where(Declaration.due_date < due_before)
    rows = session.execute(query.order_by(Declaration.policy_id, Declaration.id)).scalars()
    return [
        OpenReceivable(
            id=row.id,
            exporter_org_id=row.exporter_org_id,
            policy_id=row.policy_id,
            buyer_id=row.buyer_id,
            invoice_number=row.invoice_number,
            currency=row.currency,
            insured_minor=row.insured_minor,
            covered_minor=row.covered_minor,
            collected_minor=row.collected_minor,
            shipment_date=row.shipment_date,
            due_date=row.due_date,
        )
        for row in rows
    ]


def active_declaration_id(
    session: Session, *, exporter_org_id: int, buyer_id: int, invoice_number: str
) -> int | None:
    """The id of the exporter's active declaration of this invoice to this buyer, if any."""
    found = session.execute(
        select(Declaration.id).where(
            Declaration.exporter_org_id == exporter_org_id,
            Declaration.buyer_id == buyer_id,
            Declaration.invoice_number == invoice_number,
            Declaration.status == STATUS_ACTIVE,
        )
    ).scalar_one_or_none()
    return None if found is None else int(found)


def record_collected(session: Session, *, declaration_id: int, paid_minor: int) -> bool:
    """Add ``paid_minor`` to what was collected on an active declaration, in ONE conditional
    update (``collected + paid <= insured``): two concurrent collections can never collect
    more than was invoiced.  False when the declaration is not active or the payment is
    more than is outstanding (nothing is written then).
    """
    done = session.execute(
        update(Declaration)
        .where(
            Declaration.id == declaration_id,
            Declaration.status == STATUS_ACTIVE,
            Declaration.collected_minor + paid_minor <= Declaration.insured_minor,
        )
        .values(collected_minor=Declaration.collected_minor + paid_minor)
        .execution_options(synchronize_session=False)
    )
    return getattr(done, "rowcount", 0) == 1


def release_reservation(session: Session, *, limit_id: int, amount_minor: int) -> None:
    """Give ``amount_minor`` back to the limit's reservation (a collection freed it)."""
    repository.release(session, limit_id=limit_id, amount_minor=amount_minor)


_TABLE = cast(Table, Declaration.__table__)
_COLLECT_ONE = (
    update(_TABLE)
    .where(
        _TABLE.c.id == bindparam("i"),
        _TABLE.c.status == STATUS_ACTIVE,
        _TABLE.c.collected_minor + bindparam("p") <= _TABLE.c.insured_minor,
    )
    .values(collected_minor=_TABLE.c.collected_minor + bindparam("p"))
    .returning(_TABLE.c.id, _TABLE.c.collected_minor)
)


def record_collected_many(session: Session, paid: dict[int, int]) -> dict[int, int] | None:
    """Add what was paid (declaration id -> minor units) to what was collected on each of
    these active declarations, in ONE conditional update (``collected + paid <= insured``
    for every row, as :func:`record_collected` for one): the new collected amounts by id,
    or None when any declaration is not active or would collect more than is outstanding
    (the caller then refuses the whole batch and its transaction writes nothing).
    """
    if not paid:
        return {}
    if len(paid) == 1:  # the common case: one cached statement
        [(declaration_id, paid_minor)] = paid.items()
        one = (
            session.connection()
            .execute(_COLLECT_ONE, {"i": declaration_id, "p": paid_minor})
            .one_or_none()
        )
        return None if one is None else {int(one[0]): int(one[1])}
    key = Declaration.id
    adds = case(paid, value=key)
    done = session.execute(
        update(Declaration)
        .where(
            key.in_(sorted(paid)),
            Declaration.status == STATUS_ACTIVE,
            Declaration.collected_minor + adds <= Declaration.insured_minor,
        )
        .values(collected_minor=Declaration.collected_minor + adds)
        .returning(key, Declaration.collected_minor)
        .execution_options(synchronize_session=False)
    ).all()
    if len(done) != len(paid):
        return None
    return {int(i): int(c) for i, c in done}


def release_reservations(session: Session, freed: dict[int, int]) -> None:
    """Give back what collections freed (limit id -> minor units) to each limit's
    reservation, in one update (:func:`release_reservation` for one limit).
    """
    repository.release_many(session, freed)

"""Confirming many collections in one set-based pass (``confirm_collections``, the demo
seed's and an ERP's path) writes exactly what the single-invoice use case writes, one
answer after the other; a refused answer refuses the batch."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Cast, Database
from tests.integration.claims.conftest import TODAY, Book, principal, usd
from tradecover import collections
from tradecover.access.principal import Principal
from tradecover.audit.model import AuditEntry
from tradecover.collections import CollectionAnswer, CollectionOutcome
from tradecover.collections.model import CollectionConfirmation
from tradecover.declarations.model import Declaration, LimitReservation
from tradecover.kit.errors import NotFound, ValidationFailed

ANSWERS = (
    (0, CollectionOutcome.PAID_IN_PART, "10000"),
    (1, CollectionOutcome.UNPAID, None),
    (0, CollectionOutcome.PAID_IN_FULL, None),  # sees the part payment before it
    (1, CollectionOutcome.PAID_IN_PART, "25000"),
)


def _answers(book: Book) -> list[CollectionAnswer]:
    return [
        CollectionAnswer(
            declaration_id=book.declarations[n],
            outcome=outcome,
            amount=None if amount is None else usd(amount),
            paid_on=None if outcome is CollectionOutcome.UNPAID else TODAY,
        )
        for n, outcome, amount in ANSWERS
    ]


def _state(s: Session, book: Book, mark: int) -> dict[str, Any]:
    """What a confirmation writes: collected, the reservation, the confirmations, the
    audit entries (from ``mark`` on, without their time and hashes)."""
    s.flush()
    s.expire_all()
    return {
        "collected": [s.get(Declaration, d).collected_minor for d in book.declarations],  # type: ignore[union-attr]
        "reserved": s.get(LimitReservation, book.limit_id).outstanding_minor,  # type: ignore[union-attr]
        "confirmations": [
            (c.declaration_id, c.outcome, c.amount_minor, c.freed_minor, c.paid_on, c.confirmed_on)
            for c in s.execute(
                select(CollectionConfirmation).order_by(CollectionConfirmation.id)
            ).scalars()
        ],
        "audit": [
            (e.org_id, e.chain, e.actor, e.action, e.entity_type, e.entity_id, e.after, e.reason)
            for e in s.execute(
                select(AuditEntry).where(AuditEntry.id > mark).order_by(AuditEntry.id)
            ).scalars()
        ],
    }


def _mark(db: Database) -> int:
    with db.factory() as s:
        return int(s.execute(select(AuditEntry.id).order_by(AuditEntry.id.desc())).scalar() or 0)


def test_a_batch_writes_what_the_single_confirmations_write(
    cast: Cast, db: Database, book: Book
) -> None:
    exporter = principal(db, cast.exporter)
    mark = _mark(db)
    with db.factory() as s, s.begin():
        batch = collections.confirm_collections(
            s, principal=exporter, answers=_answers(book), today=TODAY
        )
        assert [c.outcome for c in batch] == [o.value for _n, o, _a in ANSWERS]
        batched = _state(s, book, mark)
        s.rollback()
    with db.factory() as s, s.begin():
        for answer in _answers(book):
            collections.confirm_collection(
                s,
                principal=exporter,
                declaration_id=answer.declaration_id,
                outcome=answer.outcome,
                amount=answer.amount,
                paid_on=answer.paid_on,
                today=TODAY,
            )
        single = _state(s, book, mark)
        s.rollback()
    assert batched == single
    assert batched["collected"] == [3_000_000, 2_500_000]
    assert [a[3] for a in batched["audit"]] == ["collection.confirmed"] * 4
    assert batched["audit"][2][6]["collected_total"] == "30000.00 USD"


def _refused(db: Database, exporter: Principal, answers: list[CollectionAnswer]) -> Exception:
    with db.factory() as s, s.begin():
        with pytest.raises((ValidationFailed, NotFound)) as refused:
            collections.confirm_collections(s, principal=exporter, answers=answers, today=TODAY)
        s.rollback()
    return refused.value


def test_one_refused_answer_refuses_the_batch(cast: Cast, db: Database, book: Book) -> None:
    exporter = principal(db, cast.exporter)
    first, second = book.declarations
    too_much = [
        CollectionAnswer(
            declaration_id=first, outcome=CollectionOutcome.PAID_IN_FULL, paid_on=TODAY
        ),
        CollectionAnswer(
            declaration_id=first,
            outcome=CollectionOutcome.PAID_IN_PART,
            amount=usd(1),
            paid_on=TODAY,
        ),
    ]
    refused = _refused(db, exporter, too_much)
    assert isinstance(refused, ValidationFailed)
    assert refused.code == "collection_exceeds_invoice"
    foreign = principal(db, cast.other_exporter)
    missing = _refused(
        db,
        foreign,
        [CollectionAnswer(declaration_id=second, outcome=CollectionOutcome.UNPAID)],
    )
    assert isinstance(missing, NotFound)
    with db.factory() as s:
        assert s.execute(select(CollectionConfirmation)).first() is None
        assert [s.get(Declaration, d).collected_minor for d in book.declarations] == [0, 0]  # type: ignore[union-attr]

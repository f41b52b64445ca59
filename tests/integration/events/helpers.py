"""Checks of the outbox for the tests of the contexts that record events: what was told,
and that an event lives and dies with the change that caused it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Database
from tradecover.db.engine import transaction
from tradecover.events.model import OutboxEvent

T = TypeVar("T")


def told(db: Database, event_type: str) -> list[tuple[str, int, dict[str, Any]]]:
    """The committed events of ``event_type``, oldest first: (subject, org id, payload)."""
    with db.factory() as s:
        return [
            (subject, int(org_id), payload)
            for subject, org_id, payload in s.execute(
                select(OutboxEvent.subject, OutboxEvent.org_id, OutboxEvent.payload)
                .where(OutboxEvent.event_type == event_type)
                .order_by(OutboxEvent.id)
            )
        ]


def _count(session: Session, event_type: str) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.event_type == event_type)
        )
        or 0
    )


def in_one_transaction(
    db: Database,
    event_type: str,
    work: Callable[[Session], T],
    changed: Callable[[Session], int],
) -> T:
    """Run ``work`` twice: rolled back, neither its change (``changed`` counts it) nor its
    ``event_type`` event remains, though both were there before the rollback; committed,
    both are there.  Returns what the committed run returned.
    """
    with db.factory() as s:
        events_before, change_before = _count(s, event_type), changed(s)
    with db.factory() as s:
        work(s)
        s.flush()
        assert _count(s, event_type) > events_before
        assert changed(s) > change_before
        s.rollback()
    with db.factory() as s:
        assert (_count(s, event_type), changed(s)) == (events_before, change_before)
    with transaction(db.factory) as s:
        done = work(s)
    with db.factory() as s:
        assert _count(s, event_type) > events_before and changed(s) > change_before
    return done


def rows_of(model: Any) -> Callable[[Session], int]:
    """A ``changed`` counter: the rows of ``model``."""

    def count(session: Session) -> int:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)

    return count

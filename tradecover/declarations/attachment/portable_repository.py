"""The portable attachment store: SQLAlchemy Core on the session's connection, any database.

The reservation rows are locked with one upsert in limit id order
(:func:`tradecover.declarations.repository.lock_reservations`; on SQLite
``BEGIN IMMEDIATE`` already serialises writers), the facts read by the read model it is
built with (:class:`~tradecover.declarations.attachment.repository.FactsReader`); the
declarations are inserted in one statement returning their ids, the audit entries appended
with :func:`tradecover.audit.service.append_many`, their events in one insert
(:func:`tradecover.events.service.record_events`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tradecover import audit, events, idempotency
from tradecover.access import KnownApiKeys, api_key_rows
from tradecover.declarations import repository
from tradecover.declarations.attachment.record import DeclarationRecord
from tradecover.declarations.attachment.repository import (
    FactsReader,
    Finish,
    KeyedRequest,
    KeyNotConfirmed,
    concurrent_duplicate,
)
from tradecover.declarations.facts import AttachmentFacts
from tradecover.declarations.model import Declaration
from tradecover.declarations.shipment import Shipment

_DECLARATIONS = cast(Table, Declaration.__table__)
_INSERT = insert(_DECLARATIONS).returning(_DECLARATIONS.c.id, sort_by_parameter_order=True)


class PortableStore:
    """The attachment store on any database (see the module's docstring)."""

    name = "portable"

    def __init__(self, facts: FactsReader) -> None:
        """A store reading the facts with ``facts``."""
        self.facts = facts

    def pair_limit_ids(
        self, session: Session, *, org_id: int, policy_id: int, buyer_id: int
    ) -> set[int]:
        """The ids of the exporter's limits on the buyer under the policy."""
        return self.facts.limit_ids_of_pair(
            session.connection(), org_id=org_id, policy_id=policy_id, buyer_id=buyer_id
        )

    def load(
        self,
        session: Session,
        *,
        org_id: int,
        shipments: Sequence[Shipment],
        now: datetime,
        keyed: KeyedRequest | None,
    ) -> AttachmentFacts:
        """Hold the key, read the facts and lock the reservation rows of their limits."""
        session.flush()  # e.g. a correction's old row, ended in this transaction
        if keyed is not None:
            if keyed.unconfirmed is not None and not KnownApiKeys.confirms(
                api_key_rows(session, keyed.unconfirmed), keyed.unconfirmed, keyed.principal
            ):
                raise KeyNotConfirmed
            replay = idempotency.hold(session, keyed.held)
            if replay is not None:
                raise idempotency.Replayed(replay)
        if not shipments:
            return AttachmentFacts({}, {}, {}, {})
        facts = self.facts.load_facts(session.connection(), org_id=org_id, shipments=shipments)
        latest = {
            limit.id: max(limit.versions, key=lambda v: v.number)
            for limit in facts.limits.values()
            if limit.versions
        }
        facts.outstanding = repository.lock_reservations(
            session,
            {
                limit_id: (version.currency, version.amount_minor)
                for limit_id, version in latest.items()
            },
        )
        return facts

    def write(
        self,
        session: Session,
        *,
        facts: AttachmentFacts,
        org_id: int,
        values: Sequence[dict[str, Any]],
        moved: dict[int, tuple[int, int, int]],
        now: datetime,
        finish: Finish,
        keyed: KeyedRequest | None,
        commit: bool,
    ) -> list[DeclarationRecord]:
        """The declarations (one insert), reservations, audit entries and the answer."""
        records: list[DeclarationRecord] = []
        if values:
            repository.write_reservations(session, moved)
            try:
                ids = session.connection().execute(_INSERT, list(values)).scalars().all()
            except IntegrityError:
                raise concurrent_duplicate() from None
            records = [
                DeclarationRecord(id=int(new_id), **row)
                for new_id, row in zip(ids, values, strict=True)
            ]
        finished = finish(records)
        audit.append_many(session, finished.entries)
        events.record_events(session, finished.events)
        if keyed is not None and finished.answer is not None:
            idempotency.store(
                session, keyed.held, status_code=keyed.status, body_json=finished.answer
            )
        if commit:
            session.commit()
        return records

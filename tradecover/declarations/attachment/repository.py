"""The attachment store: the one port through which the attachment shell reads and writes.

An attachment is two steps of I/O around decisions made in Python
(:mod:`tradecover.declarations.attachment.service`):

1. :meth:`AttachmentStore.load`: hold the request's ``Idempotency-Key`` (when it has one),
   lock the reservation rows of the exporter's limits on the shipments' (policy, buyer)
   pairs (creating those missing, in limit id order, so that concurrent writers cannot
   deadlock) and read the facts the decisions need;
2. :meth:`AttachmentStore.write`: the declarations, the moved reservations, their audit
   entries and the request's answer (stored with its key) in the same transaction.

Two adapters, chosen once at start-up from the engine's dialect by the composition root
(:func:`tradecover.wiring.store_for`):
:class:`~tradecover.declarations.attachment.portable_repository.PortableStore` (SQLAlchemy, any
database) and :class:`~tradecover.declarations.attachment.postgres_repository.PostgresStore` (each
step ONE pipelined round trip).  Both give the same outcomes for the same requests.  Each
receives the read model of the facts it reads (:class:`FactsReader`,
:class:`PipelinedFactsReader`: the read side's, :mod:`tradecover.reporting`) when built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from tradecover import audit
from tradecover.access import Principal
from tradecover.declarations.attachment.record import DeclarationRecord
from tradecover.declarations.facts import AttachmentFacts
from tradecover.declarations.shipment import Shipment
from tradecover.events import PendingEvent
from tradecover.idempotency import HeldKey
from tradecover.kit.errors import Conflict


@dataclass(frozen=True, slots=True)
class KeyedRequest:
    """A request with an ``Idempotency-Key``: the key held for its organisation, the status
    its answer has, and, for a caller this process authenticated from memory, the API key
    ``unconfirmed`` that the store's first step confirms (still ``principal``'s).
    """

    held: HeldKey
    status: int
    principal: Principal
    unconfirmed: str | None = None


class KeyNotConfirmed(Exception):
    """The database no longer confirms the remembered API key (revoked, or another role or
    organisation): the request is authenticated afresh.
    """


@dataclass(frozen=True, slots=True)
class Finished:
    """What follows from the written declarations: their audit entries (chain, entry),
    the answer to store with the request's key (JSON text; ``None`` without a key) and
    their business events, which the store writes in the same transaction, set-based.
    """

    entries: Sequence[tuple[int, audit.Pending]]
    answer: str | None = None
    events: Sequence[PendingEvent] = ()


Finish = Callable[[list[DeclarationRecord]], Finished]
"""Called by :meth:`AttachmentStore.write` with the records once their ids are known."""


class FactsReader(Protocol):
    """The read model of the facts an attachment reads, on any database."""

    def load_facts(
        self, connection: Connection, *, org_id: int, shipments: Sequence[Shipment]
    ) -> AttachmentFacts:
        """The facts of ``shipments`` (all of exporter ``org_id``): policies, buyers, the
        limits of their (policy, buyer) pairs with every version, already-declared invoices.
        """
        ...

    def limit_ids_of_pair(
        self, connection: Connection, *, org_id: int, policy_id: int, buyer_id: int
    ) -> set[int]:
        """The ids of the exporter's limits on the buyer under the policy (whatever their
        state): those an attachment for that pair may take from.
        """
        ...


class PipelinedFactsReader(FactsReader, Protocol):
    """The same read model as statements the PostgreSQL store sends in its own round trip."""

    pair_limits: str
    """The exporter's limits of the shipments' (policy, buyer) pairs, as a FROM clause."""
    fact_columns: tuple[str, ...]
    """The facts as scalar subqueries, in the order :meth:`facts_of` reads them."""
    policies: str
    """The shipments' policies."""

    def parameters(self, *, org_id: int, shipments: Sequence[Shipment]) -> dict[str, Any]:
        """The parameters of :attr:`fact_columns` and :attr:`policies` for ``shipments``."""
        ...

    def facts_of(self, values: Sequence[Any], policies: Iterable[Sequence[Any]]) -> AttachmentFacts:
        """The facts in the values of :attr:`fact_columns` and the rows of :attr:`policies`."""
        ...


class AttachmentStore(Protocol):
    """The port of the attachment: see the module's docstring."""

    name: str

    def pair_limit_ids(
        self, session: Session, *, org_id: int, policy_id: int, buyer_id: int
    ) -> set[int]:
        """The ids of the exporter's limits on the buyer under the policy: those an
        attachment for that pair may take from (a correction locks them first).
        """
        ...

    def load(
        self,
        session: Session,
        *,
        org_id: int,
        shipments: Sequence[Shipment],
        now: datetime,
        keyed: KeyedRequest | None,
    ) -> AttachmentFacts:
        """Hold ``keyed``'s key (raising :class:`~tradecover.idempotency.service.Replayed`
        with a stored answer, 409, 422, or :class:`KeyNotConfirmed`), lock the limits'
        reservation rows and read the facts of ``shipments`` (``outstanding`` filled).
        """
        ...

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
        """Write the declarations ``values`` (column values without ids), the reservations
        ``moved`` (limit id -> outstanding, taken, cap), the audit entries, the events
        (ONE multi-row insert into the outbox) and the answer ``finish`` gives for their
        records, which are returned; COMMIT after when
        ``commit`` (the edge's choice).  A concurrent declaration of one of the invoices
        is :func:`concurrent_duplicate`.
        """
        ...


def concurrent_duplicate() -> Conflict:
    """The refusal of a set one of whose invoices a concurrent request declared for the same
    buyer after the facts were read (the partial unique index caught it).
    """
    return Conflict(
        "an invoice of this request was declared concurrently for the same buyer; retry",
        code="duplicate_invoice_number",
        field="invoice_number",
    )

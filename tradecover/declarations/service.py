"""The attachment service ([domain D-1], [domain R-5]): the use cases every channel declares
shipments through, each a call of THE shell
(:mod:`tradecover.declarations.attachment.service`) on the attachment store the caller
passes (built once for the database by the composition root,
:func:`tradecover.wiring.store_for`).  The caller's transaction holds all of it: services
never commit.

Corrections (:func:`correct`) and cancellations (:func:`cancel`) are new events: the old
row is marked ``corrected``/``cancelled`` (never deleted), a correction writes a new row
that ``supersedes`` it, and the reservation follows.

Also here: the declaration status of a policy by its frequency
(:func:`declaration_status`) and monthly turnover returns (:func:`submit_turnover_return`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.access import Permission, Principal
from tradecover.declarations import repository, upload
from tradecover.declarations.amendment_repository import _end, _reason
from tradecover.declarations.amendment_repository import cancel as cancel
from tradecover.declarations.amendment_repository import get_declaration as get_declaration
from tradecover.declarations.amendment_repository import history as history
from tradecover.declarations.amendment_repository import list_declarations as list_declarations
from tradecover.declarations.attachment.record import DeclarationRecord
from tradecover.declarations.attachment.repository import AttachmentStore
from tradecover.declarations.attachment.service import CHANNELS as CHANNELS
from tradecover.declarations.attachment.service import MAX_BATCH as MAX_BATCH
from tradecover.declarations.attachment.service import Outcome as Outcome
from tradecover.declarations.attachment.service import attach_batch
from tradecover.declarations.attachment.service import audit_chain_of as audit_chain_of
from tradecover.declarations.attachment.service import rate_source_for as rate_source_for
from tradecover.declarations.attachment.service import snapshot as snapshot
from tradecover.declarations.loading_repository import _declaration
from tradecover.declarations.loading_repository import policy_facts as policy_facts
from tradecover.declarations.model import STATUS_ACTIVE, STATUS_CORRECTED, Declaration
from tradecover.declarations.shipment import Shipment
from tradecover.declarations.status_repository import DeclarationStatus as DeclarationStatus
from tradecover.declarations.status_repository import PeriodStatus as PeriodStatus
from tradecover.declarations.status_repository import declaration_status as declaration_status
from tradecover.declarations.status_repository import status_of_policy as status_of_policy
from tradecover.declarations.status_repository import (
    submit_turnover_return as submit_turnover_return,
)
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, DomainError, NotFound, ValidationFailed


def attach(
    session: Session,
    *,
    principal: Principal,
    shipment: Shipment,
    channel: str,
    today: date,
    store: AttachmentStore,
    supersedes: Declaration | None = None,
) -> DeclarationRecord:
    """Declare ``shipment``: validate, decide cover, price, reserve and record it.

    ``today`` is the business date of the declaration (deadlines are measured to it).
    Raises a domain error (4xx) and writes nothing when the input is bad.
    """
    (outcome,) = attach_batch(
        store,
        session,
        principal=principal,
        shipments=[shipment],
        channel=channel,
        today=today,
        supersedes=supersedes,
    )
    if outcome.error is not None:
        raise outcome.error
    assert outcome.declaration is not None
    return outcome.declaration


def attach_many(
    session: Session,
    *,
    principal: Principal,
    shipments: Sequence[Shipment | DomainError],
    channel: str,
    today: date,
    store: AttachmentStore,
    progress: Callable[[int, int], None] | None = None,
) -> list[Outcome]:
    """Attach up to ``MAX_BATCH`` shipments (see
    :func:`~tradecover.declarations.attachment.service.attach_batch`): a refused item writes
    nothing, the others go on.
    """
    outcomes = attach_batch(
        store, session, principal=principal, shipments=shipments, channel=channel, today=today
    )
    if progress is not None:
        progress(len(shipments), len(shipments))
    return outcomes


def attach_upload(
    session: Session,
    *,
    principal: Principal,
    org_id: int,
    filename: str,
    data: bytes,
    today: date,
    store: AttachmentStore,
    channel: str = "upload",
    progress: Callable[[int, int], None] | None = None,
) -> list[Outcome]:
    """Attach every readable row of a CSV/XLSX file; an unreadable row is its own outcome
    (``malformed_row``) and writes nothing.  Outcome ``index`` 0 is the file's row 2.
    """
    items: list[Shipment | DomainError] = []
    for row in upload.read_rows(filename, data):
        try:
            items.append(upload.shipment_of(row, org_id=org_id))
        except DomainError as exc:
            items.append(exc)
    return attach_many(
        session,
        principal=principal,
        shipments=items,
        channel=channel,
        today=today,
        progress=progress,
        store=store,
    )


# --- corrections and cancellations -------------------------------------------------------


def correct(
    session: Session,
    *,
    principal: Principal,
    declaration_id: int,
    shipment: Shipment,
    reason: str,
    today: date,
    store: AttachmentStore,
    channel: str = "api",
) -> DeclarationRecord:
    """Replace a declaration by a corrected one (a new row); the old is kept, ``corrected``.

    The corrected shipment is decided afresh (its cover may change); the old reservation
    is released first in the same transaction.  The reservation rows of the old limit and
    of the limit the corrected shipment will take from are locked first, in limit id
    order, so that two corrections moving between the same two limits in opposite
    directions cannot deadlock.
    """
    principal.require(Permission.DECLARATION_WRITE)
    why = _reason(reason)
    old = _declaration(session, principal, declaration_id, lock=True)
    if shipment.insured_org_id != old.exporter_org_id or shipment.policy_id != old.policy_id:
        raise ValidationFailed(
            "a correction keeps the declaration's policy",
            code="correction_changes_policy",
            field="policy_id",
        )
    if old.collected_minor:
        raise Conflict(
            "collections were recorded on this declaration", code="declaration_has_collections"
        )
    new_limits = store.pair_limit_ids(
        session,
        org_id=old.exporter_org_id,
        policy_id=shipment.policy_id,
        buyer_id=shipment.buyer_id,
    )
    repository.lock(session, {*new_limits, *([old.limit_id] if old.limit_id else [])})
    _end(session, principal=principal, row=old, status=STATUS_CORRECTED, reason=why)
    return attach(
        session,
        principal=principal,
        shipment=shipment,
        channel=channel,
        today=today,
        supersedes=old,
        store=store,
    )


def _end_all(
    session: Session, principal: Principal, rows: Sequence[Declaration], reasons: Sequence[str]
) -> None:
    """What ``_end`` does to each of ``rows`` (marked ``corrected``), the reservations
    released with one update per limit and the rows written with one flush.
    """
    released: dict[int, int] = {}
    now = utc_now()
    for row, why in zip(rows, reasons, strict=True):
        if row.status != STATUS_ACTIVE:
            raise Conflict(f"declaration {row.id} is {row.status}", code="declaration_not_active")
        if row.limit_id is not None:
            amount = row.covered_minor - row.collected_minor
            released[row.limit_id] = released.get(row.limit_id, 0) + amount
        row.status, row.ended_at, row.ended_by, row.end_reason = (
            STATUS_CORRECTED,
            now,
            principal.actor,
            why,
        )
    for limit_id, amount in sorted(released.items()):
        repository.release(session, limit_id=limit_id, amount_minor=amount)
    session.flush()


def correct_many(
    session: Session,
    *,
    principal: Principal,
    corrections: Sequence[tuple[int, Shipment]],
    reasons: Sequence[str],
    today: date,
    store: AttachmentStore,
    channel: str = "api",
) -> list[DeclarationRecord]:
    """What :func:`correct` does for each of ``corrections`` (declaration id, corrected
    shipment; each declaration once), set-based: the old rows locked with one query, the
    limits released on and reserved from locked once in limit id order, and one call of the
    attachment shell (``supersede_each``) for every corrected shipment.  All or nothing: the
    first refusal raises, and the caller drops what was done (a savepoint).
    """
    principal.require(Permission.DECLARATION_WRITE)
    if not corrections:
        return []
    whys = [_reason(reason) for reason in reasons]
    ids = [declaration_id for declaration_id, _shipment in corrections]
    if len(set(ids)) != len(ids):
        raise ValidationFailed("each declaration is corrected once", code="correction_repeated")
    olds = {
        row.id: row
        for row in session.execute(
            select(Declaration)
            .where(Declaration.id.in_(ids))
            .order_by(Declaration.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalars()
    }
    limits: set[int] = set()
    pairs: set[tuple[int, int, int]] = set()
    for declaration_id, shipment in corrections:
        old = olds.get(declaration_id)
        if old is None or not principal.can_see_org(old.exporter_org_id):
            raise NotFound(f"no declaration {declaration_id}", code="declaration_not_found")
        if shipment.insured_org_id != old.exporter_org_id or shipment.policy_id != old.policy_id:
            raise ValidationFailed(
                "a correction keeps the declaration's policy",
                code="correction_changes_policy",
                field="policy_id",
            )
        if old.collected_minor:
            raise Conflict(
                "collections were recorded on this declaration",
                code="declaration_has_collections",
            )
        pairs.add((shipment.insured_org_id, shipment.policy_id, shipment.buyer_id))
        if old.limit_id:
            limits.add(old.limit_id)
    for org_id, policy_id, buyer_id in pairs:
        limits.update(
            store.pair_limit_ids(session, org_id=org_id, policy_id=policy_id, buyer_id=buyer_id)
        )
    repository.lock(session, limits)
    _end_all(session, principal, [olds[declaration_id] for declaration_id in ids], whys)
    outcomes = attach_batch(
        store,
        session,
        principal=principal,
        shipments=[shipment for _id, shipment in corrections],
        channel=channel,
        today=today,
        supersede_each=[olds[declaration_id] for declaration_id in ids],
    )
    for outcome in outcomes:
        if outcome.error is not None:
            raise outcome.error
    return [outcome.declaration for outcome in outcomes if outcome.declaration is not None]

"""Due-date extensions and repayment plans: the exporter's requests and the insurer's decisions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tradecover import audit, policies
from tradecover.access import Permission, Principal
from tradecover.collections.invoice_repository import (
    _own,
    declaration_for,
    effective_due,
    open_invoice,
)
from tradecover.collections.model import (
    DueDateArrangement,
)
from tradecover.collections.overdue import (
    Arrangement,
    ArrangementKind,
    ArrangementStatus,
    Instalment,
    decide_arrangement,
    request_arrangement,
)
from tradecover.collections.scoping_repository import visible_arrangements
from tradecover.declarations import declarations_by_id
from tradecover.kit.errors import (
    Conflict,
    NotFound,
)
from tradecover.kit.money import Money


def arrangements(
    session: Session, *, principal: Principal, pending_only: bool = False
) -> list[DueDateArrangement]:
    """Extension and repayment plan requests (exporters: their own), oldest first."""
    principal.require(Permission.DECLARATION_READ)
    query = visible_arrangements(principal)
    if pending_only:
        query = query.where(DueDateArrangement.status == ArrangementStatus.REQUESTED.value)
    return list(
        session.execute(
            query.order_by(DueDateArrangement.requested_on, DueDateArrangement.id)
        ).scalars()
    )


def _arrangement_of(row: DueDateArrangement, currency: str) -> Arrangement:
    return Arrangement(
        invoice_id=row.declaration_id,
        kind=ArrangementKind(row.kind),
        original_due_date=row.original_due_date,
        new_due_date=row.new_due_date,
        requested_on=row.requested_on,
        instalments=tuple(
            Instalment(
                due_on=date.fromisoformat(i["due_on"]), amount=Money.of(i["amount"], currency)
            )
            for i in row.instalments
        ),
        status=ArrangementStatus(row.status),
        decided_on=row.decided_on,
        reason=row.reason,
    )


def request_extension(
    session: Session,
    *,
    principal: Principal,
    declaration_id: int,
    kind: ArrangementKind,
    today: date,
    new_due_date: date | None = None,
    instalments: tuple[Instalment, ...] = (),
) -> DueDateArrangement:
    """The exporter asks to extend a due date or to agree a repayment plan."""
    principal.require(Permission.COLLECTION_WRITE)
    row = declaration_for(session, principal, declaration_id)
    _own(principal, row)
    policy = policies.policy_record(session, row.policy_id)
    assert policy is not None
    pending = session.execute(
        select(DueDateArrangement.id).where(
            DueDateArrangement.declaration_id == row.id,
            DueDateArrangement.status == ArrangementStatus.REQUESTED.value,
        )
    ).first()
    if pending is not None:
        raise Conflict(
            "a request on this invoice is waiting for the insurer",
            code="arrangement_pending",
            field="declaration_id",
        )
    wanted = request_arrangement(
        open_invoice(row),
        kind=kind,
        requested_on=today,
        notice_days=policy.possible_loss_notice_days,
        new_due_date=new_due_date,
        instalments=instalments,
        current_due_date=effective_due(session, row),
    )
    entity = DueDateArrangement(
        declaration_id=row.id,
        exporter_org_id=row.exporter_org_id,
        kind=kind.value,
        original_due_date=row.due_date,
        new_due_date=wanted.new_due_date,
        instalments=[
            {"due_on": i.due_on.isoformat(), "amount": str(i.amount.amount)}
            for i in wanted.instalments
        ],
        status=ArrangementStatus.REQUESTED.value,
        requested_on=today,
        requested_by=principal.actor,
    )
    session.add(entity)
    session.flush()
    audit.record(
        session,
        org_id=row.exporter_org_id,
        actor=principal.actor,
        action="arrangement.requested",
        entity_type="due_date_arrangement",
        entity_id=entity.id,
        after={"kind": kind.value, "new_due_date": entity.new_due_date.isoformat()},
    )
    return entity


def decide_extension(
    session: Session,
    *,
    principal: Principal,
    arrangement_id: int,
    approve: bool,
    reason: str | None,
    today: date,
) -> DueDateArrangement:
    """The insurer approves or refuses; an approval moves the due date and the deadlines."""
    principal.require(Permission.CLAIM_DECIDE)
    entity = session.execute(
        visible_arrangements(principal).where(DueDateArrangement.id == arrangement_id)
    ).scalar_one_or_none()
    if entity is None:
        raise NotFound(f"arrangement {arrangement_id} not found", field="arrangement_id")
    row = declarations_by_id(session, [entity.declaration_id]).get(entity.declaration_id)
    assert row is not None
    decided = decide_arrangement(
        _arrangement_of(entity, row.currency), approve=approve, decided_on=today, reason=reason
    )
    done = session.execute(
        update(DueDateArrangement)
        .where(
            DueDateArrangement.id == entity.id,
            DueDateArrangement.status == ArrangementStatus.REQUESTED.value,
        )
        .values(
            status=decided.status.value,
            decided_on=today,
            decided_by=principal.actor,
            reason=decided.reason,
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(done, "rowcount", 0) != 1:
        raise Conflict("the request was already decided", code="already_decided", field="status")
    session.refresh(entity)
    audit.record(
        session,
        org_id=entity.exporter_org_id,
        actor=principal.actor,
        action=f"arrangement.{decided.status.value}",
        entity_type="due_date_arrangement",
        entity_id=entity.id,
        reason=decided.reason,
        after={"status": entity.status, "new_due_date": entity.new_due_date.isoformat()},
    )
    return entity

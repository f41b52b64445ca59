"""Declared invoices as collections sees them: owned, due after approved arrangements."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover import declarations
from tradecover.access import Principal
from tradecover.collections.confirmation import (
    OpenInvoice,
)
from tradecover.collections.model import (
    NOTICE_OPEN,
    DueDateArrangement,
    PossibleLossNotice,
)
from tradecover.collections.overdue import (
    ArrangementStatus,
)
from tradecover.declarations import Declaration, OpenReceivable
from tradecover.kit.errors import (
    NotFound,
)
from tradecover.kit.money import Money


def declaration_for(session: Session, principal: Principal, declaration_id: int) -> Declaration:
    """An active declaration the caller may see, else ``NotFound`` (foreign = missing)."""
    return declarations.active_declaration(session, principal, declaration_id)


LATEST_MOVE = (
    select(
        DueDateArrangement.declaration_id.label("declaration_id"),
        DueDateArrangement.new_due_date.label("new_due_date"),
        func.row_number()
        .over(
            partition_by=DueDateArrangement.declaration_id,
            order_by=(DueDateArrangement.decided_on.desc(), DueDateArrangement.id.desc()),
        )
        .label("rank"),
    )
    .where(DueDateArrangement.status == ArrangementStatus.APPROVED.value)
    .subquery("latest_move")
)
"""Each declaration's approved arrangements, ranked latest first (rank 1 is in force)."""


def effective_dues(session: Session, declaration_ids: list[int]) -> dict[int, date]:
    """The due date in force after the latest approved arrangement, for each of these
    declarations that has one (the others keep their declared due date): one query per
    500 invoices, the same answer as :func:`effective_due`.
    """
    found: dict[int, date] = {}
    for start in range(0, len(declaration_ids), 500):
        chunk = declaration_ids[start : start + 500]
        for did, moved in session.execute(
            select(LATEST_MOVE.c.declaration_id, LATEST_MOVE.c.new_due_date).where(
                LATEST_MOVE.c.rank == 1, LATEST_MOVE.c.declaration_id.in_(chunk)
            )
        ):
            found[int(did)] = moved
    return found


def effective_due(session: Session, row: Declaration) -> date:
    """The due date after the latest approved extension or repayment plan."""
    moved = session.execute(
        select(DueDateArrangement.new_due_date)
        .where(
            DueDateArrangement.declaration_id == row.id,
            DueDateArrangement.status == ArrangementStatus.APPROVED.value,
        )
        .order_by(DueDateArrangement.decided_on.desc(), DueDateArrangement.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return moved or row.due_date


def open_invoice(row: Declaration | OpenReceivable) -> OpenInvoice:
    """The collections view of a declaration."""
    return OpenInvoice(
        invoice_id=row.id,
        buyer_id=row.buyer_id,
        amount=Money.from_minor(row.insured_minor, row.currency),
        shipment_date=row.shipment_date,
        due_date=row.due_date,
        collected=Money.from_minor(row.collected_minor, row.currency),
        covered=Money.from_minor(row.covered_minor, row.currency),
    )


def _own(principal: Principal, row: Declaration) -> None:
    if principal.org_id != row.exporter_org_id and not principal.is_insurer:
        raise NotFound(f"declaration {row.id} not found", field="declaration_id")


def open_notice_of(session: Session, declaration_id: int) -> PossibleLossNotice | None:
    """The open notice of possible loss on a declared invoice, if any (for claims)."""
    return session.execute(
        select(PossibleLossNotice).where(
            PossibleLossNotice.declaration_id == declaration_id,
            PossibleLossNotice.status == NOTICE_OPEN,
        )
    ).scalar_one_or_none()

"""The printable premium notice: what the document says, in order (pure values).

:func:`notice_document` turns a notice view into the document's blocks: the header
(policy, exporter, month, issue and due dates), one row per billed declaration, and the
payers' split: what the exporter owes and what each subsidy programme owes, with the
eligibility rule that applied.  The web layer renders it as HTML with print CSS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from tradecover.kit.money import Money

if TYPE_CHECKING:
    from tradecover.billing.service import LineView, NoticeView


@dataclass(frozen=True, slots=True)
class PayerRow:
    """One payer of the notice and its part."""

    payer: str
    code: str | None
    amount: Money
    paid: Money
    rule: str | None
    explanation: str | None


@dataclass(frozen=True, slots=True)
class NoticeDocument:
    """Everything the printed notice shows."""

    notice_id: int
    reference: str
    policy_number: str | None
    policy_id: int
    exporter_name: str
    month: date
    issue_date: date
    due_date: date
    currency: str
    lines: tuple[LineView, ...]
    total: Money
    payers: tuple[PayerRow, ...]
    exporter_owes: Money
    exporter_outstanding: Money


def notice_reference(notice_id: int, month: date) -> str:
    """The reference printed on a notice and quoted on payments: ``PN-2026-10-000042``."""
    return f"PN-{month:%Y-%m}-{notice_id:06d}"


def notice_document(view: NoticeView) -> NoticeDocument:
    """The document of a notice view."""
    n = view.notice
    cur = n.currency
    exporter = Money.from_minor(n.exporter_owed_minor, cur)
    payers = [
        PayerRow(
            view.exporter_name,
            None,
            exporter,
            Money.from_minor(n.exporter_paid_minor, cur),
            None,
            None,
        )
    ]
    payers += [
        PayerRow(
            s.programme_name, s.programme_code, s.granted, s.paid, s.rule_applied, s.explanation
        )
        for s in view.splits
    ]
    return NoticeDocument(
        notice_id=n.id,
        reference=notice_reference(n.id, n.month),
        policy_number=view.policy_number,
        policy_id=n.policy_id,
        exporter_name=view.exporter_name,
        month=n.month,
        issue_date=n.issue_date,
        due_date=n.due_date,
        currency=cur,
        lines=tuple(view.lines),
        total=Money.from_minor(n.total_minor, cur),
        payers=tuple(payers),
        exporter_owes=exporter,
        exporter_outstanding=Money.from_minor(n.exporter_owed_minor - n.exporter_paid_minor, cur),
    )

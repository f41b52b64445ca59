"""API shapes of the read side's reports: a subsidy programme's monthly statement."""

from __future__ import annotations

from pydantic import BaseModel

from tradecover.reporting.subsidy_statement import Statement


class StatementLineOut(BaseModel):
    """The programme's part of one notice."""

    notice_id: int
    policy_id: int
    exporter_org_id: int
    exporter_name: str
    eligible: bool
    rule_applied: str
    explanation: str
    requested: str
    granted: str
    paid: str
    limited_by: str | None


class StatementOut(BaseModel):
    """What a programme owes for one month's notices."""

    programme_id: int
    code: str
    month: str
    currency: str
    lines: list[StatementLineOut]
    granted: str
    paid: str
    outstanding: str
    used_total: str
    budget: str | None

    @classmethod
    def of(cls, s: Statement) -> StatementOut:
        """From the read model's statement."""
        return cls(
            programme_id=s.programme.id,
            code=s.programme.code,
            month=f"{s.month:%Y-%m}",
            currency=s.programme.currency,
            lines=[
                StatementLineOut(
                    notice_id=x.notice_id,
                    policy_id=x.policy_id,
                    exporter_org_id=x.exporter_org_id,
                    exporter_name=x.exporter_name,
                    eligible=x.eligible,
                    rule_applied=x.rule_applied,
                    explanation=x.explanation,
                    requested=str(x.requested.amount),
                    granted=str(x.granted.amount),
                    paid=str(x.paid.amount),
                    limited_by=x.limited_by,
                )
                for x in s.lines
            ],
            granted=str(s.granted.amount),
            paid=str(s.paid.amount),
            outstanding=str(s.outstanding.amount),
            used_total=str(s.used_total.amount),
            budget=str(s.budget.amount) if s.budget is not None else None,
        )

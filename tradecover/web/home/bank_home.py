"""The bank's home [domain BA-9]: its assigned policies and its financing base.

A bank lands here after sign-in: the policies whose proceeds are assigned to it (priority,
cap, what it has been paid, where each assignment stands) and, per active assignment, the
covered outstanding receivables, what is overdue and the financing base (covered
outstanding x advance rate, less overdue), with a chart of the base and the same figures
in a table.  It sees an assignment's policy only under its exporter's consent for
financing; the others are counted, not shown; what it reads goes to the exporters' access
logs [domain CS-8].  Everything comes from the read models the
API uses (nothing queried here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tradecover import consents, financing, reporting
from tradecover.access import Principal
from tradecover.consents import Scope
from tradecover.kit.dates import business_today
from tradecover.kit.money import Money
from tradecover.web.charts import bar_chart
from tradecover.web.i18n import N_

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

TEMPLATE = "home/bank.html"
"""The bank home's template."""

ASSIGNMENT_STATUSES: dict[str, str] = {
    "requested": N_("Requested"),
    "approved": N_("Approved by the exporter"),
    "active": N_("Active"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
    "ended": N_("Ended"),
}
"""The words of an assignment's status, for the reader's language."""


def bank(session: Session, principal: Principal) -> dict[str, Any]:
    """The bank home's context: assigned policies, financing base lines and totals, the
    chart of the base by policy, and how many assignments wait for the exporter's consent.
    """
    # the home reads exporters' data: its reads go to the access log like any page's
    reading = consents.start_reading(
        session, principal, Scope.SHIPMENT_CORE, consents.Purpose.FINANCING, "/"
    )
    reading.readable = consents.readable(
        session, principal, Scope.SHIPMENT_CORE, consents.Purpose.FINANCING, refuse_empty=False
    )
    own = reporting.visible_assignments(session, principal, Scope.SHIPMENT_CORE)
    assigned = reporting.assigned_policies(session, own)
    lines = reporting.financing_bases(session, assigned, today=business_today())
    waiting = financing.count_assignments(session, principal=principal) - len(own)
    totals: dict[str, int] = {}
    for line in lines:
        totals[line.currency] = totals.get(line.currency, 0) + line.base_minor
    ranked = sorted(lines, key=lambda x: x.base_minor, reverse=True)[:10]
    return {
        "assigned": [
            {
                "row": a,
                "cap": Money.from_minor(a.cap_minor, a.currency),
                "paid": Money.from_minor(a.paid_minor, a.currency),
                "status": ASSIGNMENT_STATUSES.get(a.status, a.status),
            }
            for a in assigned
        ],
        "bases": [
            {
                "row": line,
                "policy": line.assignment.policy_number or str(line.assignment.policy_id),
                "outstanding": Money.from_minor(line.covered_outstanding_minor, line.currency),
                "overdue": Money.from_minor(line.overdue_minor, line.currency),
                "base": Money.from_minor(line.base_minor, line.currency),
            }
            for line in lines
        ],
        "totals": [Money.from_minor(minor, cur) for cur, minor in sorted(totals.items())],
        "base_chart": bar_chart(
            [
                (
                    line.assignment.policy_number or str(line.assignment.policy_id),
                    line.base_minor / 100,
                )
                for line in ranked
            ],
            label="financing base by policy",
        )
        if ranked
        else None,
        "waiting": waiting,
    }

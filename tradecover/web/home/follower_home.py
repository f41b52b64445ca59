"""The co-insurer's home: its share of the book and its statement [domain CO-14].

What a follower does here: read the policies and single large limits it shares, its share
of the premium, claims paid and recoveries of the year to date (a chart with the same
figures as a table), and the large claims waiting for its approval [domain CO-12], each
with approve and object (with a reason) forms (``POST /coinsurance/claims/{claim_id}/approval``
in :mod:`tradecover.web.home.pages`, as the API answers).  Built from the coinsurance
services and the read side, nothing queried here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tradecover import coinsurance
from tradecover.kit.dates import business_today
from tradecover.kit.money import Money
from tradecover.reporting import follower_participations
from tradecover.web.charts import bar_chart
from tradecover.web.home.consented_links import policies_closed
from tradecover.web.i18n import N_

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tradecover.access import Principal

ROLES: dict[str, str] = {"lead": N_("Lead insurer"), "follower": N_("Follower")}
"""A participation's role, in words."""

CHART_POLICIES = 10
"""The statement's chart shows the policies with the largest premium share."""


def follower(session: Session, principal: Principal) -> dict[str, Any]:
    """The follower's participations, its statement of the year to date and the claims
    waiting for its approval.
    """
    today = business_today()
    since = today.replace(month=1, day=1)
    book = follower_participations(session, org_id=principal.org_id)
    lines = coinsurance.statement(session, principal=principal, date_from=since, date_to=today)
    numbers = {b.policy_id: b.policy_number or str(b.policy_id) for b in book}
    waiting = [  # an objection may still become an approval [domain CO-12]
        row
        for state in (coinsurance.ApprovalState.PENDING, coinsurance.ApprovalState.OBJECTED)
        for row in coinsurance.claim_approvals(session, principal=principal, state=state)
    ]
    largest = sorted(lines, key=lambda line: line.premium.amount, reverse=True)
    largest = largest[:CHART_POLICIES]
    return {
        "policies_closed": policies_closed(session, principal),
        "book": [{"line": b, "role": ROLES.get(b.role, b.role)} for b in book],
        "statement": [
            {"line": line, "policy": numbers.get(line.policy_id, str(line.policy_id))}
            for line in lines
        ],
        "since": since,
        "statement_chart": bar_chart(
            [
                (numbers.get(line.policy_id, str(line.policy_id)), float(line.premium.amount))
                for line in largest
            ],
            label="share of premium by policy, year to date",
        )
        if largest
        else None,
        "waiting": [
            {
                "row": w,
                "policy": numbers.get(w.policy_id, str(w.policy_id)),
                "indemnity": Money.from_minor(w.indemnity_minor, w.currency),
                "share": Money.from_minor(w.share_minor, w.currency),
                "objected": w.state == coinsurance.ApprovalState.OBJECTED.value,
            }
            for w in waiting
        ],
    }

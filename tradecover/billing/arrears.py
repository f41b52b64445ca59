"""Arrears: unpaid premium per ageing bucket, and what the claim checks read.

* :func:`ageing`: what is unpaid per ageing bucket.
* :func:`notice_for_declaration`, :func:`premium_paid_for_declaration` and
  :func:`shipments_at_risk`: what the claim checks read, by membership (a notice
  stores no line per declaration; see :mod:`tradecover.billing.model`).  Only the
  exporter's share counts: a programme paying late does not put the exporter's cover at
  risk.

The arrears job that suspends policies is :func:`tradecover.billing.jobs.arrears_job`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import BindParameter, bindparam, text
from sqlalchemy.orm import Session

from tradecover.access import Permission, Principal
from tradecover.billing.model import (
    PremiumNotice,
)
from tradecover.billing.notice import (
    AgeingBucket,
    BillingTerms,
    OpenItem,
    age_arrears,
)
from tradecover.billing.repository import active_at
from tradecover.billing.service import readable_notices
from tradecover.kit.money import Money


def ageing(
    session: Session, *, principal: Principal, today: date, exporter_org_id: int | None = None
) -> dict[str, dict[AgeingBucket, Money]]:
    """Exporter premium unpaid per currency and ageing bucket (exporters: their own)."""
    principal.require(Permission.BILLING_READ)
    query = (
        readable_notices(principal)
        .with_only_columns(
            PremiumNotice.id,
            PremiumNotice.currency,
            PremiumNotice.due_date,
            PremiumNotice.exporter_owed_minor - PremiumNotice.exporter_paid_minor,
        )
        .where(PremiumNotice.exporter_paid_minor < PremiumNotice.exporter_owed_minor)
    )
    if principal.is_insurer and exporter_org_id is not None:
        query = query.where(PremiumNotice.exporter_org_id == exporter_org_id)
    items: dict[str, list[OpenItem]] = {}
    for nid, cur, due, owed in session.execute(query):
        items.setdefault(cur, []).append(OpenItem(nid, due, Money.from_minor(owed, cur)))
    return {
        cur: age_arrears(open_items, today=today, currency=cur)
        for cur, open_items in sorted(items.items())
    }


BILLED_BY = (
    "JOIN premium_notice_parts t ON t.notice_id = n.id JOIN declarations d "
    "ON d.policy_id = t.policy_id AND d.currency = n.currency "
    "AND d.declaration_date >= t.period_start AND d.declaration_date <= t.period_end "
    "AND d.premium_minor > 0 AND "
    + active_at("t.cutoff")
    + " AND (t.since IS NULL OR NOT "
    + active_at("t.since")
    + ")"
)
"""SQL joining a notice ``n`` to the declarations ``d`` it billed (+ premium), by membership."""


def notice_for_declaration(session: Session, declaration_id: int) -> PremiumNotice | None:
    """The notice that billed the declaration's premium, or None if not billed (yet)."""
    notice_id = session.execute(
        text(
            f"SELECT n.id FROM premium_notices n {BILLED_BY} WHERE d.id = :did ORDER BY n.id "
            "LIMIT 1"
        ),
        {"did": declaration_id},
    ).scalar_one_or_none()
    return None if notice_id is None else session.get(PremiumNotice, int(notice_id))


def premium_paid_for_declaration(session: Session, declaration_id: int) -> bool:
    """True when the declaration was billed and its notice's exporter share is paid in full."""
    notice = notice_for_declaration(session, declaration_id)
    return notice is not None and notice.exporter_paid_minor >= notice.exporter_owed_minor


def shipments_at_risk(
    session: Session,
    *,
    today: date,
    terms: BillingTerms,
    exporter_org_id: int | None = None,
    declaration_ids: Sequence[int] | None = None,
) -> list[int]:
    """Declarations behind exporter premium unpaid more than ``at_risk_after_days`` past due.

    The SQL form of :func:`tradecover.billing.notice.shipments_at_risk`, for the claim checks
    claim checks (optionally narrowed to one exporter or to some declarations).
    """
    where = ["n.exporter_paid_minor < n.exporter_owed_minor", "n.due_date < :cutoff"]
    params: dict[str, Any] = {"cutoff": today - timedelta(days=terms.at_risk_after_days)}
    binds: list[BindParameter[Any]] = []
    if exporter_org_id is not None:
        where.append("n.exporter_org_id = :org")
        params["org"] = exporter_org_id
    if declaration_ids is not None:
        if not declaration_ids:
            return []
        where.append("d.id IN :dids")
        params["dids"] = list(declaration_ids)
        binds.append(bindparam("dids", expanding=True))
    rows = session.execute(
        text(
            f"SELECT DISTINCT d.id FROM premium_notices n {BILLED_BY} "
            f"WHERE {' AND '.join(where)} ORDER BY d.id"
        ).bindparams(*binds),
        params,
    ).scalars()
    return [int(r) for r in rows]

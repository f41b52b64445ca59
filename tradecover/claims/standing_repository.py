"""What the liability and late-premium checks read about claimed shipments.

* :func:`liability_rulings`: the policy's liability rule on each shipment, from the
  policy as it stands now (state, termination record, suspensions);
* :func:`premium_rulings`: the late-premium rule on each shipment, from every notice
  that billed it (by membership), the day its exporter share was paid in full (payment
  allocations by the day the money was received, credit allocations by the day they were
  applied), the insurer's approved waivers and the day the loss's cause arose;
* :func:`refresh_standing_checks`: both checks of a filed claim recomputed on the day a
  handler takes it up, approves or pays it, so that a policy rescinded or a premium gone
  late since filing is seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import BindParameter, bindparam, text
from sqlalchemy.orm import Session

from tradecover import premium_waivers
from tradecover.billing import BILLED_BY, BillingTerms
from tradecover.claims.checks import (
    ShipmentClaimFacts,
    liability_check,
    premium_check,
)
from tradecover.claims.late_premium import (
    BilledPremium,
    PremiumRuling,
    Waiver,
    cause_date,
    premium_ruling,
)
from tradecover.declarations import CoverReason
from tradecover.policies import LiabilityRuling, Policy, liability_for_shipment, standing_of

if TYPE_CHECKING:
    from tradecover.declarations import Declaration


def liability_rulings(policy: Policy, rows: Iterable[Declaration]) -> dict[int, LiabilityRuling]:
    """The policy's liability rule on each declaration's shipment date."""
    standing = standing_of(policy)
    return {
        row.id: liability_for_shipment(standing, shipment_date=row.shipment_date) for row in rows
    }


def _paid_on(owed: int, paid: int, issued: date, events: Sequence[tuple[date, int]]) -> date | None:
    """The day the exporter share was paid in full, or None while any is outstanding."""
    if owed <= 0:
        return issued
    if paid < owed:
        return None
    total = 0
    for day, amount in sorted(events):
        total += amount
        if total >= owed:
            return day
    return None  # the running total says paid but no allocation shows it: treat as unpaid


def billed_premiums(
    session: Session, declaration_ids: Sequence[int], *, terms: BillingTerms
) -> dict[int, list[BilledPremium]]:
    """Every notice that billed each declaration, with when it was due and paid."""
    if not declaration_ids:
        return {}
    rows = session.execute(
        text(
            "SELECT DISTINCT d.id, n.id, n.issue_date, n.due_date, n.exporter_owed_minor, "
            f"n.exporter_paid_minor FROM premium_notices n {BILLED_BY} WHERE d.id IN :dids"
        ).bindparams(bindparam("dids", expanding=True)),
        {"dids": list(declaration_ids)},
    ).all()
    notice_ids = sorted({int(r[1]) for r in rows})
    events: dict[int, list[tuple[date, int]]] = {}
    waivers: dict[int, Waiver] = {}
    if notice_ids:
        ids: BindParameter[Any] = bindparam("nids", expanding=True)
        for nid, day, amount in session.execute(
            text(
                "SELECT pa.notice_id, p.received_on, pa.amount_minor FROM payment_allocations "
                "pa JOIN payments p ON p.id = pa.payment_id WHERE pa.split_id IS NULL "
                "AND pa.notice_id IN :nids UNION ALL SELECT c.notice_id, c.allocated_on, "
                "c.amount_minor FROM credit_allocations c WHERE c.notice_id IN :nids"
            ).bindparams(ids),
            {"nids": notice_ids},
        ):
            events.setdefault(int(nid), []).append((_as_date(day), int(amount)))
        for w in premium_waivers.approved_waivers(session, notice_ids):
            assert w.approved_by is not None
            assert w.approved_on is not None
            waivers[w.notice_id] = Waiver(
                w.id, w.proposed_by, w.approved_by, w.approved_on, w.reason
            )
    out: dict[int, list[BilledPremium]] = {}
    for did, nid, issued, due, owed, paid in rows:
        notice_id = int(nid)
        out.setdefault(int(did), []).append(
            BilledPremium(
                notice_id=notice_id,
                due_date=_as_date(due),
                paid_on=_paid_on(int(owed), int(paid), _as_date(issued), events.get(notice_id, [])),
                grace_days=terms.at_risk_after_days,
                waiver=waivers.get(notice_id),
            )
        )
    return out


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def premium_rulings(
    session: Session,
    rows: Sequence[Declaration],
    notices_filed_on: Mapping[int, date],
    *,
    today: date,
    terms: BillingTerms,
) -> dict[int, PremiumRuling]:
    """The late-premium rule on each declaration, the loss's cause arising on the earlier
    of its invoice due date and the day its notice of possible loss was filed.
    """
    billed = billed_premiums(session, [r.id for r in rows], terms=terms)
    return {
        r.id: premium_ruling(
            billed.get(r.id, []),
            cause=cause_date(invoice_due=r.due_date, notice_filed_on=notices_filed_on[r.id]),
            today=today,
        )
        for r in rows
    }


def refresh_standing_checks(
    session: Session,
    *,
    checks: list[dict[str, Any]],
    policy: Policy,
    rows: Sequence[Declaration],
    notices_filed_on: Mapping[int, date],
    today: date,
    terms: BillingTerms,
) -> list[dict[str, Any]]:
    """``checks`` (a claim's stored checks) with ``policy_liability`` and ``premium_paid``
    recomputed for ``today`` (added where a claim filed before them lacks one).
    """
    liability = liability_rulings(policy, rows)
    premium = premium_rulings(session, rows, notices_filed_on, today=today, terms=terms)
    shipments = [
        ShipmentClaimFacts(
            shipment_id=r.id,
            shipment_date=r.shipment_date,
            declared_on=r.declaration_date,
            declaration_due=r.declaration_due,
            cover_reason=CoverReason(r.reason_code),
            limit_versions=(),
            premium_paid=premium[r.id].keeps_cover,
            liability=liability[r.id],
            premium=premium[r.id],
        )
        for r in rows
    ]
    unpaid = [s for s in shipments if s.premium is not None and not s.premium.keeps_cover]
    fresh = {
        c.name.value: {
            "name": c.name.value,
            "outcome": c.outcome.value,
            "blocking": c.blocking,
            "explanation": c.explanation,
        }
        for c in (liability_check(shipments), premium_check(shipments, unpaid))
    }
    out: list[dict[str, Any]] = []
    for check in checks:
        out.append(fresh.pop(str(check["name"]), check))
    return out + list(fresh.values())

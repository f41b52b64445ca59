"""Credit notes: a notice that owes the exporter money settles its older unpaid notices.

:func:`apply_credits` applies every credit note's unused credit to older unpaid notices of
its policy (the billing run and the arrears job call it); :func:`credit_balances` is what
is left of the credit notes, per currency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import BindParameter, bindparam, text, update
from sqlalchemy.orm import Session

from tradecover import audit, ledger
from tradecover.access import Permission, Principal
from tradecover.billing.model import (
    CreditAllocation,
    PremiumNotice,
)
from tradecover.billing.notice import (
    OpenCredit,
    OwedItem,
    allocate_credits,
)
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict
from tradecover.kit.money import Money
from tradecover.ledger import (
    credit_applied,
)


@dataclass(frozen=True, slots=True)
class CreditApplied:
    """Part of a credit note applied to an older notice (a ``credit_allocations`` row)."""

    id: int
    credit_notice_id: int
    notice_id: int
    amount_minor: int


def apply_credits(
    session: Session, *, actor: str, on: date, policy_ids: Sequence[int] | None = None
) -> list[CreditApplied]:
    """Apply every credit note's unused credit to older unpaid notices of its policy.

    Credits and notices of the same policy and currency, oldest first
    (:func:`tradecover.billing.notice.allocate_credits`); each part is a
    ``credit_allocations`` row, moves the settled notice's ``exporter_paid_minor`` (so
    ageing, the arrears job and the claim checks see what is really owed), is booked with
    :func:`tradecover.ledger.journal.credit_applied` and audited, in the caller's
    transaction.  ``policy_ids`` narrows it (the billing run: the batch's policies); None
    means every policy.  Credit notes are locked first, so concurrent callers never use the
    same credit twice.  What no notice can take stays as the account's credit balance.
    """
    scope = ""
    params: dict[str, Any] = {}
    binds: list[BindParameter[Any]] = []
    if policy_ids is not None:
        if not policy_ids:
            return []
        scope = " AND n.policy_id IN :pids"
        params["pids"] = list(policy_ids)
        binds.append(bindparam("pids", expanding=True))
    pg = session.get_bind().dialect.name == "postgresql"
    lock = " FOR UPDATE" if pg else ""
    ids = [
        int(i)
        for i in session.execute(
            text(
                "SELECT n.id FROM premium_notices n WHERE n.exporter_owed_minor < 0"
                + scope
                + " ORDER BY n.id"
                + lock
            ).bindparams(*binds),
            params,
        ).scalars()
    ]
    if not ids:
        return []
    credits = [
        OpenCredit(int(i), int(p), str(c), int(left))
        for i, p, c, left in session.execute(
            text(
                "SELECT n.id, n.policy_id, n.currency, -n.exporter_owed_minor - COALESCE(("
                "SELECT SUM(a.amount_minor) FROM credit_allocations a "
                "WHERE a.credit_notice_id = n.id), 0) FROM premium_notices n WHERE n.id IN :ids"
            ).bindparams(bindparam("ids", expanding=True)),
            {"ids": ids},
        )
        if int(left) > 0
    ]
    if not credits:
        return []
    owed = session.execute(
        text(
            "SELECT n.id, n.policy_id, n.currency, n.due_date, n.exporter_owed_minor - "
            "n.exporter_paid_minor, n.exporter_org_id FROM premium_notices n WHERE n.policy_id IN "
            ":cp AND n.exporter_paid_minor < n.exporter_owed_minor ORDER BY n.id" + lock
        ).bindparams(bindparam("cp", expanding=True)),
        {"cp": sorted({c.policy_id for c in credits})},
    ).all()
    items = [
        OwedItem(
            int(i), int(p), str(c), d if isinstance(d, date) else date.fromisoformat(str(d)), int(o)
        )
        for i, p, c, d, o, _ in owed
    ]
    org_of = {int(r[0]): int(r[5]) for r in owed}
    parts = allocate_credits(credits, items)
    if not parts:
        return []
    for _, notice_id, minor in parts:
        moved = session.execute(
            update(PremiumNotice)
            .where(
                PremiumNotice.id == notice_id,
                PremiumNotice.exporter_paid_minor + minor <= PremiumNotice.exporter_owed_minor,
            )
            .values(exporter_paid_minor=PremiumNotice.exporter_paid_minor + minor)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(
                "the notice was paid by a concurrent payment; try again", code="concurrent_payment"
            )
    now = utc_now()
    rows = ledger.insert_rows(
        session,
        CreditAllocation,
        [
            {
                "credit_notice_id": c,
                "notice_id": n,
                "amount_minor": m,
                "allocated_on": on,
                "created_at": now,
                "created_by": actor,
            }
            for c, n, m in parts
        ],
        returning=("id",),
    )
    done = [CreditApplied(int(r[0]), c, n, m) for r, (c, n, m) in zip(rows, parts, strict=True)]
    currency = {c.notice_id: c.currency for c in credits}
    ledger.post(
        session,
        entries=[
            credit_applied(
                key=f"credit:{a.id}",
                posted_on=on,
                credit_ref=f"credit note {a.credit_notice_id}",
                notice_ref=f"notice {a.notice_id}",
                exporter_id=org_of[a.notice_id],
                amount=Money.from_minor(a.amount_minor, currency[a.credit_notice_id]),
            )
            for a in done
        ],
    )
    for credit_id in sorted({a.credit_notice_id for a in done}):
        mine = [a for a in done if a.credit_notice_id == credit_id]
        audit.record(
            session,
            org_id=org_of[mine[0].notice_id],
            actor=actor,
            action="billing.credit_applied",
            entity_type="premium_notice",
            entity_id=credit_id,
            reason="credit note applied to older unpaid notices",
            after={"allocations": [[a.notice_id, a.amount_minor] for a in mine]},
        )
    return done


def credit_balances(
    session: Session, *, principal: Principal, exporter_org_id: int | None = None
) -> dict[str, Money]:
    """Credit notes' credit not yet used, per currency (exporters: their own)."""
    principal.require(Permission.BILLING_READ)
    org = principal.org_id if not principal.is_insurer else exporter_org_id
    where = "" if org is None else " AND n.exporter_org_id = :org"
    rows = session.execute(
        text(
            "SELECT n.currency, SUM(-n.exporter_owed_minor - COALESCE((SELECT SUM(a.amount_minor) "
            "FROM credit_allocations a WHERE a.credit_notice_id = n.id), 0)) "
            "FROM premium_notices n "
            "WHERE n.exporter_owed_minor < 0" + where + " GROUP BY n.currency ORDER BY n.currency"
        ),
        {} if org is None else {"org": org},
    ).all()
    return {str(c): Money.from_minor(int(v), str(c)) for c, v in rows if int(v)}

"""Omissions and whole turnover from customs data ([domain FR-4], [domain FR-5]), read
across feeds, policies and declarations.

An **omission** is a customs export declaration the feeds received for an exporter, in
the scope of one of its policies (the policy's period holds the shipment date, exit else
acceptance; the consignee's country and the goods' HS chapter are inside the policy's
scope), with no declaration behind it: the invoice never arrived, or it was never
attached.  They are listed one by one and summed per exporter, month and currency.

The **whole-turnover share from customs data** is, per policy and month, the declared
value (active declarations, at their invoice amount, by shipment month) over the value
the exporter exported according to customs (records in scope, in the policy's currency),
shown next to the turnover the exporter returned for that month; it needs no return.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.access import Permission, Principal
from tradecover.declarations.model import STATUS_ACTIVE, Declaration, TurnoverReturn
from tradecover.feeds.model import ReceivedDocument
from tradecover.kit.errors import NotFound, ValidationFailed
from tradecover.kit.money import Money
from tradecover.policies import IN_FORCE_STATES, InsurableScope
from tradecover.policies.model import Policy

CUSTOMS_DECLARATION = "customs_declaration"
OPEN_STATUSES = ("attached", "awaiting_confirmation", "received")
CUSTOMS_PERIOD_SLACK = timedelta(days=31)
"""How far the acceptance date may precede the exit date (a read bound, not a rule)."""
SHARE_PLACES = Decimal("0.0001")
MAX_PERIOD_DAYS = 1100
"""Longest period one read covers (about three years)."""


def exporter_in_view(
    principal: Principal, exporter_org_id: int | None, start: date, end: date
) -> int | None:
    """The exporter a caller may read omissions of (its own; insurer staff any, or all
    with None), after checking the period; raises a 4xx domain error otherwise.
    """
    principal.require(Permission.DECLARATION_READ)
    if start > end:
        raise ValidationFailed("the period ends before it starts", code="period_invalid")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValidationFailed(
            f"a period of at most {MAX_PERIOD_DAYS} days is read at once", code="period_too_long"
        )
    if principal.is_insurer:
        return exporter_org_id
    if exporter_org_id not in (None, principal.org_id):
        raise NotFound(f"no exporter {exporter_org_id}", code="organisation_not_found")
    return principal.org_id


@dataclass(frozen=True, slots=True)
class CustomsExport:
    """One customs export record of an exporter, in a policy's scope."""

    row_id: int
    exporter_org_id: int
    policy_id: int
    declaration_number: str
    shipped: date
    consignee: str | None
    country: str | None
    hs_code: str | None
    currency: str
    amount: Decimal
    declaration_id: int | None

    @property
    def month(self) -> date:
        """The first day of the shipment month."""
        return self.shipped.replace(day=1)


@dataclass(frozen=True, slots=True)
class OmissionMonth:
    """Customs exports of one exporter and policy in one month with no declaration."""

    exporter_org_id: int
    policy_id: int
    month: date
    currency: str
    count: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class TurnoverFromCustoms:
    """One month of a policy: what customs saw exported, what was declared, what was returned.

    ``share`` is declared / customs-exported (None where customs saw nothing);
    ``returned`` the exporter's own return (None where none was made).
    """

    policy_id: int
    exporter_org_id: int
    month: date
    currency: str
    customs_exported: Decimal
    declared: Decimal
    returned: Decimal | None
    share: Decimal | None
    customs_records: int
    omitted: int


@dataclass(frozen=True, slots=True)
class _PolicyScope:
    id: int
    exporter_org_id: int
    currency: str
    inception: date
    expiry: date
    scope: InsurableScope


def _scope(data: dict[str, Any] | None) -> InsurableScope:
    data = data or {}
    return InsurableScope(
        destination_countries=tuple(data.get("destination_countries") or ()),
        excluded_countries=tuple(data.get("excluded_countries") or ()),
        hs_chapters=tuple(data.get("hs_chapters") or ()),
    )


def _policies(session: Session, exporter_org_id: int | None) -> list[_PolicyScope]:
    conditions: list[Any] = [Policy.state.in_(IN_FORCE_STATES)]
    if exporter_org_id is not None:
        conditions.append(Policy.exporter_org_id == exporter_org_id)
    return [
        _PolicyScope(p.id, p.exporter_org_id, p.currency, p.inception, p.expiry, _scope(p.scope))
        for p in session.execute(select(Policy).where(*conditions).order_by(Policy.id)).scalars()
    ]


def in_scope(policy: _PolicyScope, shipped: date, country: str | None, hs_code: str | None) -> bool:
    """Whether a shipment on ``shipped`` to ``country`` of ``hs_code`` is in the policy's scope."""
    if not policy.inception <= shipped <= policy.expiry:
        return False
    if country and not policy.scope.covers_country(country):
        return False
    chapters = policy.scope.hs_chapters
    return not (chapters and hs_code and hs_code[:2] not in chapters)


def _policy_for(
    policies: Sequence[_PolicyScope], row: ReceivedDocument, shipped: date
) -> _PolicyScope | None:
    """The exporter's policy whose scope holds the record (one in its currency first)."""
    fitting = [
        p
        for p in policies
        if p.exporter_org_id == row.exporter_org_id
        and in_scope(p, shipped, row.consignee_country, row.hs_code)
    ]
    same = [p for p in fitting if p.currency == row.currency]
    chosen = same or fitting
    return chosen[0] if chosen else None


def customs_exports(
    session: Session,
    *,
    exporter_org_id: int | None,
    start: date,
    end: date,
    exit_date_first: bool = True,
) -> list[CustomsExport]:
    """The customs export records shipped ``start``..``end`` in a policy's scope (one
    exporter's, or every exporter's), whether declared or not, by shipment date.
    """
    policies = _policies(session, exporter_org_id)
    if not policies:
        return []
    conditions: list[Any] = [
        ReceivedDocument.kind == CUSTOMS_DECLARATION,
        ReceivedDocument.status.in_(OPEN_STATUSES),
        ReceivedDocument.document_date >= start - CUSTOMS_PERIOD_SLACK,
        ReceivedDocument.document_date <= end,
        ReceivedDocument.amount.is_not(None),
    ]
    if exporter_org_id is not None:
        conditions.append(ReceivedDocument.exporter_org_id == exporter_org_id)
    found: list[CustomsExport] = []
    rows = session.execute(
        select(ReceivedDocument).where(*conditions).order_by(ReceivedDocument.id)
    ).scalars()
    for row in rows:
        exited = row.exit_date if exit_date_first else None
        shipped = exited or row.acceptance_date or row.exit_date or row.document_date
        if shipped is None or not start <= shipped <= end or row.amount is None:
            continue
        policy = _policy_for(policies, row, shipped)
        if policy is None:
            continue
        found.append(
            CustomsExport(
                row_id=row.id,
                exporter_org_id=row.exporter_org_id,
                policy_id=policy.id,
                declaration_number=row.document_id or "",
                shipped=shipped,
                consignee=row.consignee,
                country=row.consignee_country,
                hs_code=row.hs_code,
                currency=row.currency or policy.currency,
                amount=row.amount,
                declaration_id=row.declaration_id,
            )
        )
    return found


def omissions(
    session: Session, *, exporter_org_id: int | None, start: date, end: date
) -> list[CustomsExport]:
    """The customs exports in scope shipped ``start``..``end`` with no declaration behind them."""
    return [
        item
        for item in customs_exports(session, exporter_org_id=exporter_org_id, start=start, end=end)
        if item.declaration_id is None
    ]


def omissions_by_month(items: Iterable[CustomsExport]) -> list[OmissionMonth]:
    """Omissions summed per exporter, policy, month and currency (oldest month first)."""
    sums: dict[tuple[int, int, date, str], tuple[int, Decimal]] = defaultdict(
        lambda: (0, Decimal(0))
    )
    for item in items:
        key = (item.exporter_org_id, item.policy_id, item.month, item.currency)
        count, amount = sums[key]
        sums[key] = (count + 1, amount + item.amount)
    return [
        OmissionMonth(org, policy, month, currency, count, amount)
        for (org, policy, month, currency), (count, amount) in sorted(
            sums.items(), key=lambda kv: (kv[0][2], kv[0][0], kv[0][1], kv[0][3])
        )
    ]


def _declared(
    session: Session, policy_ids: Sequence[int], start: date, end: date
) -> dict[tuple[int, date], Money]:
    sums: dict[tuple[int, date], Money] = {}
    rows = session.execute(
        select(
            Declaration.policy_id,
            Declaration.shipment_date,
            Declaration.invoice_minor,
            Declaration.currency,
        ).where(
            Declaration.policy_id.in_(policy_ids),
            Declaration.status == STATUS_ACTIVE,
            Declaration.shipment_date >= start,
            Declaration.shipment_date <= end,
        )
    )
    for policy_id, shipped, minor, currency in rows:
        key = (int(policy_id), shipped.replace(day=1))
        amount = Money.from_minor(int(minor), currency)
        sums[key] = sums[key] + amount if key in sums else amount
    return sums


def _returns(
    session: Session, policy_ids: Sequence[int], start: date, end: date
) -> dict[tuple[int, date], Money]:
    rows = session.execute(
        select(TurnoverReturn).where(
            TurnoverReturn.policy_id.in_(policy_ids),
            TurnoverReturn.month >= start.replace(day=1),
            TurnoverReturn.month <= end,
        )
    ).scalars()
    return {
        (row.policy_id, row.month): Money.from_minor(row.amount_minor, row.currency) for row in rows
    }


def turnover_from_customs(
    session: Session, *, exporter_org_id: int | None, start: date, end: date
) -> list[TurnoverFromCustoms]:
    """Per policy and month ``start``..``end``: customs-exported value (in the policy's
    currency), declared value, the exporter's return and the declared share.
    """
    policies = {p.id: p for p in _policies(session, exporter_org_id)}
    if not policies:
        return []
    exports = customs_exports(session, exporter_org_id=exporter_org_id, start=start, end=end)
    customs: dict[tuple[int, date], list[CustomsExport]] = defaultdict(list)
    for item in exports:
        if item.currency == policies[item.policy_id].currency:
            customs[(item.policy_id, item.month)].append(item)
    ids = sorted(policies)
    declared = _declared(session, ids, start, end)
    returned = _returns(session, ids, start, end)
    result: list[TurnoverFromCustoms] = []
    for key in sorted({*customs, *declared, *returned}, key=lambda k: (k[1], k[0])):
        policy = policies[key[0]]
        items = customs.get(key, [])
        exported = sum((i.amount for i in items), Decimal(0))
        done = declared.get(key)
        declared_amount = done.amount if done is not None else Decimal(0)
        own = returned.get(key)
        result.append(
            TurnoverFromCustoms(
                policy_id=policy.id,
                exporter_org_id=policy.exporter_org_id,
                month=key[1],
                currency=policy.currency,
                customs_exported=exported,
                declared=declared_amount,
                returned=own.amount if own is not None else None,
                share=(declared_amount / exported).quantize(SHARE_PLACES) if exported else None,
                customs_records=len(items),
                omitted=sum(1 for i in items if i.declaration_id is None),
            )
        )
    return result

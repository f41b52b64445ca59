"""Use cases of double insurance: set a policy's risk carriers, split its money between them
as the engines post it, and the exporter's view of both insurers together.

:func:`set_carriers` replaces a policy's two carriers, validated by
:func:`tradecover.market.carriers.validate_carriers` and audited with before and after
([domain MK-12]).  Billing and claims call :func:`allocate` in their own transaction after
posting the whole: each carrier's part is stored (``market_carrier_parts``) and posted as
an allocation entry ``market:<source>:<id>`` that moves the pooled amount to each insurer's
ledger party, the entry coinsurance uses ([domain MK-13], [domain MK-14]).  A policy
without carriers costs one indexed query per batch and writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tradecover import audit, coinsurance, ledger, policies
from tradecover.access import Permission, Principal, organisations_of
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, PermissionDenied
from tradecover.kit.money import Money
from tradecover.ledger import Account
from tradecover.market import repository
from tradecover.market.carriers import (
    RISK_CLASSES,
    Carrier,
    DoubleInsuranceInvalid,
    carrier_of,
    check_within_limit,
    split_by_rate,
    validate_carriers,
)
from tradecover.market.model import MarketCarrierPart, MarketPolicyIssuer, MarketRiskCarrier

SOURCE_NOTICE = "notice"
SOURCE_CLAIM = "claim"
SOURCE_RECOVERY = "recovery"
_ACCOUNT = {
    SOURCE_NOTICE: Account.PREMIUM_INCOME,
    SOURCE_CLAIM: Account.CLAIMS_EXPENSE,
    SOURCE_RECOVERY: Account.RECOVERIES,
}
_SETTABLE = frozenset(
    s.value
    for s in (
        policies.PolicyState.DRAFT,
        policies.PolicyState.QUOTED,
        policies.PolicyState.ACTIVE,
        policies.PolicyState.SUSPENDED,
    )
)


def _value(row: MarketRiskCarrier) -> Carrier:
    return Carrier(
        row.risk_class,
        row.insurer_org_id,
        row.rate_pct,
        Money.from_minor(row.maximum_liability_minor, row.currency),
    )


def _snapshot(carriers: Sequence[Carrier]) -> list[dict[str, Any]]:
    return [
        {
            "risk_class": c.risk_class,
            "insurer_org_id": c.insurer_org_id,
            "rate_pct": str(c.rate_pct),
            "maximum_liability": str(c.maximum_liability),
        }
        for c in carriers
    ]


def _rows_of(session: Session, policy_id: int) -> list[MarketRiskCarrier]:
    return list(
        session.execute(
            select(MarketRiskCarrier)
            .where(MarketRiskCarrier.policy_id == policy_id)
            .order_by(MarketRiskCarrier.risk_class)
        ).scalars()
    )


def set_carriers(
    session: Session,
    *,
    principal: Principal,
    policy_id: int,
    carriers: Sequence[Carrier],
    reason: str,
) -> list[Carrier]:
    """Make a policy being written or in force double-insured: its commercial and political
    carriers, each with its own rate and limit ([domain MK-12]); a change applies to money
    posted afterwards, earlier parts are never rewritten.  Insurer underwriters only; a set
    that breaks the rule, a policy that ended (``carriers_fixed``) or a coinsured one
    (``policy_coinsured``) is refused and nothing is written.
    """
    if not principal.is_insurer:
        raise PermissionDenied("only the insurer's staff set risk carriers", code="forbidden")
    principal.require(Permission.POLICY_UNDERWRITE)
    why = policies.required_text(reason, field="reason", max_len=1000)
    policy = policies.get_policy(session, principal=principal, policy_id=policy_id)
    if policy.state not in _SETTABLE:
        raise Conflict(
            f"a {policy.state} policy's carriers can no longer change",
            code="carriers_fixed",
            details={"state": policy.state},
        )
    if coinsurance.shares_of(session, [policy.id]):
        raise Conflict(
            f"policy {policy.id} is coinsured: its shares already split its money",
            code="policy_coinsured",
        )
    if policies.is_domestic(policy.product):
        raise DoubleInsuranceInvalid(
            "a domestic trade credit policy covers commercial risk only: there is no "
            "political risk to give a second carrier",
            code="domestic_not_double_insurable",
            field="political",
        )
    insurers = repository.insurers(session)
    flat = policy.flat_rate_pct if policy.flat_rate_option else None
    validate_carriers(
        carriers,
        commercial_insurers=[i.org_id for i in insurers if not i.last_resort],
        last_resort=next((i.org_id for i in insurers if i.last_resort), None),
        schedule_rate_pct=flat if flat is not None else policy.base_rate_pct,
        maximum_liability=Money.from_minor(policy.maximum_liability_minor, policy.currency),
    )
    before = [_value(r) for r in _rows_of(session, policy.id)]
    session.execute(delete(MarketRiskCarrier).where(MarketRiskCarrier.policy_id == policy.id))
    ordered = sorted(carriers, key=lambda c: RISK_CLASSES.index(c.risk_class))
    now = utc_now()
    session.add_all(
        MarketRiskCarrier(
            policy_id=policy.id,
            risk_class=c.risk_class,
            insurer_org_id=c.insurer_org_id,
            rate_pct=c.rate_pct,
            currency=c.maximum_liability.currency,
            maximum_liability_minor=c.maximum_liability.minor_units(),
            set_by=principal.actor,
            set_at=now,
        )
        for c in ordered
    )
    session.flush()
    audit.record(
        session,
        org_id=policy.exporter_org_id,
        actor=principal.actor,
        action="market.carriers_set",
        entity_type="policy",
        entity_id=policy.id,
        reason=why,
        before=_snapshot(before),
        after=_snapshot(ordered),
    )
    return ordered


def carriers_of(session: Session, policy_ids: Sequence[int]) -> dict[int, list[Carrier]]:
    """The carriers of the double-insured policies among ``policy_ids``, in one query."""
    wanted = sorted(set(policy_ids))
    out: dict[int, list[Carrier]] = {}
    if not wanted:
        return out
    for row in session.execute(
        select(MarketRiskCarrier).where(MarketRiskCarrier.policy_id.in_(wanted))
    ).scalars():
        out.setdefault(row.policy_id, []).append(_value(row))
    return out


def refuse_double_insured(session: Session, policy_id: int) -> None:
    """Refuse to coinsure a double-insured policy (``policy_double_insured``, 409): both
    would move the same pooled amount to insurers ([domain MK-12]).
    """
    if carriers_of(session, [policy_id]):
        raise Conflict(
            f"policy {policy_id} is double-insured: its carriers already split its money",
            code="policy_double_insured",
        )


@dataclass(frozen=True, slots=True)
class CarrierSplit:
    """One amount of a policy to give its carriers: the source (notice, claim, recovery), the
    policy, the posting date and the components (name -> signed minor units) in
    ``currency``; ``risk_class`` routes a claim or recovery wholly to that class's carrier,
    None splits a notice by rate.
    """

    source: str
    source_id: int
    policy_id: int
    currency: str
    posted_on: date
    components: Mapping[str, int]
    risk_class: str | None = None


def _claims_paid(session: Session, policy_id: int, risk_class: str) -> int:
    p = MarketCarrierPart
    total = session.execute(
        select(func.coalesce(func.sum(p.amount_minor), 0)).where(
            p.policy_id == policy_id, p.risk_class == risk_class, p.source == SOURCE_CLAIM
        )
    ).scalar_one()
    return int(total)


def allocate_to_carriers(session: Session, splits: Sequence[CarrierSplit]) -> int:
    """Give each double-insured amount of ``splits`` to its carriers and post the allocation
    entries ([domain MK-13], [domain MK-14]).  A claim beyond its carrier's own limit is
    refused (``carrier_limit_exceeded``, 409).  Amounts of other policies are left whole.
    Returns the number of amounts allocated.
    """
    if not splits:
        return 0
    carriers = carriers_of(session, [s.policy_id for s in splits])
    if not carriers:
        return 0
    rows: list[dict[str, Any]] = []
    entries = []
    for s in splits:
        mine = carriers.get(s.policy_id)
        if not mine:
            continue
        by_org: dict[int, int] = {}
        for component, whole in sorted(s.components.items()):
            if s.risk_class is None:
                parts = split_by_rate(whole, mine)
            else:
                carrier = carrier_of(s.risk_class, mine)
                if s.source == SOURCE_CLAIM:
                    check_within_limit(
                        carrier,
                        paid_minor=_claims_paid(session, s.policy_id, s.risk_class),
                        claim_minor=whole,
                    )
                parts = {s.risk_class: whole}
            for c in mine:
                amount = parts.get(c.risk_class, 0)
                by_org[c.insurer_org_id] = by_org.get(c.insurer_org_id, 0) + amount
                rows.append(
                    {
                        "source": s.source,
                        "source_id": s.source_id,
                        "component": component,
                        "policy_id": s.policy_id,
                        "risk_class": c.risk_class,
                        "org_id": c.insurer_org_id,
                        "currency": s.currency,
                        "whole_minor": whole,
                        "amount_minor": amount,
                        "posted_on": s.posted_on,
                    }
                )
        entry = coinsurance.allocation_entry(
            key=f"market:{s.source}:{s.source_id}",
            posted_on=s.posted_on,
            description=f"double insurance split of {s.source} {s.source_id} "
            f"(policy {s.policy_id})",
            account=_ACCOUNT[s.source],
            currency=s.currency,
            parts=by_org,
        )
        if entry is not None:
            entries.append(entry)
    ledger.insert_rows(session, MarketCarrierPart, rows)
    ledger.post(session, entries=entries)
    return len({(r["source"], r["source_id"]) for r in rows})


@dataclass(frozen=True, slots=True)
class CarrierView:
    """One carrier as the exporter sees it: the insurer, its rate and limit, its premium
    billed, claims paid and recoveries, and what is left of its limit.
    """

    carrier: Carrier
    insurer_name: str
    premium: Money
    claims_paid: Money
    recoveries: Money
    remaining_liability: Money


@dataclass(frozen=True, slots=True)
class PolicyInsurers:
    """Who insures a policy: the insurer it was issued for on the market (if recorded) and,
    when double-insured, both carriers together ([domain MK-15]).
    """

    policy_id: int
    policy_number: str | None
    currency: str
    issuer_org_id: int | None
    issuer_name: str | None
    issuer_basis: str | None
    carriers: list[CarrierView]


def policy_insurers(session: Session, *, principal: Principal, policy_id: int) -> PolicyInsurers:
    """The exporter's (or insurer staff's) view of who insures a policy and, when it is
    double-insured, each carrier's rate, premium, limit and claims ([domain MK-15]).
    Another organisation's policy answers 404.
    """
    policy = policies.get_policy(session, principal=principal, policy_id=policy_id)
    issuer = session.execute(
        select(MarketPolicyIssuer).where(MarketPolicyIssuer.policy_id == policy.id)
    ).scalar_one_or_none()
    mine = carriers_of(session, [policy.id]).get(policy.id, [])
    p = MarketCarrierPart
    sums: dict[tuple[str, str], int] = {}
    if mine:
        for risk_class, source, total in session.execute(
            select(p.risk_class, p.source, func.sum(p.amount_minor))
            .where(p.policy_id == policy.id)
            .group_by(p.risk_class, p.source)
        ).all():
            sums[(str(risk_class), str(source))] = int(total)
    org_ids = {c.insurer_org_id for c in mine} | ({issuer.insurer_org_id} if issuer else set())
    orgs = organisations_of(session, org_ids)
    cur = policy.currency
    views = [
        CarrierView(
            carrier=c,
            insurer_name=orgs[c.insurer_org_id].name if c.insurer_org_id in orgs else "",
            premium=Money.from_minor(sums.get((c.risk_class, SOURCE_NOTICE), 0), cur),
            claims_paid=Money.from_minor(sums.get((c.risk_class, SOURCE_CLAIM), 0), cur),
            recoveries=Money.from_minor(sums.get((c.risk_class, SOURCE_RECOVERY), 0), cur),
            remaining_liability=Money.from_minor(
                c.maximum_liability.minor_units() - sums.get((c.risk_class, SOURCE_CLAIM), 0),
                cur,
            ),
        )
        for c in sorted(mine, key=lambda c: RISK_CLASSES.index(c.risk_class))
    ]
    return PolicyInsurers(
        policy_id=policy.id,
        policy_number=policy.number,
        currency=cur,
        issuer_org_id=issuer.insurer_org_id if issuer else None,
        issuer_name=(
            orgs[issuer.insurer_org_id].name if issuer and issuer.insurer_org_id in orgs else None
        ),
        issuer_basis=issuer.basis if issuer else None,
        carriers=views,
    )


__all__ = [
    "SOURCE_CLAIM",
    "SOURCE_NOTICE",
    "SOURCE_RECOVERY",
    "CarrierSplit",
    "CarrierView",
    "PolicyInsurers",
    "allocate_to_carriers",
    "carriers_of",
    "policy_insurers",
    "refuse_double_insured",
    "set_carriers",
]

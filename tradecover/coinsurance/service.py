"""Coinsurance use cases: set and read participations, split money as it is posted, statements.

Setting a policy's participations replaces the whole set, validated by
:func:`tradecover.coinsurance.shares.validate` and audited with before and after
[domain CO-5].  The engines call the ``allocate_*`` functions in their own transaction
after posting the whole [domain CO-7]: each split is stored (one row per component and
participant) and posted as an allocation entry [domain CO-8].  A policy without
participations costs one indexed query per batch and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from tradecover import audit, ledger, limits, policies
from tradecover.access import OrganisationKind, Permission, Principal, organisations_of
from tradecover.access import insurer as insurer_org
from tradecover.coinsurance.approvals import shares_for
from tradecover.coinsurance.model import (
    CoinsuranceAllocation,
    CoinsuranceLimitParticipation,
    CoinsuranceParticipation,
)
from tradecover.coinsurance.ports import check_participations
from tradecover.coinsurance.posting import allocation_entry
from tradecover.coinsurance.shares import (
    ParticipantRole,
    Participation,
    split_minor,
    validate,
)
from tradecover.kit.errors import NotFound, PermissionDenied
from tradecover.kit.money import Money
from tradecover.ledger import Account

SOURCE_NOTICE = "notice"
SOURCE_CLAIM = "claim"
SOURCE_RECOVERY = "recovery"
_ACCOUNT = {
    SOURCE_NOTICE: Account.PREMIUM_INCOME,
    SOURCE_CLAIM: Account.CLAIMS_EXPENSE,
    SOURCE_RECOVERY: Account.RECOVERIES,
}


def _value(row: CoinsuranceParticipation | CoinsuranceLimitParticipation) -> Participation:
    return Participation(
        org_id=row.org_id,
        role=ParticipantRole(row.role),
        share=row.share,
        effective_from=row.effective_from,
        effective_to=row.effective_to,
    )


def _snapshot(rows: Iterable[Participation]) -> list[dict[str, Any]]:
    return [
        {
            "org_id": p.org_id,
            "role": p.role.value,
            "share": str(p.share),
            "effective_from": p.effective_from.isoformat(),
            "effective_to": p.effective_to.isoformat() if p.effective_to else None,
        }
        for p in rows
    ]


def _rows_of(session: Session, policy_id: int) -> list[CoinsuranceParticipation]:
    return list(
        session.execute(
            select(CoinsuranceParticipation)
            .where(CoinsuranceParticipation.policy_id == policy_id)
            .order_by(CoinsuranceParticipation.effective_from, CoinsuranceParticipation.id)
        ).scalars()
    )


def _may_set(principal: Principal) -> None:
    """Insurer underwriters and admins only [domain CO-4]."""
    principal.require(Permission.POLICY_UNDERWRITE)
    if not principal.is_insurer:
        raise PermissionDenied("only the issuing insurer sets participations", code="forbidden")


def _check(session: Session, parts: Sequence[Participation]) -> None:
    """[domain CO-1] to [domain CO-4]."""
    orgs = organisations_of(session, (p.org_id for p in parts))
    validate(
        parts,
        issuing_insurer_id=insurer_org(session).id,
        eligible_org_ids=[
            o.id
            for o in orgs.values()
            if o.kind in (OrganisationKind.INSURER, OrganisationKind.COINSURER)
        ],
    )


def _in_order(parts: Sequence[Participation]) -> list[Participation]:
    return sorted(parts, key=lambda p: (p.effective_from, p.role != "lead", p.org_id))


def set_participations(
    session: Session,
    *,
    principal: Principal,
    policy_id: int,
    participations: Sequence[Participation],
    reason: str,
) -> list[Participation]:
    """Replace the policy's participations (an empty set ends coinsurance) [domain CO-5].

    Insurer underwriters and admins only; a set that breaks [domain CO-1] to
    [domain CO-4] is refused with its rule's code and nothing is written.
    """
    _may_set(principal)
    policy = policies.get_policy(session, principal=principal, policy_id=policy_id)
    _check(session, participations)
    if participations:
        check_participations(session, policy.id)  # e.g. not double-insured [domain MK-12]
    before = [_value(r) for r in _rows_of(session, policy.id)]
    session.execute(
        delete(CoinsuranceParticipation).where(CoinsuranceParticipation.policy_id == policy.id)
    )
    ordered = _in_order(participations)
    session.add_all(
        CoinsuranceParticipation(
            policy_id=policy.id,
            org_id=p.org_id,
            role=p.role.value,
            share=p.share,
            effective_from=p.effective_from,
            effective_to=p.effective_to,
        )
        for p in ordered
    )
    session.flush()
    audit.record(
        session,
        org_id=policy.exporter_org_id,
        actor=principal.actor,
        action="coinsurance.participations_set",
        entity_type="policy",
        entity_id=policy.id,
        reason=reason,
        before=_snapshot(before),
        after=_snapshot(ordered),
    )
    return list(ordered)


def _limit_rows(session: Session, limit_id: int) -> list[CoinsuranceLimitParticipation]:
    c = CoinsuranceLimitParticipation
    return list(
        session.execute(
            select(c).where(c.limit_id == limit_id).order_by(c.effective_from, c.id)
        ).scalars()
    )


def set_limit_participations(
    session: Session,
    *,
    principal: Principal,
    limit_id: int,
    participations: Sequence[Participation],
    reason: str,
) -> list[Participation]:
    """Replace the participations of a single large credit limit [domain CO-13]: the same
    rules and refusals as a policy's ([domain CO-1] to [domain CO-5]), audited on the limit.
    """
    _may_set(principal)
    limit = limits.get_limit(session, principal=principal, limit_id=limit_id)
    _check(session, participations)
    before = [_value(r) for r in _limit_rows(session, limit.id)]
    c = CoinsuranceLimitParticipation
    session.execute(delete(c).where(c.limit_id == limit.id))
    ordered = _in_order(participations)
    session.add_all(
        c(
            limit_id=limit.id,
            policy_id=limit.policy_id,
            org_id=p.org_id,
            role=p.role.value,
            share=p.share,
            effective_from=p.effective_from,
            effective_to=p.effective_to,
        )
        for p in ordered
    )
    session.flush()
    audit.record(
        session,
        org_id=limit.org_id,
        actor=principal.actor,
        action="coinsurance.limit_participations_set",
        entity_type="credit_limit",
        entity_id=limit.id,
        reason=reason,
        before=_snapshot(before),
        after=_snapshot(ordered),
    )
    return list(ordered)


def limit_participations(
    session: Session, *, principal: Principal, limit_id: int
) -> list[Participation]:
    """A limit's participations: a co-insurer only of a limit it shares (else 404), the
    others as they may see the limit [domain CO-13].
    """
    rows = _limit_rows(session, limit_id)
    if principal.org_kind is OrganisationKind.COINSURER:
        if not any(r.org_id == principal.org_id for r in rows):
            raise NotFound(f"limit {limit_id} not found", code="not_found", field="limit_id")
    else:
        limits.get_limit(session, principal=principal, limit_id=limit_id)
    return [_value(r) for r in rows]


def _shares_by(
    session: Session, subject: InstrumentedAttribute[int], ids: Iterable[int]
) -> dict[int, list[Participation]]:
    """The participations keyed by ``subject`` (a policy's or a limit's id column) among
    ``ids``, in one query.
    """
    wanted = sorted(set(ids))
    out: dict[int, list[Participation]] = {}
    if not wanted:
        return out
    c = subject.class_
    for key, org, role, share, start, end in session.execute(
        select(subject, c.org_id, c.role, c.share, c.effective_from, c.effective_to).where(
            subject.in_(wanted)
        )
    ):
        out.setdefault(key, []).append(Participation(org, ParticipantRole(role), share, start, end))
    return out


def limit_shares_of(session: Session, limit_ids: Iterable[int]) -> dict[int, list[Participation]]:
    """The participations of the coinsured limits among ``limit_ids``, in one query."""
    return _shares_by(session, CoinsuranceLimitParticipation.limit_id, limit_ids)


def participations(
    session: Session, *, principal: Principal, policy_id: int
) -> list[Participation]:
    """A policy's participations: the insurer and the policy's exporter see them all, a
    co-insurer only those of a policy it participates in (else 404) [domain CO-10].
    """
    rows = _rows_of(session, policy_id)
    if principal.org_kind is OrganisationKind.COINSURER:
        if not any(r.org_id == principal.org_id for r in rows):
            raise NotFound(f"policy {policy_id} not found", code="not_found", field="policy_id")
    else:
        policies.get_policy(session, principal=principal, policy_id=policy_id)
    return [_value(r) for r in rows]


def shares_of(session: Session, policy_ids: Iterable[int]) -> dict[int, list[Participation]]:
    """The participations of the coinsured policies among ``policy_ids``, in one query."""
    return _shares_by(session, CoinsuranceParticipation.policy_id, policy_ids)


@dataclass(frozen=True, slots=True)
class Split:
    """One amount to split: its source, the policy, the date whose shares apply and its
    components (name -> signed minor units), all in ``currency``; ``limit_id`` names the
    single credit limit a claim's money belongs to, whose own shares come first
    [domain CO-13].
    """

    source: str
    source_id: int
    policy_id: int
    currency: str
    risk_date: date
    posted_on: date
    components: Mapping[str, int]
    limit_id: int | None = None


def allocate(session: Session, splits: Sequence[Split]) -> int:
    """Split and post every coinsured amount of ``splits`` [domain CO-6] [domain CO-8].

    One query finds the coinsured policies; amounts of the others (or of a date no
    participation covers) are left whole.  Returns the number of amounts split.
    """
    if not splits:
        return 0
    shares = shares_of(session, (s.policy_id for s in splits))
    on_limits = limit_shares_of(session, (s.limit_id for s in splits if s.limit_id))
    if not shares and not on_limits:
        return 0
    rows: list[dict[str, Any]] = []
    entries = []
    for s in splits:
        effective = shares_for(
            shares.get(s.policy_id, ()), on_limits.get(s.limit_id or 0, ()), s.risk_date
        )
        if not effective:
            continue
        per_org: dict[int, int] = {}
        for component, whole in sorted(s.components.items()):
            for part in split_minor(whole, effective):
                per_org[part.org_id] = per_org.get(part.org_id, 0) + part.amount_minor
                rows.append(
                    {
                        "source": s.source,
                        "source_id": s.source_id,
                        "component": component,
                        "policy_id": s.policy_id,
                        "org_id": part.org_id,
                        "share": part.share,
                        "currency": s.currency,
                        "whole_minor": whole,
                        "amount_minor": part.amount_minor,
                        "posted_on": s.posted_on,
                    }
                )
        entry = allocation_entry(
            key=f"coinsurance:{s.source}:{s.source_id}",
            posted_on=s.posted_on,
            description=f"coinsurance split of {s.source} {s.source_id} (policy {s.policy_id})",
            account=_ACCOUNT[s.source],
            currency=s.currency,
            parts=per_org,
        )
        if entry is not None:
            entries.append(entry)
    ledger.insert_rows(session, CoinsuranceAllocation, rows)
    ledger.post(session, entries=entries)
    return len({(r["source"], r["source_id"]) for r in rows})


@dataclass(frozen=True, slots=True)
class StatementLine:
    """A participant's share of one policy's premium, claims paid and recoveries."""

    policy_id: int
    currency: str
    premium: Money
    claims: Money
    recoveries: Money


def statement(
    session: Session,
    *,
    principal: Principal,
    date_from: date,
    date_to: date,
    org_id: int | None = None,
) -> list[StatementLine]:
    """A participant's share of each policy's money posted from ``date_from`` to
    ``date_to`` [domain CO-10]: a co-insurer its own; the insurer (billing readers) any
    participant's (``org_id``, its own by default).
    """
    if principal.org_kind is OrganisationKind.COINSURER:
        if org_id not in (None, principal.org_id):
            raise NotFound(f"organisation {org_id} not found", code="not_found", field="org_id")
        org_id = principal.org_id
    elif principal.is_insurer:
        principal.require(Permission.BILLING_READ)
        org_id = org_id or principal.org_id
    else:
        raise PermissionDenied("statements are for the insurers of a policy", code="forbidden")
    a = CoinsuranceAllocation
    out: dict[tuple[int, str], dict[str, int]] = {}
    for policy_id, currency, source, total in session.execute(
        select(a.policy_id, a.currency, a.source, func.sum(a.amount_minor))
        .where(a.org_id == org_id, a.posted_on >= date_from, a.posted_on <= date_to)
        .group_by(a.policy_id, a.currency, a.source)
    ).all():
        out.setdefault((int(policy_id), str(currency)), {})[str(source)] = int(total)
    return [
        StatementLine(
            policy_id=pid,
            currency=cur,
            premium=Money.from_minor(sums.get(SOURCE_NOTICE, 0), cur),
            claims=Money.from_minor(sums.get(SOURCE_CLAIM, 0), cur),
            recoveries=Money.from_minor(sums.get(SOURCE_RECOVERY, 0), cur),
        )
        for (pid, cur), sums in sorted(out.items())
    ]


__all__ = [
    "SOURCE_CLAIM",
    "SOURCE_NOTICE",
    "SOURCE_RECOVERY",
    "Split",
    "StatementLine",
    "allocate",
    "limit_participations",
    "limit_shares_of",
    "participations",
    "set_limit_participations",
    "set_participations",
    "shares_of",
    "statement",
]

"""The attachment service (domain.md 5, 6): every channel declares shipments through here.

:func:`attach` validates a shipment (bad input raises a 4xx domain error and writes
nothing), checks it against the policy and the buyer's limit version in force on the
shipment date, decides cover with :func:`tradecover.declarations.cover.decide_cover` on
what is outstanding on the limit (its reservation row locked first), prices it through
the one pricing interface (:func:`rate_source_for`), and writes the declaration, the new
outstanding amount and an audit entry on the buyer's chain.  The rules are the same on
every database; the I/O is :mod:`tradecover.declarations.repository` (portable) or
:mod:`tradecover.declarations.pg_repository` (PostgreSQL: two pipelined round trips).
The caller's transaction holds all of it: services never commit.

Corrections (:func:`correct`) and cancellations (:func:`cancel`) are new events: the old
row is marked ``corrected``/``cancelled`` (never deleted), a correction writes a new row
that ``supersedes`` it, and the reservation follows.

Also here: the declaration status of a policy by its frequency
(:func:`declaration_status`), monthly turnover returns (:func:`submit_turnover_return`) and
:class:`DeclarationReviewMetrics`, the renewal review's metrics of a policy (declarations,
notices of possible loss, claims paid and limits), read in the caller's session.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tradecover.access.principal import Principal
from tradecover.access.roles import Permission
from tradecover.audit import service as audit
from tradecover.billing.premium import FlatRatePricer, RateSource, declaration_premium
from tradecover.buyers.model import Buyer, ExporterBuyerRelationship
from tradecover.claims.model import ClaimRow
from tradecover.collections.model import NOTICE_OPEN, PossibleLossNotice
from tradecover.country_risk.model import CountryRiskVersion
from tradecover.declarations import pg_repository, repository, upload
from tradecover.declarations.cover import (
    CountryCoverStatus,
    CoverDecision,
    CoverReason,
    CoverStatus,
    LimitFacts,
    LimitStatus,
    PolicyFacts,
    decide_cover,
)
from tradecover.declarations.deadlines import (
    DeclarationPeriod,
    compliance_rate,
    declaration_timing,
    periods_due_between,
)
from tradecover.declarations.facts import (
    AttachmentFacts,
    BuyerRow,
    LimitRow,
    LimitVersionRow,
    pick_limits,
)
from tradecover.declarations.model import (
    STATUS_ACTIVE,
    STATUS_CANCELLED,
    STATUS_CORRECTED,
    Declaration,
    TurnoverReturn,
    declaration_values,
)
from tradecover.declarations.shipment import Shipment, normalised, shipment_problems
from tradecover.declarations.turnover_repository import review_of_policy as turnover_review
from tradecover.declarations.whole_turnover import WholeTurnoverReview
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, DomainError, NotFound, ValidationFailed
from tradecover.kit.money import Money, check_currency
from tradecover.limits.decision import RequestType
from tradecover.limits.model import CreditLimit, CreditLimitVersion, LimitApplication
from tradecover.policies.liability import cancelled_from
from tradecover.policies.lifecycle import PolicyState
from tradecover.policies.model import Policy
from tradecover.policies.review import ReviewMetrics
from tradecover.policies.service import schedule_of
from tradecover.policies.standing import standing_of
from tradecover.pricing.short_term import ShortTermRateRequest

CHANNELS = ("api", "erp", "upload", "web", "cli", "einvoice", "customs")
"""Where a declaration came from (``erp``: the ERP API with an Idempotency-Key)."""

if TYPE_CHECKING:
    from psycopg import AsyncConnection

MAX_BATCH = 1000
"""Most declarations accepted in one batch request or upload."""


# --- pricing: the one switch -------------------------------------------------------------


def rate_source_for(policy: Policy, session: Session | None = None) -> RateSource:
    """THE rate source of a policy's declarations: the schedule's flat rate today.

    Resolved once per policy of a set, before any decision (the decisions themselves do no
    I/O).  A risk-based source switches here in this one line, reading its table through
    ``session`` where it has one (``pricing.service.pricer_for(session, ...)``).
    """
    return FlatRatePricer(base_rate_pct=policy.base_rate_pct, rate_table=policy.rate_table,
                          effective_from=policy.inception)


# --- loading with ownership --------------------------------------------------------------


def _policy(session: Session, principal: Principal, policy_id: int, *,
            org_id: int | None = None) -> Policy:
    policy = session.get(Policy, policy_id)
    if policy is None or not principal.can_see_org(policy.exporter_org_id) or (
            org_id is not None and policy.exporter_org_id != org_id):
        raise NotFound(f"no policy {policy_id}", code="policy_not_found", field="policy_id")
    return policy


def _declaration(session: Session, principal: Principal, declaration_id: int, *,
                 lock: bool = False) -> Declaration:
    query = select(Declaration).where(Declaration.id == declaration_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    row = session.execute(query).scalar_one_or_none()
    if row is None or not principal.can_see_org(row.exporter_org_id):
        raise NotFound(f"no declaration {declaration_id}", code="declaration_not_found")
    return row


# --- facts for the cover decision --------------------------------------------------------


def policy_facts(policy: Policy) -> PolicyFacts:
    """The cover decision's view of a policy row (its liability standing included)."""
    schedule = schedule_of(policy)
    standing = standing_of(policy)
    return PolicyFacts(state=PolicyState(policy.state), inception=policy.inception,
                       expiry=policy.expiry, scope=schedule.scope,
                       frequency=schedule.declaration_frequency,
                       cancelled_from=cancelled_from(standing),
                       suspensions=standing.suspensions)


def _problem_list(problems: Sequence[DomainError]) -> list[dict[str, Any]]:
    return [{"code": p.code, "field": p.field, "message": p.message} for p in problems]


# --- attachment: facts loaded set-based, decided in Python -------------------------------


_COUNTRY_STATUS = (select(CountryRiskVersion.cover_status)
                   .where(CountryRiskVersion.country == Buyer.country)
                   .order_by(CountryRiskVersion.id.desc()).limit(1).scalar_subquery())
# the four statements of :func:`_load_facts`, built once (building SQL costs more CPU than
# running it on the hot path); parameters: org_id, policy_ids, buyer_ids, invoices
_POLICIES = select(Policy).where(Policy.id.in_(bindparam("policy_ids", expanding=True)))
_BUYERS = select(
    Buyer.id, Buyer.country,
    or_(exists().where(ExporterBuyerRelationship.org_id == bindparam("org_id"),
                       ExporterBuyerRelationship.buyer_id == Buyer.id),
        exists().where(CreditLimit.org_id == bindparam("org_id"),
                       CreditLimit.buyer_id == Buyer.id)),
    exists().where(PossibleLossNotice.exporter_org_id == bindparam("org_id"),
                   PossibleLossNotice.buyer_id == Buyer.id,
                   PossibleLossNotice.status == NOTICE_OPEN),
    _COUNTRY_STATUS,
).where(Buyer.id.in_(bindparam("buyer_ids", expanding=True)))
_LIMITS = (
    select(CreditLimit.id, CreditLimit.policy_id, CreditLimit.buyer_id, CreditLimit.status,
           CreditLimitVersion.id, CreditLimitVersion.kind, CreditLimitVersion.currency,
           CreditLimitVersion.amount_minor, CreditLimitVersion.effective_from,
           CreditLimitVersion.expires_on, CreditLimitVersion.indemnity_pct,
           CreditLimitVersion.number)
    .outerjoin(CreditLimitVersion, CreditLimitVersion.limit_id == CreditLimit.id)
    .where(CreditLimit.org_id == bindparam("org_id"),
           CreditLimit.policy_id.in_(bindparam("policy_ids", expanding=True)),
           CreditLimit.buyer_id.in_(bindparam("buyer_ids", expanding=True))))
_DUPLICATES = select(Declaration.id, Declaration.buyer_id, Declaration.invoice_number).where(
    Declaration.exporter_org_id == bindparam("org_id"),
    Declaration.buyer_id.in_(bindparam("buyer_ids", expanding=True)),
    Declaration.invoice_number.in_(bindparam("invoices", expanding=True)),
    Declaration.status == STATUS_ACTIVE)


def _load_facts(session: Session, shipments: Sequence[Shipment]) -> AttachmentFacts:
    """Load policies, buyers (relationship, freeze, country status), limits with their
    versions and already-declared invoices of ``shipments`` set-based: four statements
    whatever their number.
    """
    params = {"org_id": _one_exporter(shipments),
              "policy_ids": sorted({s.policy_id for s in shipments}),
              "buyer_ids": sorted({s.buyer_id for s in shipments}),
              "invoices": sorted({s.invoice_number.strip() for s in shipments})}
    # the policies as ORM objects (this also autoflushes); the rest as plain rows on the
    # session's connection (the ORM's execute layer costs more CPU than these queries)
    policies = {p.id: p for p in session.execute(_POLICIES, params).scalars()}
    connection = session.connection()
    buyers = {
        int(r[0]): BuyerRow(country=r[1], known=bool(r[2]), frozen=bool(r[3]),
                               country_status=CountryCoverStatus(r[4] or "open"))
        for r in connection.execute(_BUYERS, params)}
    versions: dict[int, list[LimitVersionRow]] = {}
    heads: dict[int, tuple[int, int, str]] = {}
    for r in connection.execute(_LIMITS, params):
        heads[int(r[0])] = (int(r[1]), int(r[2]), str(r[3]))
        bucket = versions.setdefault(int(r[0]), [])
        if r[4] is not None:
            bucket.append(LimitVersionRow(int(r[4]), r[5], r[6], int(r[7]), r[8], r[9], r[10],
                                   int(r[11])))
    limits = pick_limits(heads, versions)
    duplicates = {(int(r[1]), str(r[2])): int(r[0])
                  for r in connection.execute(_DUPLICATES, params)}
    return AttachmentFacts(policies, buyers, limits, duplicates)


def _check(facts: AttachmentFacts, principal: Principal, shipment: Shipment, today: date,
           views: dict[int, PolicyFacts] | None = None) -> Shipment | DomainError:
    """Ownership and every input rule of one shipment: the checked shipment or its problem."""
    policy = facts.policies.get(shipment.policy_id)
    if (policy is None or not principal.can_see_org(shipment.insured_org_id)
            or not principal.can_see_org(policy.exporter_org_id)
            or policy.exporter_org_id != shipment.insured_org_id):
        return NotFound(f"no policy {shipment.policy_id}", code="policy_not_found",
                        field="policy_id")
    buyer = facts.buyers.get(shipment.buyer_id)
    if buyer is None or not buyer.known:
        return NotFound(f"no buyer {shipment.buyer_id}", code="buyer_not_found",
                        field="buyer_id")
    shipment = replace(shipment, buyer_country=buyer.country)
    scope = views[policy.id].scope if views is not None else schedule_of(policy).scope
    problems = shipment_problems(shipment, today=today, scope=scope,
                                 policy_period=(policy.inception, policy.expiry),
                                 policy_currency=policy.currency)
    if problems:
        first = problems[0]
        return ValidationFailed(first.message, code=first.code, field=first.field,
                                details={**first.details, "problems": _problem_list(problems)})
    shipment = normalised(shipment)
    duplicate = facts.duplicates.get((shipment.buyer_id, shipment.invoice_number.strip()))
    if duplicate is not None:
        return Conflict(f"invoice {shipment.invoice_number} is already declared for this buyer "
                        f"(declaration {duplicate})", code="duplicate_invoice_number",
                        field="invoice_number", details={"declaration_id": duplicate})
    return shipment


def _limit_facts(version: LimitVersionRow) -> LimitFacts:
    return LimitFacts(
        amount=Money.from_minor(version.amount_minor, version.currency),
        status=(LimitStatus.CANCELLED if version.kind == RequestType.CANCELLATION.value
                else LimitStatus.ACTIVE),
        effective_from=version.effective_from, expires_on=version.expires_on,
        indemnity_pct=version.indemnity_pct)


@dataclass(slots=True)
class _Item:
    """One checked shipment on its way through the set-based attachment."""

    index: int
    shipment: Shipment
    policy: Policy
    facts: PolicyFacts
    buyer: BuyerRow
    limit: LimitRow | None
    version: LimitVersionRow | None
    decision: CoverDecision | None = None  # final, or None while it waits for the limit


def _decide(item: _Item, outstanding_minor: int, today: date) -> CoverDecision:
    """The cover decision of one item given what is outstanding on its limit."""
    shipment, version = item.shipment, item.version
    limit_facts = _limit_facts(version) if version is not None else None
    insured = shipment.insured_amount

    def decide(outstanding: int, facts_of_limit: LimitFacts | None) -> CoverDecision:
        return decide_cover(shipment=shipment, policy=item.facts, limit=facts_of_limit,
                            outstanding=Money.from_minor(outstanding, shipment.currency),
                            buyer_in_default=item.buyer.frozen,
                            country_status=item.buyer.country_status, declared_on=today)

    if limit_facts is not None and limit_facts.amount.currency != shipment.currency:
        first = decide(0, None)
        if first.reason_code is not CoverReason.NO_LIMIT:
            return first
        return CoverDecision(CoverStatus.NOT_COVERED, insured, Money.zero(insured.currency),
                             insured, CoverReason.LIMIT_CONDITIONS_NOT_MET,
                             f"the credit limit is in {limit_facts.amount.currency}, the "
                             f"shipment in {shipment.currency}")
    return decide(outstanding_minor, limit_facts)


def _decide_all(items: Sequence[_Item], outstanding: dict[int, int], today: date
                ) -> dict[int, tuple[int, int, int]]:
    """Decide every item in the given order on what is outstanding on its limit (the rows
    are locked by the caller), each taking from what the ones before it left; returns the
    moved reservations: limit id -> (outstanding, taken in all, cap).

    The cap written is the largest amount of the limit versions the items were decided on,
    so the CHECK ``outstanding_minor <= cap_minor`` holds whatever their shipment dates.
    """
    moved: dict[int, tuple[int, int, int]] = {}
    for item in items:
        limit, version = item.limit, item.version
        before = outstanding.get(limit.id, 0) if limit is not None else 0
        item.decision = decision = _decide(item, before, today)
        if (limit is None or version is None or not decision.covered
                or decision.reason_code is CoverReason.FULLY_PREPAID):
            continue
        taken = decision.covered_amount.minor_units()
        if taken:
            _after, so_far, cap = moved.get(limit.id, (0, 0, 0))
            outstanding[limit.id] = before + taken
            moved[limit.id] = (before + taken, so_far + taken, max(cap, version.amount_minor))
    return moved


def _values_of(item: _Item, *, source: RateSource, principal: Principal, channel: str,
               today: date, supersedes: Declaration | None, declared_at: datetime
               ) -> dict[str, Any]:
    """The column values of the declaration of a decided item (premium priced here)."""
    shipment, policy, decision = item.shipment, item.policy, item.decision
    assert decision is not None
    timing = declaration_timing(frequency=item.facts.frequency,
                                shipment_date=shipment.shipment_date, declared_on=today,
                                rules=item.facts.deadline_rules)
    version = item.version
    indemnity = (version.indemnity_pct if version is not None and version.indemnity_pct
                 is not None else policy.indemnity_commercial_pct)
    priced = declaration_premium(
        decision=decision, source=source,
        request=ShortTermRateRequest(payment_terms=shipment.payment_terms,
                                     credit_days=shipment.credit_days,
                                     indemnity_percentage=indemnity,
                                     country=shipment.buyer_country))
    return {
        "exporter_org_id": shipment.insured_org_id, "policy_id": policy.id,
        "buyer_id": shipment.buyer_id, "buyer_country": shipment.buyer_country,
        "limit_id": item.limit.id if item.limit is not None else None,
        "limit_version_id": version.id if version is not None else None,
        "invoice_number": shipment.invoice_number.strip(), "shipment_date": shipment.shipment_date,
        "due_date": shipment.due_date, "credit_days": shipment.credit_days,
        "payment_terms": shipment.payment_terms.value,
        "transport_mode": shipment.transport_mode.value, "hs_code": shipment.hs_code,
        "goods_description": shipment.goods_description.strip(), "currency": shipment.currency,
        "invoice_minor": shipment.invoice.minor_units(),
        "prepayment_minor": shipment.prepaid.minor_units(),
        "insured_minor": decision.insured_amount.minor_units(),
        "covered_minor": decision.covered_amount.minor_units(),
        "uninsured_minor": decision.uninsured_amount.minor_units(), "collected_minor": 0,
        "cover_status": decision.status.value, "reason_code": decision.reason_code.value,
        "cover_explanation": decision.explanation, "rate": priced.rate,
        "rate_explanation": priced.quote.explanation.to_dict() if priced.quote else None,
        "premium_minor": priced.premium.minor_units(), "declaration_date": today,
        "declaration_due": timing.due, "late": timing.late, "days_late": timing.days_late,
        "status": STATUS_ACTIVE, "supersedes_id": supersedes.id if supersedes else None,
        "channel": channel, "declared_at": declared_at, "declared_by": principal.actor,
        "ended_at": None, "ended_by": None, "end_reason": None}


def snapshot(row: Declaration) -> dict[str, Any]:
    """The audited view of a declaration."""
    v = declaration_values(row)
    return {
        "id": v["id"], "status": v["status"], "policy_id": v["policy_id"],
        "buyer_id": v["buyer_id"], "invoice_number": v["invoice_number"],
        "shipment_date": v["shipment_date"].isoformat(), "currency": v["currency"],
        "invoice_minor": v["invoice_minor"], "prepayment_minor": v["prepayment_minor"],
        "covered_minor": v["covered_minor"], "uninsured_minor": v["uninsured_minor"],
        "cover_status": v["cover_status"], "reason_code": v["reason_code"],
        "rate": str(v["rate"]), "premium_minor": v["premium_minor"], "late": v["late"],
        "limit_id": v["limit_id"], "limit_version_id": v["limit_version_id"],
        "supersedes_id": v["supersedes_id"], "channel": v["channel"],
    }


def _check_channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise ValidationFailed(f"unknown channel {channel!r}", code="invalid_channel",
                               field="channel")
    return channel


def audit_chain_of(row: Declaration) -> int:
    """The audit chain of a declaration's entries: sharded by its buyer (known before any
    fact is read, so the chain head can be locked with them), so that declarations on
    different buyers append to different chains.
    """
    return audit.chain_for(row.buyer_id)


def audit_entries(principal: Principal, rows: Sequence[Declaration],
                  supersedes: Declaration | None = None) -> list[tuple[int, audit.Pending]]:
    """The ``declaration.attached`` (or ``.corrected``) entries of ``rows``, for
    :func:`tradecover.audit.service.append_many`.
    """
    return [(audit_chain_of(row), audit.Pending(
        org_id=row.exporter_org_id, actor=principal.actor,
        action="declaration.corrected" if supersedes else "declaration.attached",
        entity_type="declaration", entity_id=str(row.id),
        before=snapshot(supersedes) if supersedes else None, after=snapshot(row)))
        for row in rows]


def _admit(principal: Principal, shipments: Sequence[Shipment | DomainError], channel: str
           ) -> tuple[dict[int, Outcome], list[tuple[int, Shipment]]]:
    """The outcomes of items already refused (unreadable rows) and the shipments whose facts
    are to be read, by their index in the set.
    """
    principal.require(Permission.DECLARATION_WRITE)
    _check_channel(channel)
    refused = {index: Outcome(index, error=item) for index, item in enumerate(shipments)
               if isinstance(item, DomainError)}
    return refused, [(i, s) for i, s in enumerate(shipments) if isinstance(s, Shipment)]


def _items(facts: AttachmentFacts, principal: Principal, wanted: Sequence[tuple[int, Shipment]],
           today: date, outcomes: dict[int, Outcome]) -> list[_Item]:
    """The checked shipments of a set with their policy, buyer and limit facts; each refused
    one gets its outcome instead (a second item with one invoice for one buyer included).
    """
    items: list[_Item] = []
    seen: set[tuple[int, str]] = set()
    views = {policy_id: policy_facts(p) for policy_id, p in facts.policies.items()}
    for index, shipment in wanted:
        checked = _check(facts, principal, shipment, today, views)
        if isinstance(checked, DomainError):
            outcomes[index] = Outcome(index, error=checked)
            continue
        key = (checked.buyer_id, checked.invoice_number.strip())
        if key in seen:
            outcomes[index] = Outcome(index, error=Conflict(
                f"invoice {checked.invoice_number} is declared twice for this buyer in "
                "this batch", code="duplicate_invoice_number", field="invoice_number"))
            continue
        seen.add(key)
        policy = facts.policies[checked.policy_id]
        limit = facts.limits.get((checked.policy_id, checked.buyer_id))
        items.append(_Item(index, checked, policy, views[policy.id],
                           facts.buyers[checked.buyer_id], limit,
                           limit.version_on(checked.shipment_date) if limit else None))
    return items


def _settle(items: Sequence[_Item], outstanding: dict[int, int],
            sources: dict[int, RateSource], *, principal: Principal, channel: str, today: date,
            supersedes: Declaration | None, now: datetime
            ) -> tuple[dict[int, tuple[int, int, int]], list[dict[str, Any]]]:
    """Decide and price every item (no I/O): the moved reservations (see
    :func:`_decide_all`) and the declarations' column values.
    """
    moved = _decide_all(items, dict(outstanding), today)
    return moved, [_values_of(item, source=sources[item.policy.id], principal=principal,
                              channel=channel, today=today, supersedes=supersedes,
                              declared_at=now) for item in items]


def _in_order(outcomes: dict[int, Outcome], size: int) -> list[Outcome]:
    return [outcomes[i] for i in range(size)]


def _pipelined_writes(items: Sequence[_Item], values: list[dict[str, Any]],
                      facts: AttachmentFacts, outcomes: dict[int, Outcome], size: int,
                      principal: Principal, supersedes: Declaration | None,
                      riders: pg_repository.Riders
                      ) -> tuple[list[Outcome], list[tuple[int, audit.Pending]],
                                 Sequence[pg_repository.Statement]]:
    """PostgreSQL: the declarations as read-only rows with the ids reserved with the facts,
    each the outcome of its item; then the outcomes in order, their audit entries and the
    riders' statements written with them.
    """
    for row_values, new_id in zip(values, facts.ids, strict=False):
        row_values["id"] = new_id
    rows = [pg_repository.transient(Declaration, row_values) for row_values in values]
    for ready, row in zip(items, rows, strict=True):
        outcomes[ready.index] = Outcome(ready.index, declaration=row)
    done = _in_order(outcomes, size)
    return (done, audit_entries(principal, rows, supersedes),
            riders.last(done) if riders.last is not None else ())


def _attach_set(session: Session, *, principal: Principal,
                shipments: Sequence[Shipment | DomainError], channel: str, today: date,
                supersedes: Declaration | None = None,
                riders: pg_repository.Riders | None = None) -> list[Outcome]:
    """Attach a set of shipments with set-based SQL: the facts loaded and the limits'
    reservation rows locked together, the cover decisions in Python, then the declarations,
    reservations and audit entries written together (on PostgreSQL each side is ONE
    pipelined round trip, :mod:`tradecover.declarations.pg_repository`).  A refused item writes
    nothing; the outcomes come back in the order given.  :func:`attach_many_async` is the
    same on an asynchronous PostgreSQL connection.
    """
    outcomes, wanted = _admit(principal, shipments, channel)
    if not wanted:
        return _in_order(outcomes, len(shipments))
    pipelined = session.get_bind().dialect.name == "postgresql"
    now = utc_now()
    org_id = _one_exporter([s for _i, s in wanted])
    if pipelined:
        facts = pg_repository.load_facts(
            session, org_id=org_id, shipments=[s for _i, s in wanted],
            chains=[audit.chain_for(s.buyer_id) for _i, s in wanted], now=now, riders=riders)
    else:
        facts = _load_facts(session, [s for _i, s in wanted])
    items = _items(facts, principal, wanted, today, outcomes)
    if not items:
        return _in_order(outcomes, len(shipments))
    if facts.outstanding is not None:
        outstanding = facts.outstanding
    else:
        outstanding = repository.lock_reservations(session, {
            item.limit.id: (item.version.currency, item.version.amount_minor)
            for item in items if item.limit is not None and item.version is not None})
    sources = {policy_id: rate_source_for(p, session) for policy_id, p in facts.policies.items()}
    moved, values = _settle(items, outstanding, sources, principal=principal, channel=channel,
                            today=today, supersedes=supersedes, now=now)
    if pipelined:
        riders = riders or pg_repository.Riders()
        done, entries, last = _pipelined_writes(items, values, facts, outcomes, len(shipments),
                                                principal, supersedes, riders)
        pg_repository.write(session, facts=facts, org_id=org_id, values=values, moved=moved,
                            entries=entries, now=now, last=last, commit=riders.commit)
        riders.written = True
        return done
    rows = [Declaration(**row_values) for row_values in values]
    for ready, row in zip(items, rows, strict=True):
        outcomes[ready.index] = Outcome(ready.index, declaration=row)
    repository.write_reservations(session, moved)
    session.add_all(rows)
    try:
        session.flush()
    except IntegrityError:
        raise pg_repository.concurrent_duplicate() from None
    audit.append_many(session, audit_entries(principal, rows, supersedes))
    return _in_order(outcomes, len(shipments))


async def attach_many_async(connection: AsyncConnection[Any], *, principal: Principal,
                            shipments: Sequence[Shipment | DomainError], channel: str,
                            today: date, riders: pg_repository.Riders) -> list[Outcome]:
    """:func:`attach_many` on an asynchronous PostgreSQL connection, with no thread or ORM
    session in between (the ERP endpoint): the same checks, decisions and writes in the
    same two pipelined round trips, ``riders`` riding on them as on the synchronous path.
    """
    _check_batch_size(shipments)
    outcomes, wanted = _admit(principal, shipments, channel)
    if not wanted:
        return _in_order(outcomes, len(shipments))
    now = utc_now()
    org_id = _one_exporter([s for _i, s in wanted])
    facts = await pg_repository.load_facts_async(
        connection, org_id=org_id, shipments=[s for _i, s in wanted],
        chains=[audit.chain_for(s.buyer_id) for _i, s in wanted], now=now, riders=riders)
    items = _items(facts, principal, wanted, today, outcomes)
    if not items:
        return _in_order(outcomes, len(shipments))
    assert facts.outstanding is not None
    sources = {policy_id: rate_source_for(p) for policy_id, p in facts.policies.items()}
    moved, values = _settle(items, facts.outstanding, sources, principal=principal,
                            channel=channel, today=today, supersedes=None, now=now)
    done, entries, last = _pipelined_writes(items, values, facts, outcomes, len(shipments),
                                            principal, None, riders)
    await pg_repository.write_async(connection, facts=facts, org_id=org_id, values=values,
                                    moved=moved, entries=entries, now=now, last=last,
                                    commit=riders.commit)
    riders.written = True
    return done


def _check_batch_size(shipments: Sequence[object]) -> None:
    if len(shipments) > MAX_BATCH:
        raise ValidationFailed(f"at most {MAX_BATCH} declarations at a time",
                               code="batch_too_large", field="declarations")


def _one_exporter(shipments: Sequence[Shipment]) -> int:
    org_ids = {s.insured_org_id for s in shipments}
    if len(org_ids) != 1:  # every channel declares for one exporter at a time
        raise ValidationFailed("shipments of one exporter at a time", code="mixed_exporters")
    return next(iter(org_ids))


def attach(session: Session, *, principal: Principal, shipment: Shipment, channel: str,
           today: date, supersedes: Declaration | None = None,
           riders: pg_repository.Riders | None = None) -> Declaration:
    """Declare ``shipment``: validate, decide cover, price, reserve and record it.

    ``today`` is the business date of the declaration (deadlines are measured to it).
    Raises a domain error (4xx) and writes nothing when the input is bad.  ``riders``
    (PostgreSQL only) carry the caller's own statements in the same round trips.
    """
    (outcome,) = _attach_set(session, principal=principal, shipments=[shipment],
                             channel=channel, today=today, supersedes=supersedes,
                             riders=riders)
    if outcome.error is not None:
        raise outcome.error
    assert outcome.declaration is not None
    return outcome.declaration


@dataclass(frozen=True, slots=True)
class Outcome:
    """One item of a batch: the declaration, or the problem that refused it."""

    index: int
    declaration: Declaration | None = None
    error: DomainError | None = None


def attach_many(session: Session, *, principal: Principal,
                shipments: Sequence[Shipment | DomainError], channel: str, today: date,
                progress: Callable[[int, int], None] | None = None,
                riders: pg_repository.Riders | None = None) -> list[Outcome]:
    """Attach up to ``MAX_BATCH`` shipments set-based (see :func:`_attach_set`): a refused
    item writes nothing, the others go on.  An item may already be a :class:`DomainError`
    (a row that could not be read).  Two items with one invoice number for one buyer: the
    first is attached, the second refused.
    """
    _check_batch_size(shipments)
    outcomes = _attach_set(session, principal=principal, shipments=shipments, channel=channel,
                           today=today, riders=riders)
    if progress is not None:
        progress(len(shipments), len(shipments))
    return outcomes


def attach_upload(session: Session, *, principal: Principal, org_id: int, filename: str,
                  data: bytes, today: date, channel: str = "upload",
                  progress: Callable[[int, int], None] | None = None,
                riders: pg_repository.Riders | None = None) -> list[Outcome]:
    """Attach every readable row of a CSV/XLSX file; an unreadable row is its own outcome
    (``malformed_row``) and writes nothing.  Outcome ``index`` 0 is the file's row 2.
    """
    items: list[Shipment | DomainError] = []
    for row in upload.read_rows(filename, data):
        try:
            items.append(upload.shipment_of(row, org_id=org_id))
        except DomainError as exc:
            items.append(exc)
    return attach_many(session, principal=principal, shipments=items, channel=channel,
                       today=today, progress=progress)


# --- corrections and cancellations -------------------------------------------------------


def _end(session: Session, *, principal: Principal, row: Declaration, status: str,
         reason: str) -> None:
    if row.status != STATUS_ACTIVE:
        raise Conflict(f"declaration {row.id} is {row.status}", code="declaration_not_active")
    if row.limit_id is not None:
        repository.release(session, limit_id=row.limit_id,
                           amount_minor=row.covered_minor - row.collected_minor)
    row.status = status
    row.ended_at = utc_now()
    row.ended_by = principal.actor
    row.end_reason = reason
    session.flush()


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text or len(text) > 1000:
        raise ValidationFailed("a reason of 1 to 1000 characters is required",
                               code="invalid_reason", field="reason")
    return text


def correct(session: Session, *, principal: Principal, declaration_id: int,
            shipment: Shipment, reason: str, today: date, channel: str = "api"
            ) -> Declaration:
    """Replace a declaration by a corrected one (a new row); the old is kept, ``corrected``.

    The corrected shipment is decided afresh (its cover may change); the old reservation
    is released first in the same transaction.  The reservation rows of the old limit and
    of the limit the corrected shipment will take from are locked first, in limit id
    order, so that two corrections moving between the same two limits in opposite
    directions cannot deadlock.
    """
    principal.require(Permission.DECLARATION_WRITE)
    why = _reason(reason)
    old = _declaration(session, principal, declaration_id, lock=True)
    if shipment.insured_org_id != old.exporter_org_id or shipment.policy_id != old.policy_id:
        raise ValidationFailed("a correction keeps the declaration's policy",
                               code="correction_changes_policy", field="policy_id")
    if old.collected_minor:
        raise Conflict("collections were recorded on this declaration",
                       code="declaration_has_collections")
    new_limits = repository.limit_ids(session, org_id=old.exporter_org_id,
                                      policy_id=shipment.policy_id, buyer_id=shipment.buyer_id)
    repository.lock(session, {*new_limits, *([old.limit_id] if old.limit_id else [])})
    _end(session, principal=principal, row=old, status=STATUS_CORRECTED, reason=why)
    return attach(session, principal=principal, shipment=shipment, channel=channel, today=today,
                  supersedes=old)


def cancel(session: Session, *, principal: Principal, declaration_id: int, reason: str
           ) -> Declaration:
    """Cancel a declaration (kept, marked ``cancelled``); its reservation is released."""
    principal.require(Permission.DECLARATION_WRITE)
    why = _reason(reason)
    row = _declaration(session, principal, declaration_id, lock=True)
    if row.collected_minor:
        raise Conflict("collections were recorded on this declaration",
                       code="declaration_has_collections")
    before = snapshot(row)
    _end(session, principal=principal, row=row, status=STATUS_CANCELLED, reason=why)
    audit.record(session, org_id=row.exporter_org_id, actor=principal.actor,
                 action="declaration.cancelled", entity_type="declaration", entity_id=row.id,
                 reason=why, before=before, after=snapshot(row), chain=audit_chain_of(row))
    return row


# --- reading -----------------------------------------------------------------------------


def get_declaration(session: Session, *, principal: Principal, declaration_id: int
                    ) -> Declaration:
    """One declaration the caller may see (another exporter's: 404)."""
    principal.require(Permission.DECLARATION_READ)
    return _declaration(session, principal, declaration_id)


def history(session: Session, *, principal: Principal, declaration_id: int
            ) -> list[Declaration]:
    """Every version of a declaration, oldest first (corrections chain by ``supersedes``)."""
    row = get_declaration(session, principal=principal, declaration_id=declaration_id)
    chain = [row]
    while chain[0].supersedes_id is not None:
        previous = session.get(Declaration, chain[0].supersedes_id)
        if previous is None:  # pragma: no cover
            break
        chain.insert(0, previous)
    while True:
        following = session.execute(select(Declaration).where(
            Declaration.supersedes_id == chain[-1].id)).scalar_one_or_none()
        if following is None:
            break
        chain.append(following)
    return chain


def list_declarations(
    session: Session, *, principal: Principal, policy_id: int | None = None,
    buyer_id: int | None = None, shipped_from: date | None = None,
    shipped_to: date | None = None, cover_status: CoverStatus | None = None,
    status: str | None = None, limit: int = 50, offset: int = 0,
) -> tuple[list[Declaration], int]:
    """Declarations the caller may see, newest first, with the total matching."""
    principal.require(Permission.DECLARATION_READ)
    query = select(Declaration)
    if not principal.is_insurer:
        query = query.where(Declaration.exporter_org_id == principal.org_id)
    if policy_id is not None:
        query = query.where(Declaration.policy_id == policy_id)
    if buyer_id is not None:
        query = query.where(Declaration.buyer_id == buyer_id)
    if shipped_from is not None:
        query = query.where(Declaration.shipment_date >= shipped_from)
    if shipped_to is not None:
        query = query.where(Declaration.shipment_date <= shipped_to)
    if cover_status is not None:
        query = query.where(Declaration.cover_status == cover_status.value)
    if status is not None:
        query = query.where(Declaration.status == status)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(Declaration.id.desc()).limit(limit).offset(offset)
                           ).scalars().all()
    return list(rows), int(total)


# --- deadlines, whole turnover and the renewal review ------------------------------------


@dataclass(frozen=True, slots=True)
class PeriodStatus:
    """One declaration period of a policy: what was declared for it and how much late."""

    period: DeclarationPeriod
    declared: int
    late: int
    declared_amount: Money


@dataclass(frozen=True, slots=True)
class DeclarationStatus:
    """What is due on a policy by its frequency, what was declared, and the whole-turnover
    share (declared over returned turnover).
    """

    policy_id: int
    frequency: str
    periods: list[PeriodStatus]
    declared: int
    on_time: int
    late: int
    compliance_rate: Decimal
    declared_amount: Money
    turnover: Money
    declared_share_of_turnover: Decimal
    whole_turnover: WholeTurnoverReview


def _active_in(session: Session, policy_id: int, start: date, end: date
               ) -> list[tuple[date, bool, int]]:
    return [(r[0], bool(r[1]), int(r[2])) for r in session.execute(
        select(Declaration.shipment_date, Declaration.late, Declaration.invoice_minor)
        .where(Declaration.policy_id == policy_id, Declaration.status == STATUS_ACTIVE,
               Declaration.shipment_date >= start, Declaration.shipment_date <= end))]


def status_of_policy(session: Session, policy: Policy, *, start: date, end: date
                     ) -> DeclarationStatus:
    """The declaration status of ``policy`` for shipments of ``start``..``end``."""
    facts = policy_facts(policy)
    currency = policy.currency
    rows = _active_in(session, policy.id, start, end)
    periods: list[PeriodStatus] = []
    for period in periods_due_between(frequency=facts.frequency, start=start,
                                      end=max(end, start)):
        inside = [r for r in rows if period.start <= r[0] <= period.end]
        periods.append(PeriodStatus(
            period=period, declared=len(inside), late=sum(1 for r in inside if r[1]),
            declared_amount=Money.from_minor(sum(r[2] for r in inside), currency)))
    late = sum(1 for r in rows if r[1])
    declared_amount = Money.from_minor(sum(r[2] for r in rows), currency)
    # whole turnover: each month's return against that month's declarations only
    review = turnover_review(session, policy, start=start, end=end,
                             declared=[(r[0], r[2]) for r in rows])
    return DeclarationStatus(
        policy_id=policy.id, frequency=facts.frequency.value, periods=periods,
        declared=len(rows), on_time=len(rows) - late, late=late,
        compliance_rate=compliance_rate(on_time=len(rows) - late, due=len(rows)),
        declared_amount=declared_amount, turnover=review.turnover,
        declared_share_of_turnover=review.declared_share, whole_turnover=review)


def declaration_status(session: Session, *, principal: Principal, policy_id: int,
                       start: date | None = None, end: date | None = None,
                       today: date) -> DeclarationStatus:
    """What is due on the policy from inception (or ``start``) to ``end`` (default today)."""
    principal.require(Permission.DECLARATION_READ)
    policy = _policy(session, principal, policy_id)
    start = start or policy.inception
    end = end or min(today, policy.expiry)
    if end < start:
        raise ValidationFailed("the end of the range is before its start",
                               code="invalid_range", field="end")
    return status_of_policy(session, policy, start=start, end=end)


def submit_turnover_return(session: Session, *, principal: Principal, policy_id: int,
                           month: date, amount: Money) -> TurnoverReturn:
    """Record (or replace) the exporter's insurable turnover of ``month`` under a policy."""
    principal.require(Permission.DECLARATION_WRITE)
    policy = _policy(session, principal, policy_id)
    check_currency(amount.currency)
    if amount.currency != policy.currency:
        raise ValidationFailed(f"the policy is in {policy.currency}", code="currency_mismatch",
                               field="currency")
    if amount.amount < 0:
        raise ValidationFailed("the turnover cannot be negative", code="negative_turnover",
                               field="amount")
    first = month.replace(day=1)
    if not policy.inception.replace(day=1) <= first <= policy.expiry:
        raise ValidationFailed("the month is outside the policy period",
                               code="month_outside_policy_period", field="month")
    row = session.execute(select(TurnoverReturn).where(
        TurnoverReturn.policy_id == policy.id, TurnoverReturn.month == first)
        .with_for_update()).scalar_one_or_none()
    before = None
    if row is None:
        row = TurnoverReturn(policy_id=policy.id, exporter_org_id=policy.exporter_org_id,
                             month=first, currency=policy.currency, amount_minor=0,
                             submitted_at=utc_now(), submitted_by=principal.actor)
        session.add(row)
    else:
        before = {"month": first.isoformat(), "amount_minor": row.amount_minor}
    row.amount_minor = amount.rounded().minor_units()
    row.submitted_at = utc_now()
    row.submitted_by = principal.actor
    session.flush()
    audit.record(session, org_id=policy.exporter_org_id, actor=principal.actor,
                 action="turnover_return.submitted", entity_type="policy", entity_id=policy.id,
                 before=before,
                 after={"month": first.isoformat(), "amount_minor": row.amount_minor})
    return row


def _share(numerator: int, denominator: int) -> Decimal:
    """``numerator / denominator`` as a fraction rounded half-up to 4 decimals (0 if none)."""
    if denominator <= 0:
        return Decimal(0)
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"),
                                                                rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class DeclarationReviewMetrics:
    """A :class:`~tradecover.policies.review.ReviewMetricsSource` over one policy's book,
    read in the CALLER's session: the renewal offer's own transaction (a second one would
    wait on the write lock the offer holds on SQLite).

    For declarations shipped in ``start``..``end``: ``compliance_rate`` (on time /
    declared), ``declared_share_of_turnover`` (declared / the turnover returned for those
    months; the schedule's expected turnover pro rata when none was returned),
    ``declared_amount``, ``premium_earned``, ``outstanding_liability`` (covered less
    collected) and ``possible_loss_rate`` (invoices under an open notice of possible loss /
    declared).  Claims paid in the period give ``claims_paid`` and ``loss_ratio`` (paid /
    premium earned); the policy's active limits give ``limit_utilisation`` (outstanding /
    limits) and ``largest_buyer_share``; its decided limit applications
    ``limit_approval_rate`` (approved / requested).  The API binds it to each request:
    ``app.state.review_metrics_source = DeclarationReviewMetrics``.
    """

    session: Session

    def metrics(self, *, policy_id: int, start: date, end: date) -> ReviewMetrics:
        """The review metrics of one policy over ``start``..``end``."""
        session = self.session
        policy = session.get(Policy, policy_id)
        if policy is None:
            return ReviewMetrics()
        currency = policy.currency
        status = status_of_policy(session, policy, start=start, end=end)
        in_period = (Declaration.policy_id == policy_id, Declaration.status == STATUS_ACTIVE,
                     Declaration.shipment_date >= start, Declaration.shipment_date <= end)
        premium, outstanding = (int(v) for v in session.execute(
            select(func.coalesce(func.sum(Declaration.premium_minor), 0),
                   func.coalesce(func.sum(Declaration.covered_minor
                                          - Declaration.collected_minor), 0))
            .where(*in_period)).one())
        declared = status.declared_amount.minor_units()
        review = status.whole_turnover
        share = review.declared_share
        if review.turnover.amount == 0:  # nothing returned: the expected turnover pro rata
            days = (end - start).days + 1
            share = _share(declared, policy.expected_turnover_minor * max(0, days) // 365)
        noticed = int(session.execute(
            select(func.coalesce(func.sum(Declaration.invoice_minor), 0))
            .join(PossibleLossNotice, PossibleLossNotice.declaration_id == Declaration.id)
            .where(*in_period, PossibleLossNotice.status == "open")).scalar_one())
        paid = int(session.execute(
            select(func.sum(ClaimRow.paid_minor))
            .where(ClaimRow.policy_id == policy_id, ClaimRow.currency == currency,
                   ClaimRow.paid_on >= start, ClaimRow.paid_on <= end)).scalar_one() or 0)
        limits = [int(v) for v in session.execute(
            select(CreditLimit.amount_minor).where(
                CreditLimit.policy_id == policy_id, CreditLimit.status == "active",
                CreditLimit.currency == currency)).scalars()]
        requested, approved = (int(v) for v in session.execute(
            select(func.coalesce(func.sum(LimitApplication.amount_minor), 0),
                   func.coalesce(func.sum(LimitApplication.approved_minor), 0))
            .where(LimitApplication.policy_id == policy_id,
                   LimitApplication.status == "decided",
                   LimitApplication.currency == currency)).one())

        def amount(minor: int) -> Decimal:
            return Money.from_minor(minor, currency).amount

        return ReviewMetrics(
            compliance_rate=status.compliance_rate,
            declared_share_of_turnover=share,
            largest_buyer_share=_share(max(limits, default=0), sum(limits)),
            limit_approval_rate=_share(approved, requested),
            limit_utilisation=_share(outstanding, sum(limits)),
            possible_loss_rate=_share(noticed, declared),
            outstanding_liability=amount(outstanding),
            loss_ratio=_share(paid, premium),
            declared_amount=status.declared_amount.amount,
            premium_earned=amount(premium),
            claims_paid=amount(paid),
            undeclared_turnover=amount(review.undeclared.minor_units()),
            min_declared_share=review.min_declared_share,
            whole_turnover_under_review=policy.whole_turnover
            and share < review.min_declared_share,
            turnover_months_flagged=len(review.flagged_months),
            turnover_returns_missing=len(review.missing_returns(end)))

"""THE attachment ([domain D-1], [domain D-9]): the one shell every channel calls (the ERP
API, single and batch, uploads, the web form, the command line and the feeds).

:func:`attach_batch` checks a set of shipments (a bad one is its own refusal and writes
nothing), reads their facts and locks their limits through the store
(:class:`~tradecover.declarations.attachment.repository.AttachmentStore`), decides cover in
Python with :func:`tradecover.declarations.cover.decide_cover` on what is outstanding on
each limit, prices each declaration through the one pricing interface
(:func:`rate_source_for`), and has the store write the declarations, the new outstanding
amounts, the audit entries on the buyers' chains and, for a request with an
``Idempotency-Key``, its answer, in the caller's transaction (services never commit; the
edge may ask the store to commit with its last round trip).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from tradecover import audit
from tradecover.access import Permission, Principal
from tradecover.billing import FlatRatePricer, RateSource, declaration_premium
from tradecover.declarations.attachment.record import DeclarationRecord, declaration_events
from tradecover.declarations.attachment.repository import (
    AttachmentStore,
    Finished,
    KeyedRequest,
)
from tradecover.declarations.cover import (
    CoverDecision,
    CoverReason,
    CoverStatus,
    LimitFacts,
    LimitStatus,
    decide_cover,
)
from tradecover.declarations.deadlines import declaration_timing
from tradecover.declarations.facts import (
    AttachmentFacts,
    BuyerRow,
    LimitRow,
    LimitVersionRow,
    PolicyRow,
)
from tradecover.declarations.model import STATUS_ACTIVE, Declaration, declaration_values
from tradecover.declarations.shipment import Shipment, normalised, shipment_problems
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, DomainError, NotFound, ValidationFailed
from tradecover.kit.money import Money
from tradecover.limits import RequestType
from tradecover.policies import domestic_foreign_buyer, rate_floating_from_dict
from tradecover.pricing import (
    ExporterExperience,
    PolicyRatePricer,
    RateBook,
    RateQuote,
    ShortTermRateRequest,
    policy_rate_pricer,
    rate_book_for,
)

CHANNELS = ("api", "erp", "upload", "web", "cli", "einvoice", "customs")
"""Where a declaration came from (``erp``: the ERP API with an Idempotency-Key)."""

MAX_BATCH = 1000
"""Most declarations accepted in one batch request or upload."""

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Outcome:
    """One item of a batch: the declaration, or the problem that refused it."""

    index: int
    declaration: DeclarationRecord | None = None
    error: DomainError | None = None


Answer = Callable[[Sequence[Outcome]], bytes]
"""The JSON answer of a keyed request for its outcomes (stored with its key)."""


def rate_source_for(policy: PolicyRow, book: RateBook) -> RateSource:
    """THE rate source of a policy's declarations ([002] 4, [domain D-9]).

    The schedule's agreed flat rate where it has that option; else the rate table of the
    policy in ``book`` (the process's tables and country classes, as fresh as the facts)
    with the policy's floating adjustments.  Resolved once per policy of a set, before
    any decision (the decisions themselves do no I/O).
    """
    if policy.flat_rate_option and policy.flat_rate_pct is not None:
        return FlatRatePricer(
            base_rate_pct=policy.flat_rate_pct,
            rate_table="flat_rate",
            effective_from=policy.inception,
        )
    floating = rate_floating_from_dict(policy.rate_floating)
    record = floating.experience
    return policy_rate_pricer(
        book,
        table_code=policy.rate_table,
        concentration_hhi=floating.concentration_hhi,
        experience=None
        if record is None
        else ExporterExperience(
            years=record.years,
            earned_premium=record.earned_premium,
            incurred_claims=record.incurred_claims,
            exposure=record.exposure,
        ),
    )


def attach_batch(
    store: AttachmentStore,
    session: Session,
    *,
    principal: Principal,
    shipments: Sequence[Shipment | DomainError],
    channel: str,
    today: date,
    supersedes: Declaration | None = None,
    supersede_each: Sequence[Declaration] | None = None,
    keyed: KeyedRequest | None = None,
    answer: Answer | None = None,
    commit: bool = False,
) -> list[Outcome]:
    """Attach up to :data:`MAX_BATCH` shipments (``today``: the business date declared on):
    a refused item writes nothing, the others go on; the outcomes come back in the order
    given.  An item may already be a :class:`DomainError` (a row that could not be read).
    Two items with one invoice number for one buyer: the first is attached, the second
    refused.  ``keyed`` (with ``answer``) holds an ``Idempotency-Key`` and stores the answer
    with the writes; ``commit`` asks the store to commit after them (the edge's choice).
    ``supersedes`` is the declaration every item corrects, ``supersede_each`` the one each
    item corrects (a set of corrections, in the order of ``shipments``).
    """
    if len(shipments) > MAX_BATCH:
        raise ValidationFailed(
            f"at most {MAX_BATCH} declarations at a time",
            code="batch_too_large",
            field="declarations",
        )
    principal.require(Permission.DECLARATION_WRITE)
    if channel not in CHANNELS:
        raise ValidationFailed(
            f"unknown channel {channel!r}", code="invalid_channel", field="channel"
        )
    outcomes = {
        index: Outcome(index, error=item)
        for index, item in enumerate(shipments)
        if isinstance(item, DomainError)
    }
    wanted = [(i, s) for i, s in enumerate(shipments) if isinstance(s, Shipment)]
    if not wanted and keyed is None:
        return _in_order(outcomes, len(shipments))
    now = utc_now()
    org_id = _one_exporter([s for _i, s in wanted]) if wanted else principal.org_id
    facts = store.load(
        session, org_id=org_id, shipments=[s for _i, s in wanted], now=now, keyed=keyed
    )
    items = _items(facts, principal, wanted, today, outcomes)
    if not items and keyed is None:
        return _in_order(outcomes, len(shipments))
    moved: dict[int, tuple[int, int, int]] = {}
    values: list[dict[str, Any]] = []

    def _old(index: int) -> Declaration | None:
        return supersede_each[index] if supersede_each is not None else supersedes

    if items:
        book = rate_book_for(session.connection(), facts.pricing_stamp)
        sources = {policy_id: rate_source_for(p, book) for policy_id, p in facts.policies.items()}
        moved = _decide_all(items, dict(facts.outstanding), today)
        values = [
            _values_of(
                item,
                source=sources[item.policy.id],
                principal=principal,
                channel=channel,
                today=today,
                supersedes=_old(item.index),
                declared_at=now,
            )
            for item in items
        ]
    done: list[Outcome] = []

    def finish(records: list[DeclarationRecord]) -> Finished:
        for item, record in zip(items, records, strict=True):
            outcomes[item.index] = Outcome(item.index, declaration=record)
        done.extend(_in_order(outcomes, len(shipments)))
        if supersede_each is None:
            return Finished(
                audit_entries(principal, records, supersedes),
                answer(done).decode() if answer is not None else None,
                declaration_events(records, corrects=supersedes.id if supersedes else None),
            )
        olds = [supersede_each[item.index] for item in items]
        return Finished(
            [
                entry
                for record, old in zip(records, olds, strict=True)
                for entry in audit_entries(principal, [record], old)
            ],
            answer(done).decode() if answer is not None else None,
            [
                event
                for record, old in zip(records, olds, strict=True)
                for event in declaration_events([record], corrects=old.id)
            ],
        )

    store.write(
        session,
        facts=facts,
        org_id=org_id,
        values=values,
        moved=moved,
        now=now,
        finish=finish,
        keyed=keyed,
        commit=commit,
    )
    return done


def audit_entries(
    principal: Principal, rows: Sequence[DeclarationRecord], supersedes: Declaration | None = None
) -> list[tuple[int, audit.Pending]]:
    """The ``declaration.attached`` (or ``.corrected``) entries of ``rows``, each on its
    buyer's chain, for the store to append.
    """
    return [
        (
            audit.chain_for(row.buyer_id),
            audit.Pending(
                org_id=row.exporter_org_id,
                actor=principal.actor,
                action="declaration.corrected" if supersedes else "declaration.attached",
                entity_type="declaration",
                entity_id=str(row.id),
                before=snapshot(supersedes) if supersedes else None,
                after=snapshot(row),
            ),
        )
        for row in rows
    ]


def problem_list(problems: Sequence[DomainError]) -> list[dict[str, Any]]:
    """The problems of a refused shipment as its refusal's details list them."""
    return [{"code": p.code, "field": p.field, "message": p.message} for p in problems]


def snapshot(row: Declaration | DeclarationRecord) -> dict[str, Any]:
    """The audited view of a declaration."""
    v = declaration_values(row)
    return {
        "id": v["id"],
        "status": v["status"],
        "policy_id": v["policy_id"],
        "buyer_id": v["buyer_id"],
        "invoice_number": v["invoice_number"],
        "shipment_date": v["shipment_date"].isoformat(),
        "currency": v["currency"],
        "invoice_minor": v["invoice_minor"],
        "prepayment_minor": v["prepayment_minor"],
        "covered_minor": v["covered_minor"],
        "uninsured_minor": v["uninsured_minor"],
        "cover_status": v["cover_status"],
        "reason_code": v["reason_code"],
        "rate": str(v["rate"]),
        "premium_minor": v["premium_minor"],
        "late": v["late"],
        "limit_id": v["limit_id"],
        "limit_version_id": v["limit_version_id"],
        "supersedes_id": v["supersedes_id"],
        "channel": v["channel"],
    }


def audit_chain_of(row: Declaration | DeclarationRecord) -> int:
    """The audit chain of a declaration's entries: sharded by its buyer (known before any
    fact is read, so the chain head can be locked with them), so that declarations on
    different buyers append to different chains.
    """
    return audit.chain_for(row.buyer_id)


# --- checks and decisions: no I/O --------------------------------------------------------


@dataclass(slots=True)
class _Item:
    """One checked shipment on its way through the attachment."""

    index: int
    shipment: Shipment
    policy: PolicyRow
    buyer: BuyerRow
    limit: LimitRow | None
    version: LimitVersionRow | None
    decision: CoverDecision | None = None  # final, or None while it waits for the limit


def _in_order(outcomes: dict[int, Outcome], size: int) -> list[Outcome]:
    return [outcomes[i] for i in range(size)]


def _one_exporter(shipments: Sequence[Shipment]) -> int:
    org_ids = {s.insured_org_id for s in shipments}
    if len(org_ids) != 1:  # every channel declares for one exporter at a time
        raise ValidationFailed("shipments of one exporter at a time", code="mixed_exporters")
    return next(iter(org_ids))


def _items(
    facts: AttachmentFacts,
    principal: Principal,
    wanted: Sequence[tuple[int, Shipment]],
    today: date,
    outcomes: dict[int, Outcome],
) -> list[_Item]:
    """The checked shipments of a set with their policy, buyer and limit facts; each refused
    one gets its outcome instead (a second item with one invoice for one buyer included).
    """
    items: list[_Item] = []
    seen: set[tuple[int, str]] = set()
    for index, shipment in wanted:
        checked = _check(facts, principal, shipment, today)
        if isinstance(checked, DomainError):
            outcomes[index] = Outcome(index, error=checked)
            continue
        key = (checked.buyer_id, checked.invoice_number.strip())
        if key in seen:
            outcomes[index] = Outcome(
                index,
                error=Conflict(
                    f"invoice {checked.invoice_number} is declared twice for this buyer in "
                    "this batch",
                    code="duplicate_invoice_number",
                    field="invoice_number",
                ),
            )
            continue
        seen.add(key)
        limit = facts.limits.get((checked.policy_id, checked.buyer_id))
        items.append(
            _Item(
                index,
                checked,
                facts.policies[checked.policy_id],
                facts.buyers[checked.buyer_id],
                limit,
                limit.version_on(checked.shipment_date) if limit else None,
            )
        )
    return items


def _check(
    facts: AttachmentFacts, principal: Principal, shipment: Shipment, today: date
) -> Shipment | DomainError:
    """Ownership and every input rule of one shipment: the checked shipment or its problem
    (a buyer abroad under a domestic policy: ``domestic_buyer_foreign``, [domain DT-1]).
    """
    policy = facts.policies.get(shipment.policy_id)
    if (
        policy is None
        or not principal.can_see_org(shipment.insured_org_id)
        or not principal.can_see_org(policy.exporter_org_id)
        or policy.exporter_org_id != shipment.insured_org_id
    ):
        return NotFound(
            f"no policy {shipment.policy_id}", code="policy_not_found", field="policy_id"
        )
    buyer = facts.buyers.get(shipment.buyer_id)
    if buyer is None or not buyer.known:
        return NotFound(f"no buyer {shipment.buyer_id}", code="buyer_not_found", field="buyer_id")
    shipment = replace(shipment, buyer_country=buyer.country)
    foreign = domestic_foreign_buyer(  # a domestic policy covers buyers at home [domain DT-1]
        policy.product, policy.cover.scope, buyer.country, field="buyer_id"
    )
    if foreign is not None:
        return foreign
    problems = shipment_problems(
        shipment,
        today=today,
        scope=policy.cover.scope,
        policy_period=(policy.inception, policy.expiry),
        policy_currency=policy.currency,
    )
    if problems:
        first = problems[0]
        return ValidationFailed(
            first.message,
            code=first.code,
            field=first.field,
            details={**first.details, "problems": problem_list(problems)},
        )
    shipment = normalised(shipment)
    duplicate = facts.duplicates.get((shipment.buyer_id, shipment.invoice_number.strip()))
    if duplicate is not None:
        return Conflict(
            f"invoice {shipment.invoice_number} is already declared for this buyer "
            f"(declaration {duplicate})",
            code="duplicate_invoice_number",
            field="invoice_number",
            details={"declaration_id": duplicate},
        )
    return shipment


def _limit_facts(version: LimitVersionRow) -> LimitFacts:
    return LimitFacts(
        amount=Money.from_minor(version.amount_minor, version.currency),
        status=(
            LimitStatus.CANCELLED
            if version.kind == RequestType.CANCELLATION.value
            else LimitStatus.ACTIVE
        ),
        effective_from=version.effective_from,
        expires_on=version.expires_on,
        indemnity_pct=version.indemnity_pct,
    )


def _decide(item: _Item, outstanding_minor: int, today: date) -> CoverDecision:
    """The cover decision of one item given what is outstanding on its limit."""
    shipment, version = item.shipment, item.version
    limit_facts = _limit_facts(version) if version is not None else None
    insured = shipment.insured_amount

    def decide(outstanding: int, facts_of_limit: LimitFacts | None) -> CoverDecision:
        return decide_cover(
            shipment=shipment,
            policy=item.policy.cover,
            limit=facts_of_limit,
            outstanding=Money.from_minor(outstanding, shipment.currency),
            buyer_in_default=item.buyer.frozen,
            country_status=item.buyer.country_status,
            declared_on=today,
        )

    if limit_facts is not None and limit_facts.amount.currency != shipment.currency:
        first = decide(0, None)
        if first.reason_code is not CoverReason.NO_LIMIT:
            return first
        return CoverDecision(
            CoverStatus.NOT_COVERED,
            insured,
            Money.zero(insured.currency),
            insured,
            CoverReason.LIMIT_CONDITIONS_NOT_MET,
            f"the credit limit is in {limit_facts.amount.currency}, the "
            f"shipment in {shipment.currency}",
        )
    return decide(outstanding_minor, limit_facts)


def _decide_all(
    items: Sequence[_Item], outstanding: dict[int, int], today: date
) -> dict[int, tuple[int, int, int]]:
    """Decide every item in the given order on what is outstanding on its limit (the rows
    are locked by the store), each taking from what the ones before it left; returns the
    moved reservations: limit id -> (outstanding, taken in all, cap).

    The cap written is the largest amount of the limit versions the items were decided on,
    so the CHECK ``outstanding_minor <= cap_minor`` holds whatever their shipment dates.
    """
    moved: dict[int, tuple[int, int, int]] = {}
    for item in items:
        limit, version = item.limit, item.version
        before = outstanding.get(limit.id, 0) if limit is not None else 0
        item.decision = decision = _decide(item, before, today)
        if (
            limit is None
            or version is None
            or not decision.covered
            or decision.reason_code is CoverReason.FULLY_PREPAID
        ):
            continue
        taken = decision.covered_amount.minor_units()
        if taken:
            _after, so_far, cap = moved.get(limit.id, (0, 0, 0))
            outstanding[limit.id] = before + taken
            moved[limit.id] = (before + taken, so_far + taken, max(cap, version.amount_minor))
    return moved


def _explained(source: RateSource, quote: RateQuote) -> dict[str, Any]:
    """The stored JSON form of a quote's explanation (a risk-based pricer remembers its
    quotes and makes their JSON forms once).
    """
    if isinstance(source, PolicyRatePricer):
        return source.explanation_json(quote)
    return quote.explanation.to_dict()


def _values_of(
    item: _Item,
    *,
    source: RateSource,
    principal: Principal,
    channel: str,
    today: date,
    supersedes: Declaration | None,
    declared_at: datetime,
) -> dict[str, Any]:
    """The column values of the declaration of a decided item (premium priced here)."""
    shipment, policy, decision = item.shipment, item.policy, item.decision
    assert decision is not None
    timing = declaration_timing(
        frequency=policy.cover.frequency,
        shipment_date=shipment.shipment_date,
        declared_on=today,
        rules=policy.cover.deadline_rules,
    )
    version = item.version
    indemnity = (
        version.indemnity_pct
        if version is not None and version.indemnity_pct is not None
        else policy.indemnity_commercial_pct
    )
    priced = declaration_premium(
        decision=decision,
        source=source,
        request=ShortTermRateRequest(
            payment_terms=shipment.payment_terms,
            credit_days=shipment.credit_days,
            indemnity_percentage=indemnity / HUNDRED,
            country=shipment.buyer_country,
            buyer_pd=item.buyer.pd,
        ),
    )
    return {
        "exporter_org_id": shipment.insured_org_id,
        "policy_id": policy.id,
        "buyer_id": shipment.buyer_id,
        "buyer_country": shipment.buyer_country,
        "limit_id": item.limit.id if item.limit is not None else None,
        "limit_version_id": version.id if version is not None else None,
        "invoice_number": shipment.invoice_number.strip(),
        "shipment_date": shipment.shipment_date,
        "due_date": shipment.due_date,
        "credit_days": shipment.credit_days,
        "payment_terms": shipment.payment_terms.value,
        "transport_mode": shipment.transport_mode.value,
        "hs_code": shipment.hs_code,
        "goods_description": shipment.goods_description.strip(),
        "currency": shipment.currency,
        "invoice_minor": shipment.invoice.minor_units(),
        "prepayment_minor": shipment.prepaid.minor_units(),
        "insured_minor": decision.insured_amount.minor_units(),
        "covered_minor": decision.covered_amount.minor_units(),
        "uninsured_minor": decision.uninsured_amount.minor_units(),
        "collected_minor": 0,
        "cover_status": decision.status.value,
        "reason_code": decision.reason_code.value,
        "cover_explanation": decision.explanation,
        "rate": priced.rate,
        "rate_explanation": _explained(source, priced.quote) if priced.quote else None,
        "premium_minor": priced.premium.minor_units(),
        "declaration_date": today,
        "declaration_due": timing.due,
        "late": timing.late,
        "days_late": timing.days_late,
        "status": STATUS_ACTIVE,
        "supersedes_id": supersedes.id if supersedes else None,
        "channel": channel,
        "declared_at": declared_at,
        "declared_by": principal.actor,
        "ended_at": None,
        "ended_by": None,
        "end_reason": None,
    }

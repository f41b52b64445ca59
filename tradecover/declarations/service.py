"""The attachment service ([rules §5], §6): every channel declares
shipments through here.

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
(:func:`declaration_status`) and monthly turnover returns (:func:`submit_turnover_return`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tradecover.access.principal import Principal
from tradecover.access.roles import Permission
from tradecover.audit import service as audit
from tradecover.billing.premium import FlatRatePricer, RateSource, declaration_premium
from tradecover.declarations import pg_repository, repository, upload
from tradecover.declarations.amendment_repository import _end as _end
from tradecover.declarations.amendment_repository import _reason as _reason
from tradecover.declarations.amendment_repository import cancel as cancel
from tradecover.declarations.amendment_repository import get_declaration as get_declaration
from tradecover.declarations.amendment_repository import history as history
from tradecover.declarations.amendment_repository import list_declarations as list_declarations
from tradecover.declarations.cover import (
    CoverDecision,
    CoverReason,
    CoverStatus,
    LimitFacts,
    PolicyFacts,
    decide_cover,
)
from tradecover.declarations.deadlines import (
    declaration_timing,
)
from tradecover.declarations.facts import (
    AttachmentFacts,
    BuyerRow,
    LimitRow,
    LimitVersionRow,
)
from tradecover.declarations.facts_repository import _BUYERS as _BUYERS
from tradecover.declarations.facts_repository import _COUNTRY_STATUS as _COUNTRY_STATUS
from tradecover.declarations.facts_repository import _DUPLICATES as _DUPLICATES
from tradecover.declarations.facts_repository import _LIMITS as _LIMITS
from tradecover.declarations.facts_repository import _POLICIES as _POLICIES
from tradecover.declarations.facts_repository import _RATING_PD as _RATING_PD
from tradecover.declarations.facts_repository import _check as _check
from tradecover.declarations.facts_repository import _limit_facts as _limit_facts
from tradecover.declarations.facts_repository import _load_facts as _load_facts
from tradecover.declarations.facts_repository import _one_exporter as _one_exporter
from tradecover.declarations.loading_repository import _declaration as _declaration
from tradecover.declarations.loading_repository import _policy as _policy
from tradecover.declarations.loading_repository import _problem_list as _problem_list
from tradecover.declarations.loading_repository import audit_chain_of as audit_chain_of
from tradecover.declarations.loading_repository import policy_facts as policy_facts
from tradecover.declarations.loading_repository import snapshot as snapshot
from tradecover.declarations.model import (
    STATUS_ACTIVE,
    STATUS_CORRECTED,
    Declaration,
)
from tradecover.declarations.shipment import Shipment
from tradecover.declarations.status_repository import DeclarationStatus as DeclarationStatus
from tradecover.declarations.status_repository import PeriodStatus as PeriodStatus
from tradecover.declarations.status_repository import _active_in as _active_in
from tradecover.declarations.status_repository import declaration_status as declaration_status
from tradecover.declarations.status_repository import status_of_policy as status_of_policy
from tradecover.declarations.status_repository import (
    submit_turnover_return as submit_turnover_return,
)
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, DomainError, ValidationFailed
from tradecover.kit.money import Money
from tradecover.policies.model import Policy
from tradecover.policies.schedule import rate_floating_from_dict
from tradecover.pricing import rate_book_repository
from tradecover.pricing.shipment_rates import PolicyRatePricer, RateBook, policy_rate_pricer
from tradecover.pricing.short_term import ExporterExperience, RateQuote, ShortTermRateRequest

CHANNELS = ("api", "erp", "upload", "web", "cli", "einvoice", "customs")
"""Where a declaration came from (``erp``: the ERP API with an Idempotency-Key)."""

if TYPE_CHECKING:
    from psycopg import AsyncConnection

HUNDRED = Decimal(100)

MAX_BATCH = 1000
"""Most declarations accepted in one batch request or upload."""


# --- pricing: the one switch -------------------------------------------------------------


def rate_source_for(policy: Policy, book: RateBook) -> RateSource:
    """THE rate source of a policy's declarations ([002] 4, [rules §6]).

    The schedule's agreed flat rate where it has that option; else the rate table of the
    policy in ``book`` (the process's tables and country classes, as fresh as the facts)
    with the policy's floating adjustments.  Resolved once per policy of a set, before
    any decision (the decisions themselves do no I/O).
    """
    if policy.flat_rate_option and policy.flat_rate_pct is not None:
        return FlatRatePricer(base_rate_pct=policy.flat_rate_pct, rate_table="flat_rate",
                              effective_from=policy.inception)
    floating = rate_floating_from_dict(policy.rate_floating)
    record = floating.experience
    return policy_rate_pricer(
        book, table_code=policy.rate_table, concentration_hhi=floating.concentration_hhi,
        experience=None if record is None else ExporterExperience(
            years=record.years, earned_premium=record.earned_premium,
            incurred_claims=record.incurred_claims, exposure=record.exposure))


# --- attachment: facts loaded set-based, decided in Python -------------------------------


# the four statements of :func:`_load_facts`, built once (building SQL costs more CPU than
# running it on the hot path); parameters: org_id, policy_ids, buyer_ids, invoices








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


def _explained(source: RateSource, quote: RateQuote) -> dict[str, Any]:
    """The stored JSON form of a quote's explanation (a risk-based pricer remembers its
    quotes and makes their JSON forms once).
    """
    if isinstance(source, PolicyRatePricer):
        return source.explanation_json(quote)
    return quote.explanation.to_dict()


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
                                     indemnity_percentage=indemnity / HUNDRED,
                                     country=shipment.buyer_country,
                                     buyer_pd=item.buyer.pd))
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
        "rate_explanation": _explained(source, priced.quote) if priced.quote else None,
        "premium_minor": priced.premium.minor_units(), "declaration_date": today,
        "declaration_due": timing.due, "late": timing.late, "days_late": timing.days_late,
        "status": STATUS_ACTIVE, "supersedes_id": supersedes.id if supersedes else None,
        "channel": channel, "declared_at": declared_at, "declared_by": principal.actor,
        "ended_at": None, "ended_by": None, "end_reason": None}




def _check_channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise ValidationFailed(f"unknown channel {channel!r}", code="invalid_channel",
                               field="channel")
    return channel




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
    book = rate_book_repository.book_for(session.connection(), facts.pricing_stamp)
    sources = {policy_id: rate_source_for(p, book) for policy_id, p in facts.policies.items()}
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
    assert facts.pricing_stamp is not None
    book = await rate_book_repository.book_for_async(connection, facts.pricing_stamp)
    sources = {policy_id: rate_source_for(p, book) for policy_id, p in facts.policies.items()}
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

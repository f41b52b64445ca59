"""The facts of a set of shipments, read set-based, and each shipment's input checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.orm import Session

from tradecover.access.principal import Principal
from tradecover.buyers.model import Buyer, BuyerRating, ExporterBuyerRelationship
from tradecover.collections.model import NOTICE_OPEN, PossibleLossNotice
from tradecover.country_risk.model import CountryRiskVersion
from tradecover.declarations.cover import (
    CountryCoverStatus,
    LimitFacts,
    LimitStatus,
    PolicyFacts,
)
from tradecover.declarations.facts import (
    AttachmentFacts,
    BuyerRow,
    LimitVersionRow,
    pick_limits,
)
from tradecover.declarations.loading_repository import _problem_list
from tradecover.declarations.model import (
    STATUS_ACTIVE,
    Declaration,
)
from tradecover.declarations.shipment import Shipment, normalised, shipment_problems
from tradecover.kit.errors import Conflict, DomainError, NotFound, ValidationFailed
from tradecover.kit.money import Money
from tradecover.limits.decision import RequestType
from tradecover.limits.model import CreditLimit, CreditLimitVersion
from tradecover.policies.model import Policy
from tradecover.policies.service import schedule_of

_COUNTRY_STATUS = (select(CountryRiskVersion.cover_status)
                   .where(CountryRiskVersion.country == Buyer.country)
                   .order_by(CountryRiskVersion.id.desc()).limit(1).scalar_subquery())


_RATING_PD = (select(BuyerRating.pd).where(BuyerRating.buyer_id == Buyer.id)
              .order_by(BuyerRating.id.desc()).limit(1).scalar_subquery())


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
    _RATING_PD,
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


def _one_exporter(shipments: Sequence[Shipment]) -> int:
    org_ids = {s.insured_org_id for s in shipments}
    if len(org_ids) != 1:  # every channel declares for one exporter at a time
        raise ValidationFailed("shipments of one exporter at a time", code="mixed_exporters")
    return next(iter(org_ids))


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
                               country_status=CountryCoverStatus(r[4] or "open"),
                               pd=Decimal(r[5]) if r[5] is not None else None)
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

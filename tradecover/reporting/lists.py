"""Read models of the dashboard's lists: declarations, premium notices, credit limits,
claims, buyers and the audit log, each sorted, filtered, searched and keyset-paged by
the table kit, or read whole for an export (ADR 0035).

Each starts from the statement its own context scopes the caller by (the same as the
API's list: an exporter its own, a bank, co-insurer or programme also what the read under
way may see [domain CS-14], the insurer everything), checks the same permission, and names
the SQL column behind each sortable or filtering key of its table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from tradecover import consents
from tradecover.access import Permission, Principal
from tradecover.audit.model import AuditEntry
from tradecover.billing.model import PremiumNotice
from tradecover.billing.service import readable_notices
from tradecover.buyers.model import Buyer, ExporterBuyerRelationship
from tradecover.claims.model import ClaimRow
from tradecover.claims.scoping_repository import visible_claims
from tradecover.declarations.model import Declaration
from tradecover.kit.tables import Page, TableQuery
from tradecover.limits.model import CreditLimit
from tradecover.limits.repository import UtilisationRow, utilisation_rows, visible_limits
from tradecover.policies.model import Policy
from tradecover.reporting import tables
from tradecover.reporting.tables import like_pattern

E = TypeVar("E")


@dataclass(frozen=True, slots=True)
class ListModel(Generic[E]):
    """One list's read model: its scoped statement, permission, columns and search."""

    permission: Permission
    base: Callable[[Session, Principal], Select[E]]
    columns: Mapping[str, InstrumentedAttribute[Any]]
    id_column: InstrumentedAttribute[int]
    search: tables.Search | None = None

    def page(self, session: Session, principal: Principal, table: TableQuery) -> Page[E]:
        """One page of the list as ``principal`` may see it and ``table`` asks."""
        principal.require(self.permission)
        return tables.page(
            session,
            self.base(session, principal),
            table,
            columns=self.columns,
            id_column=self.id_column,
            search=self.search,
        )

    def export(self, session: Session, principal: Principal, table: TableQuery) -> Iterator[E]:
        """Every row of the filtered list, in its order, for an export (the rows are read
        as records, so the access log notes another organisation's [domain CS-8]).
        """
        principal.require(self.permission)
        return tables.export(
            session,
            self.base(session, principal),
            table,
            columns=self.columns,
            id_column=self.id_column,
            search=self.search,
        )


def _buyer_named(buyer_id: InstrumentedAttribute[int]) -> Callable[[str], ColumnElement[bool]]:
    """A search by the buyer's name or registration number."""

    def condition(text: str) -> ColumnElement[bool]:
        pattern = like_pattern(text)
        return buyer_id.in_(
            select(Buyer.id).where(
                or_(
                    func.lower(Buyer.legal_name).like(pattern, escape="\\"),
                    func.lower(Buyer.registration_number).like(pattern, escape="\\"),
                )
            )
        )

    return condition


def _or(*searches: Callable[[str], ColumnElement[bool]]) -> tables.Search:
    return lambda text: or_(*(s(text) for s in searches))


def _declarations(session: Session, principal: Principal) -> Select[Declaration]:
    query = select(Declaration)
    if principal.is_insurer:
        return query
    # its own, and a bank's consented exporters' in their windows [domain CS-14]
    return query.where(
        consents.visible(session, principal, Declaration.exporter_org_id, Declaration.shipment_date)
    )


D = Declaration
DECLARATIONS: ListModel[Declaration] = ListModel(
    permission=Permission.DECLARATION_READ,
    base=_declarations,
    columns={
        "id": D.id,
        "shipment_date": D.shipment_date,
        "due_date": D.due_date,
        "invoice_number": D.invoice_number,
        "invoice_amount": D.invoice_minor,
        "covered_amount": D.covered_minor,
        "premium": D.premium_minor,
        "currency": D.currency,
        "cover_status": D.cover_status,
        "status": D.status,
        "policy_id": D.policy_id,
        "buyer_id": D.buyer_id,
    },
    id_column=D.id,
    search=_or(tables.contains(D.invoice_number), _buyer_named(D.buyer_id)),
)
"""The declarations list (``/declarations``)."""


def _policy_numbered(policy_id: InstrumentedAttribute[int]) -> tables.Search:
    def condition(text: str) -> ColumnElement[bool]:
        pattern = like_pattern(text)
        return policy_id.in_(
            select(Policy.id).where(func.lower(Policy.number).like(pattern, escape="\\"))
        )

    return condition


N = PremiumNotice
NOTICES: ListModel[PremiumNotice] = ListModel(
    permission=Permission.BILLING_READ,
    base=lambda session, principal: readable_notices(principal, session),
    columns={
        "id": N.id,
        "month": N.month,
        "issue_date": N.issue_date,
        "due_date": N.due_date,
        "total": N.total_minor,
        "owed": N.exporter_owed_minor,
        "paid": N.exporter_paid_minor,
        "currency": N.currency,
        "policy_id": N.policy_id,
    },
    id_column=N.id,
    search=_policy_numbered(N.policy_id),
)
"""The premium notices list (``/billing``)."""

L = CreditLimit
LIMITS: ListModel[CreditLimit] = ListModel(
    permission=Permission.LIMIT_READ,
    base=lambda session, principal: visible_limits(principal, session),
    columns={
        "id": L.id,
        "amount": L.amount_minor,
        "currency": L.currency,
        "country": L.country,
        "status": L.status,
        "payment_terms": L.payment_terms,
        "credit_period_days": L.credit_period_days,
        "effective_from": L.effective_from,
        "policy_id": L.policy_id,
        "buyer_id": L.buyer_id,
    },
    id_column=L.id,
    search=_buyer_named(L.buyer_id),
)
"""The credit limits list (``/limits``)."""


def limit_usage(session: Session, limit_ids: list[int]) -> dict[int, UtilisationRow]:
    """The outstanding and available amounts of the active limits among ``limit_ids``
    (limits the caller has already read under its own scope), in one query.
    """
    if not limit_ids:
        return {}
    return {r.limit_id: r for r in utilisation_rows(session, limit_ids=limit_ids)}


C = ClaimRow
CLAIMS: ListModel[ClaimRow] = ListModel(
    permission=Permission.CLAIM_READ,
    base=lambda session, principal: visible_claims(principal),
    columns={
        "id": C.id,
        "filed_on": C.filed_on,
        "due_date": C.due_date,
        "loss": C.loss_minor,
        "indemnity": C.indemnity_minor,
        "currency": C.currency,
        "state": C.state,
        "cause": C.cause,
        "policy_id": C.policy_id,
        "buyer_id": C.buyer_id,
    },
    id_column=C.id,
    search=_buyer_named(C.buyer_id),
)
"""The claims list (``/claims``)."""


def _buyers(session: Session, principal: Principal) -> Select[Buyer]:
    query = select(Buyer).where(Buyer.merged_into_id.is_(None))
    if principal.is_insurer:
        return query
    return query.where(
        Buyer.id.in_(
            select(ExporterBuyerRelationship.buyer_id).where(
                ExporterBuyerRelationship.org_id == principal.org_id
            )
        )
    )


B = Buyer
BUYERS: ListModel[Buyer] = ListModel(
    permission=Permission.BUYER_READ,
    base=_buyers,
    columns={
        "id": B.id,
        "legal_name": B.legal_name,
        "country": B.country,
        "sector": B.sector,
        "kind": B.kind,
    },
    id_column=B.id,
    search=tables.contains(B.legal_name, B.registration_number, B.lei),
)
"""The buyer register (``/buyers``): an exporter its own buyers, the insurer every one."""


def _audit(session: Session, principal: Principal) -> Select[AuditEntry]:
    query = select(AuditEntry)
    if principal.is_insurer:
        return query
    return query.where(AuditEntry.org_id == principal.org_id)


A = AuditEntry
AUDIT: ListModel[AuditEntry] = ListModel(
    permission=Permission.AUDIT_READ,
    base=_audit,
    columns={
        "id": A.id,
        "occurred_at": A.occurred_at,
        "action": A.action,
        "entity_type": A.entity_type,
        "entity_id": A.entity_id,
        "actor": A.actor,
    },
    id_column=A.id,
    search=tables.contains(A.actor, A.action, A.entity_type, A.entity_id),
)
"""The audit log (``/audit``): an organisation its own chain, the insurer every chain."""

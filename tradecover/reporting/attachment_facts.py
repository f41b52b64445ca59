"""The facts an attachment reads (portable read model): policies, buyers, credit limits with
their versions and already-declared invoices of a set of shipments, read set-based across
the policies, buyers, limits, collections, country risk and declarations tables.

:func:`load_facts` is the portable query (any database: four statements whatever the
number of shipments); :mod:`tradecover.reporting.attachment_facts_pg` is the same read on
PostgreSQL inside the store's one pipelined round trip.  Both read every limit of a
(policy, buyer) pair and every version of a limit (no cut-off), and both build their values
with the helpers here, so that the two give the same facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, exists, or_, select

from tradecover.buyers.model import Buyer, BuyerRating, ExporterBuyerRelationship
from tradecover.collections.model import NOTICE_OPEN, PossibleLossNotice
from tradecover.country_risk.model import CountryRiskVersion
from tradecover.declarations.cover import CountryCoverStatus, PolicyFacts
from tradecover.declarations.facts import (
    AttachmentFacts,
    BuyerRow,
    LimitRow,
    LimitVersionRow,
    PolicyRow,
    pick_limits,
)
from tradecover.declarations.model import STATUS_ACTIVE, Declaration
from tradecover.declarations.shipment import Shipment
from tradecover.limits.model import CreditLimit, CreditLimitVersion
from tradecover.policies.liability import cancelled_from, standing_from
from tradecover.policies.lifecycle import PolicyState
from tradecover.policies.model import Policy
from tradecover.policies.schedule import DeclarationFrequency, InsurableScope
from tradecover.reference.payment_terms import PaymentTerms

POLICY_COLUMNS = (
    "id",
    "exporter_org_id",
    "currency",
    "inception",
    "expiry",
    "indemnity_commercial_pct",
    "flat_rate_option",
    "flat_rate_pct",
    "rate_table",
    "rate_floating",
    "state",
    "scope",
    "declaration_frequency",
    "termination",
    "suspensions",
    "product",
)
"""The policy columns an attachment reads, in the order both read models select them."""

_COUNTRY_STATUS = (
    select(CountryRiskVersion.cover_status)
    .where(CountryRiskVersion.country == Buyer.country)
    .order_by(CountryRiskVersion.id.desc())
    .limit(1)
    .scalar_subquery()
)

_RATING_PD = (
    select(BuyerRating.pd)
    .where(BuyerRating.buyer_id == Buyer.id)
    .order_by(BuyerRating.id.desc())
    .limit(1)
    .scalar_subquery()
)

_POLICIES = select(*(Policy.__table__.c[name] for name in POLICY_COLUMNS)).where(
    Policy.__table__.c.id.in_(bindparam("policy_ids", expanding=True))
)

_BUYERS = select(
    Buyer.id,
    Buyer.country,
    or_(
        exists().where(
            ExporterBuyerRelationship.org_id == bindparam("org_id"),
            ExporterBuyerRelationship.buyer_id == Buyer.id,
        ),
        exists().where(CreditLimit.org_id == bindparam("org_id"), CreditLimit.buyer_id == Buyer.id),
    ),
    exists().where(
        PossibleLossNotice.exporter_org_id == bindparam("org_id"),
        PossibleLossNotice.buyer_id == Buyer.id,
        PossibleLossNotice.status == NOTICE_OPEN,
    ),
    _COUNTRY_STATUS,
    _RATING_PD,
).where(Buyer.id.in_(bindparam("buyer_ids", expanding=True)))

_LIMITS = (
    select(
        CreditLimit.id,
        CreditLimit.policy_id,
        CreditLimit.buyer_id,
        CreditLimit.status,
        CreditLimitVersion.id,
        CreditLimitVersion.kind,
        CreditLimitVersion.currency,
        CreditLimitVersion.amount_minor,
        CreditLimitVersion.effective_from,
        CreditLimitVersion.expires_on,
        CreditLimitVersion.indemnity_pct,
        CreditLimitVersion.number,
    )
    .outerjoin(CreditLimitVersion, CreditLimitVersion.limit_id == CreditLimit.id)
    .where(
        CreditLimit.org_id == bindparam("org_id"),
        CreditLimit.policy_id.in_(bindparam("policy_ids", expanding=True)),
        CreditLimit.buyer_id.in_(bindparam("buyer_ids", expanding=True)),
    )
)

_DUPLICATES = select(Declaration.id, Declaration.buyer_id, Declaration.invoice_number).where(
    Declaration.exporter_org_id == bindparam("org_id"),
    Declaration.buyer_id.in_(bindparam("buyer_ids", expanding=True)),
    Declaration.invoice_number.in_(bindparam("invoices", expanding=True)),
    Declaration.status == STATUS_ACTIVE,
)


def load_facts(
    connection: Connection, *, org_id: int, shipments: Sequence[Shipment]
) -> AttachmentFacts:
    """The facts of ``shipments`` (all of exporter ``org_id``), in four statements; the
    limits of a shipment's (policy, buyer) pair are those the exporter holds, whatever
    their (policy, buyer) combination in the set.
    """
    params = {
        "org_id": org_id,
        "policy_ids": sorted({s.policy_id for s in shipments}),
        "buyer_ids": sorted({s.buyer_id for s in shipments}),
        "invoices": sorted({s.invoice_number.strip() for s in shipments}),
    }
    policies = {int(r[0]): policy_row(r) for r in connection.execute(_POLICIES, params)}
    buyers = {int(r[0]): buyer_row(r[1:]) for r in connection.execute(_BUYERS, params)}
    pairs = {(s.policy_id, s.buyer_id) for s in shipments}
    limits = limits_of(
        r for r in connection.execute(_LIMITS, params) if (int(r[1]), int(r[2])) in pairs
    )
    duplicates = {
        (int(r[1]), str(r[2])): int(r[0]) for r in connection.execute(_DUPLICATES, params)
    }
    return AttachmentFacts(policies, buyers, limits, duplicates)


def policy_row(values: Sequence[Any]) -> PolicyRow:
    """A policy's facts from its :data:`POLICY_COLUMNS` values (types applied)."""
    v = dict(zip(POLICY_COLUMNS, values, strict=True))
    termination = v["termination"] if isinstance(v["termination"], dict) else None
    pauses = v["suspensions"] if isinstance(v["suspensions"], list) else None
    standing = standing_from(
        state=v["state"],
        inception=v["inception"],
        expiry=v["expiry"],
        termination=termination,
        suspensions=pauses,
    )
    cover = PolicyFacts(
        state=PolicyState(v["state"]),
        inception=v["inception"],
        expiry=v["expiry"],
        scope=_scope(v["scope"] or {}),
        frequency=DeclarationFrequency(v["declaration_frequency"]),
        cancelled_from=cancelled_from(standing),
        suspensions=standing.suspensions,
    )
    return PolicyRow(
        id=int(v["id"]),
        exporter_org_id=int(v["exporter_org_id"]),
        currency=v["currency"],
        inception=v["inception"],
        expiry=v["expiry"],
        indemnity_commercial_pct=v["indemnity_commercial_pct"],
        flat_rate_option=bool(v["flat_rate_option"]),
        flat_rate_pct=v["flat_rate_pct"],
        rate_table=v["rate_table"],
        rate_floating=v["rate_floating"],
        cover=cover,
        product=v["product"],
    )


def _scope(data: Mapping[str, Any]) -> InsurableScope:
    """The insurable scope stored with a policy (as the policy's schedule reads it)."""
    return InsurableScope(
        destination_countries=tuple(data.get("destination_countries") or ()),
        excluded_countries=tuple(data.get("excluded_countries") or ()),
        payment_terms=tuple(PaymentTerms(t) for t in data.get("payment_terms") or ()),
        max_credit_days=int(data.get("max_credit_days", 180)),
        hs_chapters=tuple(data.get("hs_chapters") or ()),
    )


def buyer_row(r: Sequence[Any]) -> BuyerRow:
    """A buyer's facts from (country, known, frozen, country cover status, rating PD)."""
    return BuyerRow(
        country=r[0],
        known=bool(r[1]),
        frozen=bool(r[2]),
        country_status=CountryCoverStatus(r[3] or "open"),
        pd=Decimal(r[4]) if r[4] is not None else None,
    )


def limits_of(rows: Iterable[Sequence[Any]]) -> dict[tuple[int, int], LimitRow]:
    """The limits per (policy, buyer) from rows of (limit id, policy, buyer, status, then
    the version's id, kind, currency, amount, effective from, expires on, indemnity %,
    number, or NULLs): dates as dates or ISO text, the indemnity as a number or text.
    """
    versions: dict[int, list[LimitVersionRow]] = {}
    heads: dict[int, tuple[int, int, str]] = {}
    for r in rows:
        heads[int(r[0])] = (int(r[1]), int(r[2]), str(r[3]))
        bucket = versions.setdefault(int(r[0]), [])
        if r[4] is not None:
            bucket.append(
                LimitVersionRow(
                    int(r[4]),
                    r[5],
                    r[6],
                    int(r[7]),
                    _date(r[8]),
                    _date(r[9]) if r[9] is not None else None,
                    Decimal(r[10]) if r[10] is not None else None,
                    int(r[11]),
                )
            )
    return pick_limits(heads, versions)


def _date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def limit_ids_of_pair(
    connection: Connection, *, org_id: int, policy_id: int, buyer_id: int
) -> set[int]:
    """The ids of the exporter's limits on the buyer under the policy (whatever their
    state): those an attachment for that pair may take from (a correction locks them).
    """
    return {
        int(i)
        for i in connection.execute(
            select(CreditLimit.id).where(
                CreditLimit.org_id == org_id,
                CreditLimit.policy_id == policy_id,
                CreditLimit.buyer_id == buyer_id,
            )
        ).scalars()
    }


class PortableAttachmentFacts:
    """This read model as the portable attachment store takes it (a
    :class:`~tradecover.declarations.attachment.repository.FactsReader`).
    """

    def load_facts(
        self, connection: Connection, *, org_id: int, shipments: Sequence[Shipment]
    ) -> AttachmentFacts:
        """See :func:`load_facts`."""
        return load_facts(connection, org_id=org_id, shipments=shipments)

    def limit_ids_of_pair(
        self, connection: Connection, *, org_id: int, policy_id: int, buyer_id: int
    ) -> set[int]:
        """See :func:`limit_ids_of_pair`."""
        return limit_ids_of_pair(connection, org_id=org_id, policy_id=policy_id, buyer_id=buyer_id)

"""The facts an attachment reads, on PostgreSQL: the read model of
:mod:`tradecover.reporting.attachment_facts` as scalar subqueries of ONE statement (each a
JSON array: a statement costs the server and the driver more than the rows it returns), so
that the PostgreSQL attachment store sends them in its first pipelined round trip, next to
the locks it takes, and a policies statement.

Pairs are looked up by equality in LATERAL subqueries fenced with ``OFFSET 0`` (never
pulled up into a join): one index probe each, whatever the planner's statistics say (a
join planned on stale statistics scanned all of the exporter's declarations for every
batch).  Like the portable read model, every limit of a pair and every version of a limit
is read (no cut-off).  Parameters: ``org_id``, ``buyer_ids``, ``limit_policies`` /
``limit_buyers`` (the pairs), ``pair_buyers`` / ``pair_invoices``, ``policy_ids``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeDecorator

from tradecover.db.arrays import ints, texts
from tradecover.declarations.facts import AttachmentFacts, PolicyRow
from tradecover.declarations.shipment import Shipment
from tradecover.policies.model import Policy
from tradecover.pricing.rate_book_repository import STAMP_COLUMNS, stamp_of
from tradecover.reporting.attachment_facts import (
    POLICY_COLUMNS,
    PortableAttachmentFacts,
    buyer_row,
    limits_of,
    policy_row,
)

PAIR_LIMITS = """unnest(%(limit_policies)s::bigint[], %(limit_buyers)s::bigint[])
   AS w(policy_id, buyer_id)
  CROSS JOIN LATERAL (SELECT * FROM credit_limits l WHERE l.org_id = %(org_id)s
   AND l.buyer_id = w.buyer_id AND l.policy_id = w.policy_id OFFSET 0) AS l"""
"""The exporter's limits of the shipments' (policy, buyer) pairs, as a FROM clause (the
PostgreSQL store locks their reservation rows from it too)."""

FACT_COLUMNS = (
    """SELECT json_agg(json_build_array(b.id, b.country,
    EXISTS (SELECT 1 FROM exporter_buyer_relationships r
             WHERE r.org_id = %(org_id)s AND r.buyer_id = b.id)
    OR EXISTS (SELECT 1 FROM credit_limits l WHERE l.org_id = %(org_id)s AND l.buyer_id = b.id),
    EXISTS (SELECT 1 FROM possible_loss_notices n
             WHERE n.exporter_org_id = %(org_id)s AND n.buyer_id = b.id AND n.status = 'open'),
    (SELECT v.cover_status FROM country_risk_versions v WHERE v.country = b.country
      ORDER BY v.id DESC LIMIT 1),
    (SELECT r.pd FROM buyer_ratings r WHERE r.buyer_id = b.id ORDER BY r.id DESC LIMIT 1)))
  FROM buyers b WHERE b.id = ANY(%(buyer_ids)s::bigint[])""",
    """SELECT json_agg(json_build_array(l.id, l.policy_id, l.buyer_id, l.status, v.id, v.kind,
    v.currency, v.amount_minor, v.effective_from, v.expires_on, v.indemnity_pct, v.number))
  FROM """
    + PAIR_LIMITS
    + """
  LEFT JOIN LATERAL (SELECT * FROM credit_limit_versions v WHERE v.limit_id = l.id
   OFFSET 0) AS v ON true""",
    """SELECT json_agg(json_build_array(d.id, d.buyer_id, d.invoice_number))
  FROM unnest(%(pair_buyers)s::bigint[], %(pair_invoices)s::text[]) AS w(buyer_id, invoice)
  CROSS JOIN LATERAL (SELECT d.id, d.buyer_id, d.invoice_number FROM declarations d
   WHERE d.exporter_org_id = %(org_id)s AND d.buyer_id = w.buyer_id
     AND d.invoice_number = w.invoice AND d.status = 'active' LIMIT 1) AS d""",
    *STAMP_COLUMNS,
)
"""The facts as scalar subqueries, in the order :func:`facts_of` reads them."""

_TYPES: list[TypeDecorator[Any] | None] = [
    kind if isinstance(kind := Policy.__table__.c[name].type, TypeDecorator) else None
    for name in POLICY_COLUMNS
]
POLICIES = (
    f"SELECT {', '.join(f'p.{name}' for name in POLICY_COLUMNS)} FROM policies p"
    " WHERE p.id = ANY(%(policy_ids)s::bigint[])"
)
"""The shipments' policies, their :data:`POLICY_COLUMNS`."""

_DIALECT = postgresql.psycopg.dialect()  # type: ignore[no-untyped-call]


def parameters(*, org_id: int, shipments: Sequence[Shipment]) -> dict[str, Any]:
    """The parameters of :data:`FACT_COLUMNS` and :data:`POLICIES` for ``shipments``."""
    pairs = sorted({(s.policy_id, s.buyer_id) for s in shipments})
    return {
        "org_id": org_id,
        "limit_policies": ints(p for p, _b in pairs),
        "limit_buyers": ints(b for _p, b in pairs),
        "policy_ids": ints(sorted({s.policy_id for s in shipments})),
        "buyer_ids": ints(sorted({s.buyer_id for s in shipments})),
        "pair_buyers": ints(s.buyer_id for s in shipments),
        "pair_invoices": texts(s.invoice_number.strip() for s in shipments),
    }


def facts_of(values: Sequence[Any], policies: Iterable[Sequence[Any]]) -> AttachmentFacts:
    """The facts in the values of :data:`FACT_COLUMNS` and the rows of :data:`POLICIES`."""
    buyers, limits, duplicates = (value or [] for value in values[:3])
    return AttachmentFacts(
        policies={int(r[0]): _policy(r) for r in policies},
        buyers={int(r[0]): buyer_row(r[1:]) for r in buyers},
        limits=limits_of(limits),
        duplicates={(r[1], r[2]): r[0] for r in duplicates},
        pricing_stamp=stamp_of(values[3:5]),
    )


def _policy(row: Sequence[Any]) -> PolicyRow:
    """A policy's facts from a raw row, its column types applied."""
    return policy_row(
        [
            kind.process_result_value(value, _DIALECT) if kind else value
            for kind, value in zip(_TYPES, row, strict=True)
        ]
    )


class PipelinedAttachmentFacts(PortableAttachmentFacts):
    """This read model as the PostgreSQL attachment store takes it (a
    :class:`~tradecover.declarations.attachment.repository.PipelinedFactsReader`).
    """

    pair_limits: str = PAIR_LIMITS
    fact_columns: tuple[str, ...] = FACT_COLUMNS
    policies: str = POLICIES

    def parameters(self, *, org_id: int, shipments: Sequence[Shipment]) -> dict[str, Any]:
        """See :func:`parameters`."""
        return parameters(org_id=org_id, shipments=shipments)

    def facts_of(self, values: Sequence[Any], policies: Iterable[Sequence[Any]]) -> AttachmentFacts:
        """See :func:`facts_of`."""
        return facts_of(values, policies)

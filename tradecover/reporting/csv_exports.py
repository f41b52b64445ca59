"""Read models: the organisation's limits and declarations as CSV (large exports, as jobs).

The exporter sees its own; the insurer's staff see every organisation's.  Amounts are
written in major units of their currency with the currency beside them; dates in ISO
8601; every cell formula-safe (:func:`tradecover.kit.text.spreadsheet_row`).  Rows are
read in chunks so that a large book does not sit in memory as objects.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from tradecover.access import Permission, Principal
from tradecover.declarations.model import Declaration
from tradecover.kit.money import Money
from tradecover.kit.text import spreadsheet_row
from tradecover.limits.model import CreditLimit

_CHUNK = 1000

LIMIT_COLUMNS = (
    "limit_id",
    "organisation_id",
    "policy_id",
    "buyer_id",
    "country",
    "status",
    "amount",
    "currency",
    "payment_terms",
    "credit_period_days",
    "effective_from",
    "expires_on",
    "version",
)
DECLARATION_COLUMNS = (
    "declaration_id",
    "organisation_id",
    "policy_id",
    "buyer_id",
    "limit_id",
    "invoice_number",
    "shipment_date",
    "due_date",
    "currency",
    "invoice_amount",
    "insured_amount",
    "covered_amount",
    "premium",
    "cover_status",
    "declaration_date",
)


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> tuple[str, int]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(spreadsheet_row("" if v is None else v for v in row))
        count += 1
    return out.getvalue(), count


def _major(minor: int, currency: str) -> str:
    return str(Money.from_minor(minor, currency).amount)


def _chunks(
    session: Session, query: Select[*tuple[Any, ...]], seen: dict[int, list[int]] | None = None
) -> Iterable[Any]:
    """The query's rows in chunks; ``seen`` collects the ids per exporter (the first two
    columns), for the access log of the export [domain CS-8].
    """
    for row in session.execute(query.execution_options(yield_per=_CHUNK)):
        if seen is not None:
            seen.setdefault(int(row[1]), []).append(int(row[0]))
        yield row


def limits_csv(
    session: Session, *, principal: Principal, seen: dict[int, list[int]] | None = None
) -> tuple[str, int]:
    """The limits the caller may see, oldest first, as CSV text and its row count
    (``seen``: filled with the limit ids per exporter).
    """
    principal.require(Permission.ORG_READ)
    c = CreditLimit
    query = select(
        c.id,
        c.org_id,
        c.policy_id,
        c.buyer_id,
        c.country,
        c.status,
        c.amount_minor,
        c.currency,
        c.payment_terms,
        c.credit_period_days,
        c.effective_from,
        c.expires_on,
        c.current_version,
    ).order_by(c.id)
    if not principal.is_insurer:
        query = query.where(c.org_id == principal.org_id)
    return _csv(
        LIMIT_COLUMNS,
        (
            (*r[:6], _major(r[6], r[7]), r[7], r[8], r[9], r[10], r[11], r[12])
            for r in _chunks(session, query, seen)
        ),
    )


def declarations_csv(
    session: Session, *, principal: Principal, seen: dict[int, list[int]] | None = None
) -> tuple[str, int]:
    """The declarations the caller may see, oldest first, as CSV text and its row count
    (``seen``: filled with the declaration ids per exporter).
    """
    principal.require(Permission.ORG_READ)
    d = Declaration
    query = select(
        d.id,
        d.exporter_org_id,
        d.policy_id,
        d.buyer_id,
        d.limit_id,
        d.invoice_number,
        d.shipment_date,
        d.due_date,
        d.currency,
        d.invoice_minor,
        d.insured_minor,
        d.covered_minor,
        d.premium_minor,
        d.cover_status,
        d.declaration_date,
    ).order_by(d.id)
    if not principal.is_insurer:
        query = query.where(d.exporter_org_id == principal.org_id)
    return _csv(
        DECLARATION_COLUMNS,
        (
            (
                *r[:9],
                _major(r[9], r[8]),
                _major(r[10], r[8]),
                _major(r[11], r[8]),
                _major(r[12], r[8]),
                r[13],
                r[14],
            )
            for r in _chunks(session, query, seen)
        ),
    )

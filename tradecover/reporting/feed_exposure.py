"""Per-buyer exposure as it builds up from automatic attachment, for the underwriter.

The portfolio model attaches cover blindly; automatic attachment keeps every transaction
visible ([003]).  This read model sums, per buyer and currency, the active declarations
the feeds made (those a received document points to): how many, for how many exporters,
the invoiced and insured amounts, what was shipped in the last 30 days and the last
shipment date, largest exposure first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from tradecover.access import Permission, Principal
from tradecover.buyers.model import Buyer
from tradecover.declarations.model import STATUS_ACTIVE, Declaration
from tradecover.feeds.model import ReceivedDocument
from tradecover.kit.errors import PermissionDenied
from tradecover.kit.money import Money

RECENT_DAYS = 30


@dataclass(frozen=True, slots=True)
class BuyerFeedExposure:
    """One buyer's declarations made by the feeds, in one currency."""

    buyer_id: int
    buyer_name: str
    country: str
    currency: str
    declarations: int
    exporters: int
    invoiced: Decimal
    insured: Decimal
    recent: Decimal
    last_shipment: date


def feed_exposure_by_buyer(
    session: Session, *, principal: Principal, today: date, limit: int = 200
) -> list[BuyerFeedExposure]:
    """The buyers with declarations made by the feeds (insurer staff only), largest first."""
    principal.require(Permission.DECLARATION_READ)
    if not principal.is_insurer:
        raise PermissionDenied("only the insurer sees exposure across exporters", code="forbidden")
    from_feeds = (
        select(ReceivedDocument.declaration_id)
        .where(ReceivedDocument.declaration_id.is_not(None))
        .distinct()
    )
    recent_from = today - timedelta(days=RECENT_DAYS)
    invoiced = func.sum(Declaration.invoice_minor)
    rows = session.execute(
        select(
            Declaration.buyer_id,
            Buyer.legal_name,
            Buyer.country,
            Declaration.currency,
            func.count(Declaration.id),
            func.count(func.distinct(Declaration.exporter_org_id)),
            invoiced,
            func.sum(Declaration.insured_minor),
            func.sum(
                case((Declaration.shipment_date >= recent_from, Declaration.invoice_minor), else_=0)
            ),
            func.max(Declaration.shipment_date),
        )
        .join(Buyer, Buyer.id == Declaration.buyer_id)
        .where(Declaration.status == STATUS_ACTIVE, Declaration.id.in_(from_feeds))
        .group_by(Declaration.buyer_id, Buyer.legal_name, Buyer.country, Declaration.currency)
        .order_by(invoiced.desc(), Declaration.buyer_id)
        .limit(limit)
    )
    return [
        BuyerFeedExposure(
            buyer_id=int(buyer_id),
            buyer_name=str(name),
            country=str(country),
            currency=str(currency),
            declarations=int(count),
            exporters=int(exporters),
            invoiced=Money.from_minor(int(total or 0), currency).amount,
            insured=Money.from_minor(int(insured or 0), currency).amount,
            recent=Money.from_minor(int(recent or 0), currency).amount,
            last_shipment=last,
        )
        for (
            buyer_id,
            name,
            country,
            currency,
            count,
            exporters,
            total,
            insured,
            recent,
            last,
        ) in rows
    ]

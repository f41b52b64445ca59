"""Imports every ORM model so that ``Base.metadata`` describes the whole schema."""

from tradecover.access import model as access_model
from tradecover.audit import model as audit_model
from tradecover.billing import model as billing_model
from tradecover.buyers import model as buyers_model
from tradecover.claims import model as claims_model
from tradecover.claims.documents import model as claim_documents_model
from tradecover.coinsurance import model as coinsurance_model
from tradecover.collections import model as collections_model
from tradecover.consents import model as consents_model
from tradecover.country_risk import model as country_risk_model
from tradecover.db.base import Base
from tradecover.declarations import model as declarations_model
from tradecover.documents import model as documents_model
from tradecover.events import model as events_model
from tradecover.feeds import model as feeds_model
from tradecover.financing import model as financing_model
from tradecover.idempotency import model as idempotency_model
from tradecover.jobs import model as jobs_model
from tradecover.ledger import model as ledger_model
from tradecover.limits import model as limits_model
from tradecover.mail import model as mail_model
from tradecover.market import model as market_model
from tradecover.policies import model as policies_model
from tradecover.premium_waivers import model as premium_waivers_model
from tradecover.pricing import model as pricing_model
from tradecover.risk import model as risk_model
from tradecover.subsidies import model as subsidies_model
from tradecover.webhooks import model as webhooks_model

__all__ = [
    "Base",
    "access_model",
    "audit_model",
    "billing_model",
    "buyers_model",
    "claim_documents_model",
    "claims_model",
    "coinsurance_model",
    "collections_model",
    "consents_model",
    "country_risk_model",
    "declarations_model",
    "documents_model",
    "events_model",
    "feeds_model",
    "financing_model",
    "idempotency_model",
    "jobs_model",
    "ledger_model",
    "limits_model",
    "mail_model",
    "market_model",
    "policies_model",
    "premium_waivers_model",
    "pricing_model",
    "risk_model",
    "subsidies_model",
    "webhooks_model",
]

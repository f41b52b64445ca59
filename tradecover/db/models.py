"""Imports every ORM model so that ``Base.metadata`` describes the whole schema."""

from tradecover.access import model as access_model
from tradecover.audit import model as audit_model
from tradecover.country_risk import model as country_risk_model
from tradecover.db.base import Base
from tradecover.idempotency import model as idempotency_model
from tradecover.policies import model as policies_model
from tradecover.pricing import model as pricing_model

__all__ = ["Base", "access_model", "audit_model", "country_risk_model", "idempotency_model",
           "policies_model", "pricing_model"]

"""Reference data every database needs, loaded after migrating (idempotent)."""

from __future__ import annotations

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from tradecover.access.service import insurer
from tradecover.country_risk.model import CountryRiskVersion
from tradecover.kit.dates import utc_now
from tradecover.reference.country_risk import classification_source, shipped_classification


def load_reference_data(session: Session) -> int:
    """Load the shipped OECD country classification if no country risk exists yet, and the
    shipped rate tables (``ST-2026`` v1, the domestic ``DT-2026`` v1) missing; returns the
    rows added.
    """
    from tradecover.pricing.service import load_default_rate_tables

    tables = load_default_rate_tables(session)
    if session.execute(select(func.count()).select_from(CountryRiskVersion)).scalar_one():
        return tables
    source = classification_source()
    label = f"{source.title}, {source.edition}"[:300]
    org_id = insurer(session).id
    now = utc_now()
    rows = [
        {
            "country": entry.country,
            "risk_class": entry.risk_class,
            "cover_status": "open",
            "exposure_cap_minor": None,
            "cap_currency": None,
            "source": label,
            "effective_from": source.edition_date,
            "reason": f"shipped baseline ({entry.basis})",
            "recorded_at": now,
            "recorded_by": "system:bootstrap",
            "recorded_by_org_id": org_id,
        }
        for entry in shipped_classification()
    ]
    session.execute(insert(CountryRiskVersion), rows)
    return len(rows) + tables

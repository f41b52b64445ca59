"""What the homes of the insurer's risk managers, claims handlers and finance staff show.

Each builder returns the page's context from the services and read models the API uses
(nothing queried here); every chart comes with the same figures for its table.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from tradecover.access import Principal
from tradecover.billing import AgeingBucket, ageing
from tradecover.claims import SpeedTarget, claims_at_risk, monthly_report
from tradecover.claims import service as claim_reads
from tradecover.kit.dates import business_today
from tradecover.kit.money import Money
from tradecover.reporting import homes
from tradecover.web import i18n, labels
from tradecover.web.charts import bar_chart

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

SPEED_TARGET = SpeedTarget(decision_days=60, payment_days=10, warn_days=7)
"""The claims speed target the home measures against (the speed page's defaults)."""

CASH_WINDOW_DAYS = 30
"""Finance's home counts the payments received over this many days."""


def risk_manager(session: Session, locale: str) -> dict[str, Any]:
    """Exposure by country and sector and the ten largest buyer groups' share (the charts'
    names in the reader's language).
    """
    summary = homes.exposure_summary(session)
    fmt = i18n.Formatter(locale)
    return {
        "summary": summary,
        "country_chart": bar_chart(
            [(fmt.country(code), v) for code, v in summary.by_country[:10]],
            label="exposure by country, USD",
        ),
        "sector_chart": bar_chart(
            [(_words(locale, labels.SECTORS, code), v) for code, v in summary.by_sector[:10]],
            label="exposure by sector, USD",
        ),
    }


def claims_handler(session: Session, principal: Principal) -> dict[str, Any]:
    """Open claims about to miss the speed target, and the last months' speed."""
    timelines = claim_reads.timelines(session, principal=principal)
    months = monthly_report(timelines, SPEED_TARGET)[-6:]
    at_risk = claims_at_risk(timelines, SPEED_TARGET, today=business_today())
    open_decision = sum(1 for t in timelines if t.decided_on is None)
    open_payment = sum(
        1 for t in timelines if t.decided_on is not None and not t.rejected and t.paid_on is None
    )
    return {
        "target": SPEED_TARGET,
        "at_risk": at_risk,
        "months": months,
        "open_decision": open_decision,
        "open_payment": open_payment,
        "speed_chart": bar_chart(
            [(m.month, float(m.decided_within_target_pct or 0) / 100) for m in months],
            label="claims decided within target, by month",
            percent=True,
        )
        if months
        else None,
    }


def finance(session: Session, principal: Principal, locale: str) -> dict[str, Any]:
    """Premium due and arrears by age, subsidies receivable and cash received lately."""
    today = business_today()
    arrears = ageing(session, principal=principal, today=today)
    since = today - timedelta(days=CASH_WINDOW_DAYS)
    cash = homes.cash_received(session, since=since)
    receivable = homes.subsidies_receivable(session)
    first = next(iter(arrears), None)
    row = arrears[first] if first is not None else {}
    return {
        "buckets": list(AgeingBucket),
        "arrears": arrears,
        "arrears_chart": bar_chart(
            [
                (
                    i18n.gettext(locale, labels.label(labels.AGEING_BUCKETS, b.value)),
                    float(row[b].amount),
                )
                for b in AgeingBucket
                if b in row
            ],
            label=f"premium unpaid by age, {first}",
        )
        if first is not None
        else None,
        "arrears_currency": first,
        "cash": [
            (Money.from_minor(minor, currency), count) for currency, (minor, count) in cash.items()
        ],
        "cash_since": since,
        "receivable": [Money.from_minor(minor, cur) for cur, minor in receivable.items()],
    }


def _words(locale: str, mapping: dict[str, str], code: str) -> str:
    """A stored code's label in the reader's language (for a chart's names)."""
    return i18n.gettext(locale, labels.label(mapping, code))

"""Business dates and UTC timestamps.

Business dates (shipment, due date, inception) are ``datetime.date``; instants are
timezone-aware UTC ``datetime``.  Rules take "today" as an argument; only the edges
call :func:`utc_now` / :func:`business_today`.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta


def utc_now() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(UTC)


def business_today() -> date:
    """Today's business date (UTC calendar)."""
    return utc_now().date()


def add_years(day: date, years: int) -> date:
    """Same calendar day ``years`` later; 29 February falls back to 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clipped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def one_year_term(inception: date) -> date:
    """Expiry of a one-year policy that starts on ``inception`` (the day before the anniversary)."""
    return add_years(inception, 1) - timedelta(days=1)

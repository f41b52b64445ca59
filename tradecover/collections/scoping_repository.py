"""Tenant scoping of the collections context, written once: the statements every list and
get of its own records starts from.

Insurer staff see every exporter's records; an exporter only its own (a foreign record
answers like a missing one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Select, select

from tradecover.collections.model import DueDateArrangement, Notification

if TYPE_CHECKING:
    from tradecover.access import Principal


def visible_arrangements(principal: Principal) -> Select[DueDateArrangement]:
    """The extension and repayment plan requests the caller may see."""
    query = select(DueDateArrangement)
    if not principal.is_insurer:
        query = query.where(DueDateArrangement.exporter_org_id == principal.org_id)
    return query


def visible_notifications(principal: Principal) -> Select[Notification]:
    """The collection notifications the caller may see."""
    query = select(Notification)
    if not principal.is_insurer:
        query = query.where(Notification.exporter_org_id == principal.org_id)
    return query

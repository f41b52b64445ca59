"""Tenant scoping of claims, written once: the statements every list and get starts from.

Insurer staff see every claim; an exporter only its own (a foreign claim answers like a
missing one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Select, select

from tradecover.claims.model import ClaimRow, InvestmentDebtClaimRow

if TYPE_CHECKING:
    from tradecover.access import Principal


def visible_claims(principal: Principal) -> Select[ClaimRow]:
    """The short-term claims the caller may see."""
    query = select(ClaimRow)
    if not principal.is_insurer:
        query = query.where(ClaimRow.exporter_org_id == principal.org_id)
    return query


def visible_investment_debt_claims(principal: Principal) -> Select[InvestmentDebtClaimRow]:
    """The investment-debt claims the caller may see."""
    query = select(InvestmentDebtClaimRow)
    if not principal.is_insurer:
        query = query.where(InvestmentDebtClaimRow.exporter_org_id == principal.org_id)
    return query

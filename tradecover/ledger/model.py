"""ORM models of the general ledger: journal entries and their lines (append-only).

Rows are never updated or deleted (triggers refuse it, as for ``audit_entries``); a
correction is a reversing entry.  ``key`` makes posting idempotent: the billing run posts
``notice:<id>``, a payment ``payment:<id>``.  Amounts are positive minor units with a
side; ``party`` names the exporter or programme on receivable lines (sub-ledgers).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, IdType, UTCDateTime


class LedgerEntry(Base):
    """One balanced journal entry."""

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    posted_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    reverses: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LedgerLine(Base):
    """One debit or credit of an entry."""

    __tablename__ = "ledger_lines"
    __table_args__ = (
        CheckConstraint("side IN ('debit', 'credit')", name="side"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        Index("ix_ledger_lines_account", "account", "currency", "party"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), index=True)
    account: Mapped[str] = mapped_column(String(32))
    side: Mapped[str] = mapped_column(String(6))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    party: Mapped[str | None] = mapped_column(String(64), nullable=True)

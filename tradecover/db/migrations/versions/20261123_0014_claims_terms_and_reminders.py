"""claims terms per policy, reminders and closing (issue 5)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23 12:30:00
"""

from collections.abc import Sequence

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration (nothing yet)."""


def downgrade() -> None:
    """Revert this migration (nothing yet)."""

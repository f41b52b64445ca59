"""credit limit decisions (issue 3)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-23 12:30:00
"""

from collections.abc import Sequence

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration (nothing yet)."""


def downgrade() -> None:
    """Revert this migration (nothing yet)."""

"""billing notices by membership (issue 4 billing run)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 12:30:00
"""

from collections.abc import Sequence

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration (nothing yet)."""


def downgrade() -> None:
    """Revert this migration (nothing yet)."""

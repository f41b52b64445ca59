"""Request and response bodies of data sharing: the fields withheld per feed source and
the payment-experience pool.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from tradecover.consents.fields import SharedField
from tradecover.kit.inputs import InputModel


class SharingIn(InputModel):
    """The fields the exporter withholds from one source's documents (the rest is shared)."""

    model_config = ConfigDict(extra="forbid")

    withheld: list[str] = Field(
        max_length=len(SharedField),
        examples=[[SharedField.LINE_ITEMS.value, SharedField.GOODS_DESCRIPTION.value]],
        description="Fields withheld; the policy's minimum cannot be",
    )
    reason: str | None = Field(default=None, max_length=500)


class SharingOut(BaseModel):
    """Per feed source, the fields withheld; the minimum always shared; the summary."""

    withheld: dict[str, list[str]]
    minimum: list[str]
    summary: str


class ContributionOut(BaseModel):
    """What the exporter contributes to the pool about one buyer."""

    buyer_id: int
    overdue_notices: int
    max_days_late: int
    claims: int


class PoolOut(BaseModel):
    """The exporter's part in the pool: whether a consent lets it in, and its rows."""

    contributing: bool
    consent_ids: list[int]
    contributions: list[ContributionOut]


class PooledOut(BaseModel):
    """A buyer's pooled payment experience, no exporter named (absent below k)."""

    buyer_id: int
    shown: bool
    min_contributors: int
    contributors: int | None = None
    overdue_notices: int | None = None
    max_days_late: int | None = None
    claims: int | None = None

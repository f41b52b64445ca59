"""The insurer's cover status of a country (pure: shared by limits, declarations and risk)."""

from __future__ import annotations

from enum import StrEnum


class CoverStatus(StrEnum):
    """The insurer's stance on new cover in a country."""

    OPEN = "open"
    RESTRICTED = "restricted"  # case by case, underwriter approval only
    OFF_COVER = "off_cover"  # no new limits, no new cover

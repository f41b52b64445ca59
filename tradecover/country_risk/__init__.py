"""Country risk: the OECD class of every country and the insurer's own view, with history.

The cover status rule (:mod:`~tradecover.country_risk.cover`) is imported eagerly; the
views in force, read from the database, are resolved lazily.
"""

from typing import TYPE_CHECKING

from tradecover.country_risk.cover import CoverStatus
from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.country_risk.service import CountryRisk as CountryRisk
    from tradecover.country_risk.service import current as current
    from tradecover.country_risk.service import current_all as current_all

_LAZY: dict[str, str] = {
    "CountryRisk": "service",
    "current": "service",
    "current_all": "service",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "CountryRisk",
    "CoverStatus",
    "current",
    "current_all",
]

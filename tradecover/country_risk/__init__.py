"""Country risk: the OECD class of every country and the insurer's own view, with history."""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.country_risk.service import current as current
    from tradecover.country_risk.service import current_all as current_all

_LAZY = {
    "current": "service",
    "current_all": "service",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "current",
    "current_all",
]

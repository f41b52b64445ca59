"""The insurer's four-eyes waivers of late premium ([002] 8.2.3).

The context owns its table (:mod:`~tradecover.premium_waivers.model`); other contexts read
the approved waivers through :func:`approved_waivers`.
"""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.premium_waivers.service import approved_waivers as approved_waivers

_LAZY = {
    "approved_waivers": "service",
}
__getattr__ = lazy_exports(__name__, _LAZY)
__all__ = [
    "approved_waivers",
]

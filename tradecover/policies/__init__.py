"""Short-term policy administration: exporter profiles, applications, schedules, lifecycle."""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.policies.profile_repository import ExporterProfileFacts as ExporterProfileFacts
    from tradecover.policies.profile_repository import exporter_profiles_of as exporter_profiles_of

_LAZY = {
    "ExporterProfileFacts": "profile_repository",
    "exporter_profiles_of": "profile_repository",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "ExporterProfileFacts",
    "exporter_profiles_of",
]

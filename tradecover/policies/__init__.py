"""Short-term policy administration: exporter profiles, applications, schedules, lifecycle."""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.policies.issuance import suspend as suspend
    from tradecover.policies.lookup_repository import ExporterProfileFacts as ExporterProfileFacts
    from tradecover.policies.lookup_repository import exporter_profiles_of as exporter_profiles_of
    from tradecover.policies.lookup_repository import policy_numbers_of as policy_numbers_of

_LAZY = {
    "ExporterProfileFacts": "lookup_repository",
    "exporter_profiles_of": "lookup_repository",
    "policy_numbers_of": "lookup_repository",
    "suspend": "issuance",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "ExporterProfileFacts",
    "exporter_profiles_of",
    "policy_numbers_of",
    "suspend",
]

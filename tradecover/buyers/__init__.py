"""Buyers and banks: who they are (matching across scripts) and how risky (the rating model).

Pure rules only here; the registry's persistence, API and pages build on them.
"""

from typing import TYPE_CHECKING

from tradecover.buyers.identity import (
    POSSIBLE_MATCH_THRESHOLD,
    BuyerIdentity,
    InvalidIdentifier,
    MatchResult,
    MatchVerdict,
    buyer_identity,
    lei_check_digits,
    match_buyer,
    name_similarity,
    normalise_duns,
    normalise_lei,
    normalise_name,
    normalise_national_id,
    rank_matches,
)
from tradecover.buyers.ports import RatedBuyer, guard_merge, on_buyer_rated
from tradecover.buyers.rating import BankProfile, BuyerProfile, rate_bank, rate_buyer
from tradecover.buyers.rating_factors import (
    AdverseEvent,
    CompanyType,
    Sector,
    SectorRisk,
    SizeBand,
    size_band_for,
)
from tradecover.buyers.rating_scale import MODEL_VERSION, Contribution, Rating, pd_for_grade
from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.buyers.directory import buyer_record as buyer_record
    from tradecover.buyers.directory import buyers_in_sector as buyers_in_sector
    from tradecover.buyers.directory import get_buyer as get_buyer
    from tradecover.buyers.exposure_repository import BuyerRiskFacts as BuyerRiskFacts
    from tradecover.buyers.exposure_repository import buyer_risk_facts as buyer_risk_facts
    from tradecover.buyers.identifiers_repository import DocumentParty as DocumentParty
    from tradecover.buyers.identifiers_repository import IdentifiedBuyer as IdentifiedBuyer
    from tradecover.buyers.identifiers_repository import (
        identify_related_buyer as identify_related_buyer,
    )
    from tradecover.buyers.identifiers_repository import (
        identify_related_buyers as identify_related_buyers,
    )
    from tradecover.buyers.lookup_repository import RelatedBuyer as RelatedBuyer
    from tradecover.buyers.lookup_repository import related_buyers as related_buyers
    from tradecover.buyers.model import Buyer as Buyer
    from tradecover.buyers.rating_records import latest_rating as latest_rating
    from tradecover.buyers.rating_records import rating_from_row as rating_from_row
    from tradecover.buyers.service import register_buyer as register_buyer

_LAZY: dict[str, str] = {
    "DocumentParty": "identifiers_repository",
    "IdentifiedBuyer": "identifiers_repository",
    "identify_related_buyer": "identifiers_repository",
    "identify_related_buyers": "identifiers_repository",
    "related_buyers": "lookup_repository",
    "RelatedBuyer": "lookup_repository",
    "Buyer": "model",
    "BuyerRiskFacts": "exposure_repository",
    "buyer_record": "directory",
    "buyer_risk_facts": "exposure_repository",
    "buyers_in_sector": "directory",
    "get_buyer": "directory",
    "latest_rating": "rating_records",
    "rating_from_row": "rating_records",
    "register_buyer": "service",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "MODEL_VERSION",
    "POSSIBLE_MATCH_THRESHOLD",
    "AdverseEvent",
    "BankProfile",
    "Buyer",
    "BuyerIdentity",
    "BuyerProfile",
    "BuyerRiskFacts",
    "CompanyType",
    "Contribution",
    "DocumentParty",
    "IdentifiedBuyer",
    "InvalidIdentifier",
    "MatchResult",
    "MatchVerdict",
    "RatedBuyer",
    "Rating",
    "RelatedBuyer",
    "Sector",
    "SectorRisk",
    "SizeBand",
    "buyer_identity",
    "buyer_record",
    "buyer_risk_facts",
    "buyers_in_sector",
    "get_buyer",
    "guard_merge",
    "identify_related_buyer",
    "identify_related_buyers",
    "latest_rating",
    "lei_check_digits",
    "match_buyer",
    "name_similarity",
    "normalise_duns",
    "normalise_lei",
    "normalise_name",
    "normalise_national_id",
    "on_buyer_rated",
    "pd_for_grade",
    "rank_matches",
    "rate_bank",
    "rate_buyer",
    "rating_from_row",
    "register_buyer",
    "related_buyers",
    "size_band_for",
]

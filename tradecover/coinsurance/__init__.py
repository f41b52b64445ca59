"""Coinsurance ([domain CO-1]): a policy shared by a lead insurer and followers, by share.

Pure rules imported eagerly: participations and their validation, the split of money by
share to the minor unit, the allocation entries of the ledger.  The use cases that need the
database (setting and reading participations, :func:`allocate` as the engines post money,
statements) load on first use.
"""

from typing import TYPE_CHECKING

from tradecover.coinsurance.ports import guard_participations
from tradecover.coinsurance.posting import POOL_SIDE, allocation_entry
from tradecover.coinsurance.shares import (
    HUNDRED,
    SHARE_QUANTUM,
    CoinsuranceInvalid,
    Part,
    ParticipantRole,
    Participation,
    effective_on,
    insurer_party,
    split_minor,
    split_money,
    validate,
)
from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.coinsurance.service import SOURCE_CLAIM as SOURCE_CLAIM
    from tradecover.coinsurance.service import SOURCE_NOTICE as SOURCE_NOTICE
    from tradecover.coinsurance.service import SOURCE_RECOVERY as SOURCE_RECOVERY
    from tradecover.coinsurance.service import Split as Split
    from tradecover.coinsurance.service import StatementLine as StatementLine
    from tradecover.coinsurance.service import allocate as allocate
    from tradecover.coinsurance.service import participations as participations
    from tradecover.coinsurance.service import set_participations as set_participations
    from tradecover.coinsurance.service import shares_of as shares_of
    from tradecover.coinsurance.service import statement as statement

_LAZY = {
    "SOURCE_CLAIM": "service",
    "SOURCE_NOTICE": "service",
    "SOURCE_RECOVERY": "service",
    "Split": "service",
    "StatementLine": "service",
    "allocate": "service",
    "participations": "service",
    "set_participations": "service",
    "shares_of": "service",
    "statement": "service",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "HUNDRED",
    "POOL_SIDE",
    "SHARE_QUANTUM",
    "SOURCE_CLAIM",
    "SOURCE_NOTICE",
    "SOURCE_RECOVERY",
    "CoinsuranceInvalid",
    "Part",
    "ParticipantRole",
    "Participation",
    "Split",
    "StatementLine",
    "allocate",
    "allocation_entry",
    "effective_on",
    "guard_participations",
    "insurer_party",
    "participations",
    "set_participations",
    "shares_of",
    "split_minor",
    "split_money",
    "statement",
    "validate",
]

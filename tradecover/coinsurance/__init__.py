"""Coinsurance ([domain CO-1]): a policy shared by a lead insurer and followers, by share.

Pure rules imported eagerly: participations and their validation, the split of money by
share to the minor unit, the allocation entries of the ledger.  The use cases that need the
database (setting and reading participations, :func:`allocate` as the engines post money,
statements, the shares of a single large limit, followers' approval of large claims)
load on first use.
"""

from typing import TYPE_CHECKING

from tradecover.coinsurance.approvals import (
    ApprovalState,
    FollowerAnswer,
    FollowerApprovalMissing,
    needs_follower_approval,
    shares_for,
    single_limit,
)
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
    from tradecover.coinsurance.approval_repository import answer_claim as answer_claim
    from tradecover.coinsurance.approval_repository import (
        claim_approval_threshold as claim_approval_threshold,
    )
    from tradecover.coinsurance.approval_repository import claim_approvals as claim_approvals
    from tradecover.coinsurance.approval_repository import (
        ensure_claim_approved as ensure_claim_approved,
    )
    from tradecover.coinsurance.approval_repository import (
        request_claim_approvals as request_claim_approvals,
    )
    from tradecover.coinsurance.approval_repository import (
        set_claim_approval_threshold as set_claim_approval_threshold,
    )
    from tradecover.coinsurance.service import SOURCE_CLAIM as SOURCE_CLAIM
    from tradecover.coinsurance.service import SOURCE_NOTICE as SOURCE_NOTICE
    from tradecover.coinsurance.service import SOURCE_RECOVERY as SOURCE_RECOVERY
    from tradecover.coinsurance.service import Split as Split
    from tradecover.coinsurance.service import StatementLine as StatementLine
    from tradecover.coinsurance.service import allocate as allocate
    from tradecover.coinsurance.service import limit_participations as limit_participations
    from tradecover.coinsurance.service import limit_shares_of as limit_shares_of
    from tradecover.coinsurance.service import participations as participations
    from tradecover.coinsurance.service import set_limit_participations as set_limit_participations
    from tradecover.coinsurance.service import set_participations as set_participations
    from tradecover.coinsurance.service import shares_of as shares_of
    from tradecover.coinsurance.service import statement as statement

_LAZY = {
    "answer_claim": "approval_repository",
    "claim_approval_threshold": "approval_repository",
    "claim_approvals": "approval_repository",
    "ensure_claim_approved": "approval_repository",
    "limit_participations": "service",
    "limit_shares_of": "service",
    "request_claim_approvals": "approval_repository",
    "set_claim_approval_threshold": "approval_repository",
    "set_limit_participations": "service",
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
    "ApprovalState",
    "CoinsuranceInvalid",
    "FollowerAnswer",
    "FollowerApprovalMissing",
    "Part",
    "ParticipantRole",
    "Participation",
    "Split",
    "StatementLine",
    "allocate",
    "allocation_entry",
    "answer_claim",
    "claim_approval_threshold",
    "claim_approvals",
    "effective_on",
    "ensure_claim_approved",
    "guard_participations",
    "insurer_party",
    "limit_participations",
    "limit_shares_of",
    "needs_follower_approval",
    "participations",
    "request_claim_approvals",
    "set_claim_approval_threshold",
    "set_limit_participations",
    "set_participations",
    "shares_for",
    "shares_of",
    "single_limit",
    "split_minor",
    "split_money",
    "statement",
    "validate",
]

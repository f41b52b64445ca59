"""Append-only, hash-chained audit log: who, when, what, why, before and after.

The public face other contexts use: :func:`record` (and :func:`append_many` for bulk
writers), :func:`history` of an entity, :func:`latest_entries`, :func:`verify_all`, and the
chain values (:data:`GENESIS_HASH`, :class:`ChainBreak`).  Every name needs the database or
the canonical JSON of :mod:`tradecover.db.base`, so all load on first use.
"""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.audit.chain import GENESIS_HASH as GENESIS_HASH
    from tradecover.audit.chain import ChainBreak as ChainBreak
    from tradecover.audit.service import AUDIT_CHAINS as AUDIT_CHAINS
    from tradecover.audit.service import Pending as Pending
    from tradecover.audit.service import append_many as append_many
    from tradecover.audit.service import chain_for as chain_for
    from tradecover.audit.service import chain_rows as chain_rows
    from tradecover.audit.service import history as history
    from tradecover.audit.service import latest_entries as latest_entries
    from tradecover.audit.service import record as record
    from tradecover.audit.service import verify_all as verify_all

_LAZY = {
    "AUDIT_CHAINS": "service",
    "ChainBreak": "chain",
    "GENESIS_HASH": "chain",
    "Pending": "service",
    "append_many": "service",
    "chain_for": "service",
    "chain_rows": "service",
    "history": "service",
    "latest_entries": "service",
    "record": "service",
    "verify_all": "service",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = sorted(_LAZY)

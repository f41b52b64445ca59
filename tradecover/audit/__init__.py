"""Append-only, hash-chained audit log: who, when, what, why, before and after.

The public face other contexts and the edges use: :func:`record` (and :func:`append_many`
for bulk writers), :func:`history` of an entity, :func:`readable_entries` and its pages,
:func:`verify_all`, the chain values (:data:`GENESIS_HASH`, :class:`ChainBreak`), and the
signed checkpoints (:func:`take_checkpoint`, :func:`export_checkpoints`, the key store).
Every name needs the database or the canonical JSON of :mod:`tradecover.db.base`, so all
load on first use.
"""

from typing import TYPE_CHECKING

from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.audit.chain import GENESIS_HASH as GENESIS_HASH
    from tradecover.audit.chain import ChainBreak as ChainBreak
    from tradecover.audit.checkpoint import Checkpoint as Checkpoint
    from tradecover.audit.checkpointing import AuditTampered as AuditTampered
    from tradecover.audit.checkpointing import export_checkpoints as export_checkpoints
    from tradecover.audit.checkpointing import take_checkpoint as take_checkpoint
    from tradecover.audit.checkpointing import verify_against as verify_against
    from tradecover.audit.keystore import FileKeyStore as FileKeyStore
    from tradecover.audit.keystore import published_keys_json as published_keys_json
    from tradecover.audit.keystore import read_published_keys as read_published_keys
    from tradecover.audit.model import AuditEntry as AuditEntry
    from tradecover.audit.service import AUDIT_CHAINS as AUDIT_CHAINS
    from tradecover.audit.service import Pending as Pending
    from tradecover.audit.service import append_log as append_log
    from tradecover.audit.service import append_many as append_many
    from tradecover.audit.service import chain_for as chain_for
    from tradecover.audit.service import chain_rows as chain_rows
    from tradecover.audit.service import history as history
    from tradecover.audit.service import latest_entries as latest_entries
    from tradecover.audit.service import page_of_entries as page_of_entries
    from tradecover.audit.service import readable_entries as readable_entries
    from tradecover.audit.service import record as record
    from tradecover.audit.service import verify_all as verify_all
    from tradecover.audit.sink import open_sink as open_sink
    from tradecover.audit.sink import read_checkpoints as read_checkpoints

_LAZY = {
    "AuditEntry": "model",
    "AUDIT_CHAINS": "service",
    "AuditTampered": "checkpointing",
    "ChainBreak": "chain",
    "Checkpoint": "checkpoint",
    "FileKeyStore": "keystore",
    "GENESIS_HASH": "chain",
    "Pending": "service",
    "append_log": "service",
    "append_many": "service",
    "chain_for": "service",
    "chain_rows": "service",
    "export_checkpoints": "checkpointing",
    "history": "service",
    "latest_entries": "service",
    "open_sink": "sink",
    "page_of_entries": "service",
    "published_keys_json": "keystore",
    "read_checkpoints": "sink",
    "read_published_keys": "keystore",
    "readable_entries": "service",
    "record": "service",
    "take_checkpoint": "checkpointing",
    "verify_against": "checkpointing",
    "verify_all": "service",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = sorted(_LAZY)

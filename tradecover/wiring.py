"""Composition root: builds the adapters the edges use.

The contexts declare ports and the adapters that implement them; which adapter serves a
database, and with which read model, is decided here, once, by the edges (the app at
start-up, the command line, the demo, the benchmarks and the tests), which pass what they
built to the use cases.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine

if TYPE_CHECKING:
    from tradecover.declarations.attachment.repository import AttachmentStore


def store_for(engine: Engine) -> AttachmentStore:
    """THE attachment store of ``engine``'s database: PostgreSQL's pipelined store on
    PostgreSQL, the portable one elsewhere, each with the read side's facts read model.
    """
    if engine.dialect.name == "postgresql":  # the driver's pipeline: loaded only there
        from tradecover.declarations.attachment.postgres_repository import PostgresStore
        from tradecover.reporting.attachment_facts_pg import PipelinedAttachmentFacts

        return PostgresStore(PipelinedAttachmentFacts())
    from tradecover.declarations.attachment.portable_repository import PortableStore
    from tradecover.reporting.attachment_facts import PortableAttachmentFacts

    return PortableStore(PortableAttachmentFacts())

"""Composition root: builds the adapters the edges use.

The contexts declare ports and the adapters that implement them; which adapter serves a
database, and with which read model, is decided here, once, by the edges (the app at
start-up, the command line, the demo, the benchmarks and the tests), which pass what they
built to the use cases.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from tradecover.consents import PurgeDue
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


def purge_retention(
    session: Session, *, actor: str, now: datetime | None = None
) -> dict[int, dict[str, int]]:
    """Purge what every ended consent past its retention opened [domain CS-13]: the feed's
    documents (claims in progress and financial records kept) and the pool's rows.
    """
    from tradecover import consents, feeds, reporting
    from tradecover.config import get_settings
    from tradecover.kit.dates import utc_now

    settings = get_settings()
    now = now or utc_now()

    def documents(due: PurgeDue) -> int:
        return feeds.purge_documents(
            session,
            exporter_org_id=due.grantor_org_id,
            data_from=due.data_from,
            data_to=due.data_to,
            keep_declarations=reporting.declarations_in_claim(session, due.grantor_org_id),
            financial_years=settings.financial_records_years,
            now=now,
        )

    return consents.purge(
        session,
        purge_documents=documents,
        actor=actor,
        retention_days=settings.consent_retention_days,
        now=now,
    )

"""An exporter's event reaches another organisation's endpoint only under a consent that
covers it [domain CS-17]: the insurer's endpoint hears the contract's events, and a
quarantined document only with the exporter's consent, within its data window.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.conftest import Cast, Database
from tests.integration.webhooks.helpers import endpoint_for
from tradecover import audit, consents
from tradecover.consents.model import Consent
from tradecover.db.engine import transaction
from tradecover.events import record_event
from tradecover.kit.dates import utc_now
from tradecover.webhooks.model import WebhookDelivery
from tradecover.webhooks.relay import relay_outbox


def _quarantined(db: Database, org_id: int, document_id: int) -> None:
    with transaction(db.factory) as s:
        record_event(
            s,
            "document.quarantined",
            f"document:{document_id}",
            {"document_id": document_id, "reason": "malformed_xml"},
            org_id,
        )
        record_event(
            s,
            "policy.issued",
            f"policy:{document_id}",
            {"policy_id": document_id, "effective_on": date(2026, 12, 1)},
            org_id,
        )


def _delivered(db: Database) -> list[tuple[int, str, str]]:
    with transaction(db.factory) as s:
        relay_outbox(s, now=utc_now())
    with db.factory() as s:
        rows = s.execute(
            select(
                WebhookDelivery.endpoint_id, WebhookDelivery.event_type, WebhookDelivery.subject
            ).order_by(WebhookDelivery.id)
        )
        return [(int(e), str(t), str(subject)) for e, t, subject in rows]


def _consent(db: Database, cast: Cast, *, data_from: date | None = None) -> None:
    now = utc_now()
    with transaction(db.factory) as s:
        s.add(
            Consent(
                grantor_org_id=cast.exporter.org_id,
                grantee_org_id=cast.admin.org_id,
                scopes=["invoice_documents"],
                purposes=["cover_attachment"],
                data_from=data_from,
                expires_at=now + timedelta(days=30),
                status="authorised",
                requested_by="test",
                requested_at=now - timedelta(days=1),
            )
        )


def test_the_insurer_hears_a_quarantined_document_only_under_the_exporters_consent(
    db: Database, cast: Cast
) -> None:
    insurer, _ = endpoint_for(db, "insurer", "http://127.0.0.1:9/insurer")
    own, _ = endpoint_for(db, "acme-exports", "http://127.0.0.1:9/acme")
    _quarantined(db, cast.exporter.org_id, 1)
    assert sorted(_delivered(db)) == sorted(
        [
            (insurer, "policy.issued", "policy:1"),  # the contract covers the insurer
            (own, "document.quarantined", "document:1"),  # the exporter's own endpoint
            (own, "policy.issued", "policy:1"),
        ]
    )
    _consent(db, cast, data_from=utc_now().date() + timedelta(days=5))  # window not yet open
    _quarantined(db, cast.exporter.org_id, 2)
    assert (insurer, "document.quarantined", "document:2") not in _delivered(db)
    with transaction(db.factory) as s:
        s.query(Consent).delete()
    _consent(db, cast)
    _quarantined(db, cast.exporter.org_id, 3)
    assert (insurer, "document.quarantined", "document:3") in _delivered(db)


def test_a_refused_delivery_and_a_delivered_one_are_in_the_exporters_access_log(
    db: Database, cast: Cast
) -> None:
    """[domain CS-8] [domain CS-18] The relay logs, in its own transaction, the deliveries
    it refused (no consent) and those it made to another organisation's endpoint; the
    exporter's own endpoint reads nothing of another's.
    """
    insurer, _ = endpoint_for(db, "insurer", "http://127.0.0.1:9/insurer")
    endpoint_for(db, "acme-exports", "http://127.0.0.1:9/acme")
    _quarantined(db, cast.exporter.org_id, 1)
    _quarantined(db, cast.exporter.org_id, 2)
    _delivered(db)
    with db.factory() as s:
        log = consents.reads_of(s, cast.exporter.org_id)
        assert audit.verify_all(s) == []
    webhook = [r for r in log if r.actor == f"webhook:{insurer}"]
    refused = [r for r in webhook if r.refused]
    read = [r for r in webhook if not r.refused]
    assert [(r.scope, r.purpose, r.reader_org_id, r.reader_role) for r in refused] == [
        ("invoice_documents", "cover_attachment", cast.admin.org_id, "webhook")
    ]
    assert refused[0].consent is None and refused[0].reads == 2
    assert refused[0].path == f"webhook endpoint {insurer}"
    assert refused[0].record_count == 2  # the two events withheld
    assert [(r.consent, r.reads) for r in read] == [("contract", 2)]
    assert all(r.actor.startswith("webhook:") for r in log)  # nothing logged for its own
    _consent(db, cast)
    _quarantined(db, cast.exporter.org_id, 3)
    _delivered(db)
    with db.factory() as s:
        consented = [
            r
            for r in consents.reads_of(s, cast.exporter.org_id, scope="invoice_documents")
            if not r.refused
        ]
    assert len(consented) == 1 and consented[0].consent not in (None, "contract")

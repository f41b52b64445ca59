"""At delivery time: private, link-local and rebinding targets are refused, and the
connection goes to the address that was checked.
"""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import Cast, Database
from tests.integration.webhooks.helpers import drain, endpoint_for, record
from tests.receivers import WebhookReceiver
from tradecover.db.engine import transaction
from tradecover.webhooks.model import WebhookAttempt


def _errors(db: Database) -> list[str | None]:
    with transaction(db.factory) as session:
        return list(session.scalars(select(WebhookAttempt.error).order_by(WebhookAttempt.id)))


def test_a_name_resolving_to_a_private_or_link_local_address_is_refused(
    db: Database, cast: Cast
) -> None:
    answers = {
        "hooks.example.com": ["10.0.0.5"],
        "meta.example.com": ["169.254.169.254"],
        "mixed.example.com": ["93.184.216.34", "192.168.0.2"],
    }

    async def resolve(host: str, port: int) -> list[str]:
        return answers[host]

    for host in answers:
        endpoint_for(db, "acme-exports", f"https://{host}/hook", development=False)
    record(db, cast.exporter.org_id, [("s:1", 1)])
    drain(db, development=False, resolve=resolve)
    errors = _errors(db)
    assert len(errors) == 3
    assert all(e is not None and e.startswith("refused:") for e in errors)


def test_loopback_is_refused_outside_development_mode(db: Database, cast: Cast) -> None:
    with WebhookReceiver() as receiver:
        endpoint_for(db, "acme-exports", f"https://127.0.0.1:{receiver.port}/", development=False)
        record(db, cast.exporter.org_id, [("s:1", 1)])
        drain(db, development=False)
    assert receiver.received == []
    assert (_errors(db)[0] or "").startswith("refused:")


def test_the_connection_goes_to_the_checked_address_not_a_second_answer(
    db: Database, cast: Cast
) -> None:
    calls: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)  # first the harmless answer, then an internal one
        return ["127.0.0.1"] if len(calls) == 1 else ["10.0.0.9"]

    with WebhookReceiver() as receiver:
        endpoint_for(db, "acme-exports", f"http://hooks.test:{receiver.port}/in")
        record(db, cast.exporter.org_id, [("s:1", 1)])
        drain(db, resolve=rebinding)
        # hooks.test exists in no DNS: only the checked address can have been dialled
        [got] = receiver.received
        assert got.headers["host"] == f"hooks.test:{receiver.port}"
        assert calls == ["hooks.test"]
        record(db, cast.exporter.org_id, [("s:2", 2)])
        drain(db, resolve=rebinding)
    assert len(receiver.received) == 1
    assert (_errors(db)[-1] or "").startswith("refused:")

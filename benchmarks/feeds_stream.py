"""Benchmark: documents through the stream into declarations on PostgreSQL, end to end.

Creates a fresh PostgreSQL database (migrated, reference data, one exporter with a
flat-rated policy and ``--buyers`` buyers with large limits: the seeding of
``attachment.py``), connects its customs and UBL sources, and builds ``--customs`` single-
window customs records (JSON) and ``--invoices`` UBL invoices: customs record *i* declares
invoice *i* where there is one (the two link to one declaration, whichever comes first),
the others name invoices that never arrive (they wait: omissions).  Then:

1. **end to end**: ``--workers`` worker processes (``tradecover feeds worker``) consume
   while every document is published (in shuffled order); documents/s from the first
   publish to the last row written, and declarations made;
2. **the batch attachment rate** of the same database: ``--batch-shipments`` shipments
   declared through the one attachment shell's batch path (``attach_many``, 1,000 a
   transaction) in this process: declarations/s; the ratio of (1)'s documents/s to it
   (aim: at least 0.8);
3. **lxml's bare parse** of the same documents (``json.loads`` for the JSON records):
   documents/s on one core;
4. **latency** at a steady offered rate (``--rate`` documents/s for ``--steady-seconds``):
   p50/p99 from publish to the document's row, written in the transaction of its
   declaration (aim: p99 under 500 ms).

Exactly once is checked at the end: no invoice number declared twice, every document one
row.  Quick run: ``--customs 20000 --invoices 2000``.

    PYTHONPATH=. .venv/bin/python benchmarks/feeds_stream.py \\
        [--url postgresql+psycopg://postgres@127.0.0.1:5432/tc_bench_feeds] \\
        [--customs 1000000] [--invoices 100000] [--workers 2] [--batch 100]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import func, select, text, update

from benchmarks._attachment_seed import _fresh_database, _seed
from tradecover.access import service as access
from tradecover.access.principal import Principal
from tradecover.access.roles import OrganisationKind, Role
from tradecover.db.engine import make_engine, make_session_factory, transaction
from tradecover.declarations import Shipment, TransportMode, attach_many
from tradecover.feeds import connection_repository as connections
from tradecover.feeds.model import ReceivedDocument
from tradecover.feeds.safe_xml import _parser
from tradecover.feeds.stream.envelope import Envelope, FeedSource, subject_for
from tradecover.feeds.stream.nats_stream import StreamSettings, connect, ensure_stream
from tradecover.kit.dates import business_today, utc_now
from tradecover.policies import AttachmentModel, AttachmentTerms
from tradecover.policies.attachment_terms import TermsFrom, history_to_list
from tradecover.policies.model import Policy
from tradecover.reference.payment_terms import PaymentTerms
from tradecover.wiring import store_for

ROOT = Path(__file__).resolve().parents[1]
UBL = (ROOT / "tests" / "fixtures" / "feeds" / "ubl_export_invoice.xml").read_text("utf-8")
TODAY = business_today()
PENDING = 2000
"""Publishes awaiting their acknowledgement at once."""


def ubl_invoice(number: str, buyer: str) -> bytes:
    """The UBL fixture as invoice ``number`` to ``buyer``, in USD, issued two days ago."""
    text_ = UBL
    for old, new in (
        ("RW-2026-0042", number),
        ("2026-01-15", (TODAY - timedelta(days=2)).isoformat()),
        ("2026-01-14", (TODAY - timedelta(days=2)).isoformat()),
        ("2026-03-01", (TODAY + timedelta(days=45)).isoformat()),
        ("EUR", "USD"),
        ("Lakeside Tools, Inc.", buyer),
    ):
        text_ = text_.replace(old, new)
    return text_.encode()


def customs_record(number: str, invoice: str, buyer: str) -> bytes:
    """A single-window export record declaring ``invoice`` to ``buyer``."""
    return json.dumps(
        {
            "declaration_number": number,
            "version": "1",
            "acceptance_date": (TODAY - timedelta(days=2)).isoformat(),
            "exit_date": (TODAY - timedelta(days=1)).isoformat(),
            "exporter_id": "CN91110000100000000X",
            "exporter_name": "Bench Exports 0",
            "consignee_name": buyer,
            "consignee_country": "DE",
            "consignee_ids": [],
            "hs_code": ["8204.11"],
            "value": "1950.00",
            "currency": "USD",
            "invoice_number": invoice,
            "transport_document": "CMR 1",
        }
    ).encode()


def documents(customs: int, invoices: int, buyers: list[str], *, tag: str) -> list[Envelope]:
    """The documents of a run, shuffled (a customs record may come before its invoice)."""
    items: list[tuple[FeedSource, bytes]] = []
    for i in range(invoices):
        items.append((FeedSource.UBL, ubl_invoice(f"{tag}I{i}", buyers[i % len(buyers)])))
    for i in range(customs):
        invoice = f"{tag}I{i}" if i < invoices else f"{tag}X{i}"
        items.append(
            (FeedSource.CUSTOMS, customs_record(f"{tag}M{i}", invoice, buyers[i % len(buyers)]))
        )
    random.Random(7).shuffle(items)
    return [Envelope.new(source=s, exporter_org_id=0, content=c) for s, c in items]


def bare_parse_rate(envelopes: list[Envelope], sample: int = 50_000) -> float:
    """lxml's (``json.loads``'s) bare parse of the same documents, documents/s."""
    chosen = envelopes[:sample]
    parser = _parser()
    started = time.perf_counter()
    for envelope in chosen:
        if envelope.source is FeedSource.UBL:
            etree.fromstring(envelope.content, parser)
        else:
            json.loads(envelope.content)
    return len(chosen) / (time.perf_counter() - started)


async def publish_all(
    settings: StreamSettings, envelopes: list[Envelope], rate: float | None = None
) -> None:
    """Publish every envelope (stamped now), ``PENDING`` acknowledgements in flight at
    most, or at ``rate`` per second.
    """
    client = await connect(settings)
    js = client.jetstream()
    await ensure_stream(js, settings)
    pending: set[asyncio.Future[Any]] = set()
    started = time.perf_counter()
    for n, envelope in enumerate(envelopes):
        if rate is not None:
            due = started + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        stamped = Envelope(
            envelope.message_id,
            envelope.source,
            envelope.exporter_org_id,
            envelope.content,
            utc_now(),
            envelope.filename,
            envelope.resubmits,
        )
        subject = subject_for(settings.prefix, stamped.source, stamped.exporter_org_id)
        future = await js.publish_async(
            subject, stamped.content, headers=stamped.headers(), wait_stall=30.0
        )
        pending.add(future)
        if len(pending) >= PENDING:
            _done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
    if pending:
        await asyncio.wait(pending)
    await client.close()


def start_workers(
    url: str, settings: StreamSettings, count: int, batch: int
) -> list[subprocess.Popen[bytes]]:
    """``count`` worker processes on the run's stream."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TRADECOVER_DATABASE_URL": url,
        "TRADECOVER_NATS_URL": ",".join(settings.servers),
        "TRADECOVER_FEEDS_STREAM": settings.stream,
        "TRADECOVER_FEEDS_SUBJECT_PREFIX": settings.prefix,
        "TRADECOVER_SECRET_KEY": "feeds-stream-benchmark-signing-key-0123456789",
    }
    log = Path(f"/tmp/feeds_stream_workers_{settings.stream}.log").open("ab")  # noqa: SIM115
    command = [
        sys.executable,
        "-c",
        "from tradecover.cli.main import main; main()",
        "feeds",
        "worker",
        "--batch",
        str(batch),
    ]
    return [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
        for _ in range(count)
    ]


def rows_written(factory: object, since_id: int = 0) -> int:
    """Received documents written (above ``since_id``)."""
    with factory() as session:  # type: ignore[operator]
        return int(
            session.execute(
                select(func.count())
                .select_from(ReceivedDocument)
                .where(ReceivedDocument.id > since_id)
            ).scalar_one()
        )


def wait_for(factory: object, total: int, since_id: int = 0, stall: float = 120) -> float:
    """The time at which ``total`` rows are written (polled every 0.2 s); gives up when
    nothing was written for ``stall`` seconds.
    """
    seen, moved = -1, time.perf_counter()
    while (written := rows_written(factory, since_id)) < total:
        if written != seen:
            seen, moved = written, time.perf_counter()
        elif time.perf_counter() - moved > stall:
            raise SystemExit(f"the workers stalled at {written:,} of {total:,} documents")
        time.sleep(0.2)
    return time.perf_counter()


def batch_attachment_rate(
    url: str, org_slug: str, pairs: list[tuple[int, int]], count: int
) -> float:
    """Declarations/s of ``attach_many`` (1,000 a transaction) on the same database."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    store = store_for(engine)
    with factory() as session:
        org = access.org_by_slug(session, org_slug)
        principal = Principal(
            actor="bench",
            org_id=org.id,
            org_slug=org.slug,
            org_kind=OrganisationKind.EXPORTER,
            role=Role.EXPORTER,
        )
    shipments = [
        Shipment(
            insured_org_id=principal.org_id,
            policy_id=pairs[i % len(pairs)][0],
            buyer_id=pairs[i % len(pairs)][1],
            payment_terms=PaymentTerms.OA,
            transport_mode=TransportMode.MULTIMODAL,
            shipment_date=TODAY - timedelta(days=1),
            due_date=TODAY + timedelta(days=45),
            goods_description="Torque wrench 20-100 Nm",
            hs_code="8204.11",
            invoice_number=f"BATCH-{uuid.uuid4().hex[:10]}-{i}",
            currency="USD",
            invoice_amount=Decimal("1950.00"),
        )
        for i in range(count)
    ]
    started = time.perf_counter()
    for first in range(0, count, 1000):
        with transaction(factory) as session:
            outcomes = attach_many(
                session,
                principal=principal,
                shipments=shipments[first : first + 1000],
                channel="api",
                today=TODAY,
                store=store,
            )
            assert all(o.error is None for o in outcomes), outcomes[0].error
    rate = count / (time.perf_counter() - started)
    engine.dispose()
    return rate


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/tc_bench_feeds"
    )
    parser.add_argument("--nats", default="nats://127.0.0.1:4222")
    parser.add_argument("--customs", type=int, default=1_000_000)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--buyers", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=100, help="messages a worker fetches at once")
    parser.add_argument("--batch-shipments", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--steady-seconds", type=float, default=15.0)
    args = parser.parse_args()

    _fresh_database(args.url)
    ((_secret, pairs),) = _seed(args.url, exporters=[(1, args.buyers, True)])
    engine = make_engine(args.url)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        org = access.org_by_slug(session, "bench-exports-0")
        system = access.system_principal(session)
        for source in (FeedSource.CUSTOMS, FeedSource.UBL):
            connections.create_connection(
                session, principal=system, exporter_org_id=org.id, source=source
            )
        org_id = org.id
        # what is received attaches on receipt (the portfolio model): a policy that never
        # chose is individual, and its shipments would only wait for confirmation
        for policy_id, inception in session.execute(
            select(Policy.id, Policy.inception).where(Policy.exporter_org_id == org_id)
        ):
            session.execute(
                update(Policy)
                .where(Policy.id == policy_id)
                .values(
                    attachment_terms=history_to_list(
                        [TermsFrom(inception, AttachmentTerms(model=AttachmentModel.PORTFOLIO))]
                    )
                )
            )
        buyers = [
            str(name)
            for (name,) in session.execute(text("SELECT legal_name FROM buyers ORDER BY id"))
        ]
    tag = uuid.uuid4().hex[:6].upper()
    envelopes = [
        Envelope(e.message_id, e.source, org_id, e.content, e.received_at)
        for e in documents(args.customs, args.invoices, buyers, tag=tag)
    ]
    total = len(envelopes)
    print(
        f"{args.customs:,} customs records + {args.invoices:,} UBL invoices = {total:,} documents"
    )
    bare = bare_parse_rate(envelopes)
    print(f"lxml / json bare parse of the same documents: {bare:,.0f} documents/s (one core)")

    settings = StreamSettings(
        servers=(args.nats,), stream=f"BENCH_FEEDS_{tag}", prefix=f"bench{tag.lower()}.feeds"
    )
    workers = start_workers(args.url, settings, args.workers, args.batch)
    try:
        started = time.perf_counter()
        asyncio.run(publish_all(settings, envelopes))
        published = time.perf_counter()
        finished = wait_for(factory, total)
        elapsed = finished - started
        with factory() as session:
            declared = int(session.execute(text("SELECT count(*) FROM declarations")).scalar_one())
            twice = int(
                session.execute(
                    text(
                        "SELECT count(*) FROM (SELECT invoice_number FROM declarations "
                        "WHERE status = 'active' GROUP BY invoice_number HAVING count(*) > 1) d"
                    )
                ).scalar_one()
            )
            statuses: dict[str, int] = dict(
                session.execute(
                    text("SELECT status, count(*) FROM feed_documents GROUP BY status")
                ).all()
            )
        end_to_end = total / elapsed
        print(
            f"end to end ({args.workers} workers, batch {args.batch}): {total:,} documents in "
            f"{elapsed:,.1f} s = {end_to_end:,.0f} documents/s (publishing took "
            f"{published - started:,.1f} s); {declared:,} declarations; statuses {statuses}"
        )
        print(f"exactly once: invoice numbers declared twice: {twice}")
        last_id = int(
            factory().execute(text("SELECT coalesce(max(id), 0) FROM feed_documents")).scalar_one()
        )
        steady_count = int(args.rate * args.steady_seconds)
        steady = [
            Envelope(e.message_id, e.source, org_id, e.content, e.received_at)
            for e in documents(steady_count // 11 * 10, steady_count // 11, buyers, tag=tag + "S")
        ]
        asyncio.run(publish_all(settings, steady, rate=args.rate))
        wait_for(factory, len(steady), since_id=last_id)
        with factory() as session:
            latencies = [
                (processed - received).total_seconds() * 1000
                for processed, received in session.execute(
                    select(ReceivedDocument.processed_at, ReceivedDocument.received_at).where(
                        ReceivedDocument.id > last_id
                    )
                )
            ]
        print(
            f"steady {args.rate:,.0f} documents/s for {args.steady_seconds:.0f} s: publish -> row "
            f"p50 {_percentile(latencies, 0.5):,.0f} ms, p99 {_percentile(latencies, 0.99):,.0f} ms"
        )
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    batch = batch_attachment_rate(args.url, "bench-exports-0", pairs, args.batch_shipments)
    print(f"batch attachment (attach_many, 1,000 a transaction): {batch:,.0f} declarations/s")
    print(f"end to end / batch attachment: {end_to_end / batch:.2f} (aim >= 0.8)")
    print(f"end to end / bare parse: {end_to_end / bare:.3f}")
    engine.dispose()


if __name__ == "__main__":
    main()

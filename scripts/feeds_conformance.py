"""Run the feed readers over every document found under the given folders.

Usage: ``python scripts/feeds_conformance.py DIR... [--ubl-schematron XSLT]
[--cii-schematron XSLT]``.  Prints one line per file (read, with kind and id, or
quarantined, with the reason codes), then totals and the count of each quarantine
reason.  XML, JSON and PDF files are read as one document each, CSV files row by row;
other files are skipped.

Then every file goes through the attachment workers' use case (no stream:
:func:`tradecover.feeds.service.receive`, one transaction each) into a throwaway SQLite
book seeded for them (``_conformance_book.py``: one exporter, a policy per currency and
year, the documents' buyers with limits, the sources connected): how many attached, linked
to a declaration already made, waited for their invoice or were quarantined, and why.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

from tradecover.feeds import (
    Quarantine,
    ReadResult,
    Schematrons,
    read_document,
    read_single_window_csv,
)

DOCUMENT_SUFFIXES = {".xml", ".json", ".pdf"}


def _results(path: Path, schematrons: Schematrons) -> list[ReadResult]:
    data = path.read_bytes()
    if path.suffix.lower() == ".csv":
        return list(read_single_window_csv(data, source=path.name))
    return [read_document(data, source=path.name, schematrons=schematrons)]


def main(argv: list[str] | None = None) -> int:
    """Read every file; print per-file outcomes and totals; exit 0."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--ubl-schematron", type=Path, default=None,
                        help="compiled EN 16931 Schematron XSLT for UBL, to run as well")
    parser.add_argument("--cii-schematron", type=Path, default=None,
                        help="compiled EN 16931 Schematron XSLT for CII, to run as well")
    args = parser.parse_args(argv)
    schematrons = Schematrons.from_paths(args.ubl_schematron, args.cii_schematron)
    read, quarantined = 0, 0
    reasons: Counter[str] = Counter()
    for folder in args.folders:
        files = sorted(p for p in folder.rglob("*") if p.is_file()
                       and p.suffix.lower() in DOCUMENT_SUFFIXES | {".csv"})
        for path in files:
            for result in _results(path, schematrons):
                name = path.relative_to(folder)
                if isinstance(result, Quarantine):
                    quarantined += 1
                    reasons.update(result.codes)
                    detail = "; ".join(f"{r.code} ({r.detail[:90]})" for r in result.reasons)
                    print(f"QUARANTINED {name}: {detail}")
                else:
                    read += 1
                    print(f"READ        {name}: {result.kind} {result.format} "
                          f"id={result.document_id} v={result.version} "
                          f"{result.currency or ''} {result.total or ''}")
    print(f"\nTotal: {read + quarantined} documents, {read} read, {quarantined} quarantined")
    for code, count in reasons.most_common():
        print(f"  {code}: {count}")
    _attach_all(args.folders)
    return 0


_SOURCE_OF_FORMAT = {
    "ubl": "ubl",
    "cii": "cii",
    "factur_x": "cii",
    "wco_dec_dms": "customs",
    "wco_res_dms": "customs",
    "single_window_json": "customs",
}


def _attach_all(folders: list[Path]) -> None:
    """Receive every readable file into a throwaway book; print what became of each."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _conformance_book import book_for

    from tradecover.db.engine import make_session_factory, transaction
    from tradecover.feeds.attach_bridge import document_attacher
    from tradecover.feeds.model import ReceivedDocument
    from tradecover.feeds.record import TradeDocument
    from tradecover.feeds.service import receive
    from tradecover.feeds.stream.envelope import Envelope, FeedSource
    from tradecover.wiring import store_for

    files: list[tuple[str, bytes, TradeDocument | None]] = []
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if path.suffix.lower() not in DOCUMENT_SUFFIXES:
                continue
            data = path.read_bytes()
            result = read_document(data, source=path.name)
            document = None if isinstance(result, Quarantine) else result
            files.append((str(path.relative_to(folder)), data, document))
    with tempfile.TemporaryDirectory() as tmp:
        engine, org_id, problems = book_for(
            f"sqlite:///{tmp}/conformance.db", [d for _, _, d in files if d is not None]
        )
        for problem in problems:
            print(f"BOOK        {problem}")
        factory = make_session_factory(engine)
        attacher = document_attacher(store_for(engine))
        outcomes: Counter[str] = Counter()
        why: Counter[str] = Counter()
        print("\nAttachment (throwaway SQLite book):")
        for name, data, document in files:
            source = _SOURCE_OF_FORMAT.get(document.format.value, "ubl") if document else (
                "customs" if "customs" in name.lower() else "ubl"
            )
            envelope = Envelope.new(source=FeedSource(source), exporter_org_id=org_id, content=data)
            with transaction(factory) as session:
                received = receive(session, envelope, attach=attacher)
                row = session.get(ReceivedDocument, received.row_id)
                codes = [r["code"] for r in row.reasons] if row is not None else []
                declaration = row.declaration_id if row is not None else None
            linked = "linked_to_shipment" in codes
            status = "linked" if linked else received.status
            status = "duplicate" if received.duplicate else status
            outcomes[status] += 1
            why.update(f"{status}: {code}" for code in codes if code != "linked_to_shipment")
            print(f"{status.upper():<12}{name}: {', '.join(codes) or '-'}"
                  + (f" -> declaration {declaration}" if declaration else ""))
        engine.dispose()
    named = ("attached", "linked", "received", "quarantined", "duplicate")
    other = sum(outcomes.values()) - sum(outcomes[k] for k in named)
    print(f"\nAttached {outcomes['attached']}, linked to a declaration already made "
          f"{outcomes['linked']}, waiting (customs record without its invoice, or a "
          f"notification) {outcomes['received']}, quarantined {outcomes['quarantined']}, "
          f"duplicates {outcomes['duplicate']}, other {other}")
    for reason, count in why.most_common():
        print(f"  {reason}: {count}")


if __name__ == "__main__":
    sys.exit(main())

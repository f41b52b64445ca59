"""Run the feed readers over every document found under the given folders.

Usage: ``python scripts/feeds_conformance.py DIR... [--ubl-schematron XSLT]
[--cii-schematron XSLT]``.  Prints one line per file (read, with kind and id, or
quarantined, with the reason codes), then totals and the count of each quarantine
reason.  XML, JSON and PDF files are read as one document each, CSV files row by row;
other files are skipped.
"""

from __future__ import annotations

import argparse
import sys
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
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Rewrite the old rule citations to the rule ids of docs/domain/ (see docs/domain/README.md).

What it rewrites, in ``tradecover/**/*.py``, ``tests/**/*.py``, ``benchmarks/*.py`` and
``docs/**/*.md``:

* ``[rules §N]`` and ``[rules §N.M]`` (sections of the former docs/rules/core.md), and
  ``docs/rules/core.md section N``, become ``[domain X-N]``: the section's rule, or the rule
  this file meant where one section covered several (``FILE_SECTIONS``);
* ``[rules §4] and 7`` / ``([rules §5], 6)`` (a second bare section) become two citations;
* every mention of ``docs/rules/<page>.md`` (and, inside docs/, links to ``rules/<page>.md``)
  points at the page that now holds those rules;
* "source 00N" becomes ``[00N]``; "domain.md N.M" becomes the rule id; "issue N" wording is
  dropped ("(issue 14)", "(issue 3, bad input)" -> "(bad input)", "of issue 2 item 7").

Run from the repository root::

    python scripts/rewrite_citations.py --dry-run      # say what would change, write nothing
    python scripts/rewrite_citations.py                # rewrite the whole tree
    python scripts/rewrite_citations.py docs           # rewrite only under docs/

Running it twice changes nothing the second time.  It exits 1 when a citation is left that
it cannot map (named on stderr), so a new section or page is noticed.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The rule each section of the former core rules page became, by default.
SECTIONS: dict[str, str] = {
    "1": "P-1",
    "2": "P-2",
    "2.1": "C-2",
    "3": "P-3",
    "3.1": "P-4",
    "3.2": "P-5",
    "3.3": "P-7",
    "3.4": "P-8",
    "3.5": "P-10",
    "4": "L-1",
    "5": "D-1",
    "6": "D-9",
    "7": "C-7",
    "8": "PF-1",
    "9": "I-1",
}

#: Where one section covered several rules: the rule each file meant.
FILE_SECTIONS: dict[str, dict[str, str]] = {
    "tradecover/billing/__init__.py": {"6": "D-10"},
    "tradecover/billing/premium.py": {"6": "D-9"},
    "tradecover/buyers/identity.py": {"4": "L-14"},
    "tradecover/buyers/rating.py": {"4": "L-3"},
    "tradecover/claims/indemnity.py": {"4": "L-1", "7": "C-8"},
    "tradecover/claims/recovery.py": {"7": "C-14"},
    "tradecover/collections/__init__.py": {"7": "C-1"},
    "tradecover/collections/model.py": {"7": "C-3"},
    "tradecover/collections/overdue.py": {"7": "C-3"},
    "tradecover/declarations/cover.py": {"3.5": "P-11", "4": "L-7", "6": "D-9"},
    "tradecover/declarations/deadlines.py": {"3.2": "D-5"},
    "tradecover/declarations/model.py": {"6": "D-9"},
    "tradecover/declarations/service.py": {"6": "R-5"},
    "tradecover/declarations/shipment.py": {"5": "D-2"},
    "tradecover/limits/aggregate.py": {"4": "L-4"},
    "tradecover/limits/decision.py": {"4": "L-5"},
    "tradecover/limits/versions.py": {"4": "L-8"},
    "tradecover/pricing/rate_table.py": {"3.4": "R-9", "6": "R-2"},
    "tradecover/pricing/renewal.py": {"3.4": "R-9"},
    "tradecover/pricing/shipment_rates.py": {"6": "R-5"},
    "tradecover/pricing/short_term.py": {"6": "R-1"},
    "tradecover/subsidies/programme.py": {"6": "S-1"},
    "tests/unit/declarations/test_cover.py": {"3.5": "P-11"},
    "tests/unit/policies/test_liability.py": {"3.5": "P-11"},
    "tests/unit/pricing/test_renewal.py": {"3.4": "R-9"},
    "tests/unit/pricing/test_short_term.py": {"6": "R-1"},
}

#: Exact phrases of one file that need a rule other than their file's, applied first.
PHRASES: dict[str, tuple[tuple[str, str], ...]] = {
    "tradecover/policies/schedule.py": (
        ("maximum liability ([rules §3.2])", "maximum liability ([domain P-6])"),
    ),
    "tradecover/policies/lifecycle.py": (
        ("(always 0 under domain 3.5)", "(always 0 under [domain P-10])"),
    ),
    "tradecover/pricing/short_term.py": (
        ("Monotonicity (docs/rules/core.md section 6)", "Monotonicity ([domain R-2])"),
    ),
}

#: Where each former rules page went (repository paths, with the rule's anchor).
PAGES: dict[str, str] = {
    "README.md": "docs/domain/README.md",
    "core.md": "docs/domain/README.md",
    "api-conformance.md": "docs/operations/api-conformance.md",
    "audit-checkpoints.md": "docs/security/audit-checkpoints.md",
    "claim-documents.md": "docs/domain/claims.md#c-12",
    "database-outage.md": "docs/operations/database-outage.md",
    "input-hygiene.md": "docs/security/input-hygiene.md",
    "investment-debt.md": "docs/domain/investment-debt.md",
    "limit-utilisation.md": "docs/domain/limits.md#l-12",
    "shipment-pricing.md": "docs/domain/pricing.md#r-5",
    "sign-in-and-sessions.md": "docs/security/sign-in-and-sessions.md",
    "termination-and-premium.md": "docs/domain/policy-lifecycle.md#p-11",
    "whole-turnover.md": "docs/domain/declarations-and-premium.md#d-5",
}

_SECTION = r"(\d+(?:\.\d+)?)"
_ITEMS = r"(?:,? items? \d+(?:(?:, | and )\d+)*)?"
RULES_PAIR = re.compile(r"\[rules §" + _SECTION + r"\](,| and) §?(\d+)(?=[):;,])")
RULES = re.compile(r"\[rules §" + _SECTION + r"\]")
CORE_SECTION = re.compile(r"docs/rules/core\.md,? section " + _SECTION)
DOMAIN_MD = re.compile(r"domain\.md,?(?: section)? " + _SECTION)
SOURCE = re.compile(r"\b[Ss]ource (00\d)\b")
ISSUE_PAREN = re.compile(r"\s*\([Ii]ssue \d+" + _ITEMS + r"\)")
ISSUE_PAREN_LEAD = re.compile(r"\([Ii]ssue \d+" + _ITEMS + r"[,:;] ")
ISSUE_OF = re.compile(r" of issue \d+" + _ITEMS + r"(?=\W)")
ISSUE_SENTENCE = re.compile(r"\bIssue \d+" + _ITEMS + r"\.\s+")
ISSUE_LEAD = re.compile(r"\bIssue \d+" + _ITEMS + r":? ([a-z])")
PAGE_PATH = re.compile(r"docs/rules/([a-z0-9-]+\.md)")
PAGE_LINK = re.compile(r"\]\(((?:\.\./)*)rules/([a-z0-9-]+\.md)(#[a-z0-9-]*)?\)")
#: Files that quote the old wording on purpose (the examples of the citation tests).
EXCLUDED = ("tests/unit/docs/",)
FORBIDDEN = re.compile(r"issue \d|domain\.md|source 00\d|\[rules §|docs/rules/", re.IGNORECASE)


@dataclass
class Result:
    """What rewriting one file did."""

    path: str
    text: str
    changes: list[tuple[str, str]] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)


def rule_for(path: str, section: str) -> str | None:
    """The rule id a citation of ``section`` in ``path`` means, or None when unknown."""
    return FILE_SECTIONS.get(path, {}).get(section) or SECTIONS.get(section)


def _sub(
    result: Result, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str | None]
) -> None:
    def one(match: re.Match[str]) -> str:
        new = replace(match)
        if new is None:
            result.unmapped.append(match.group(0))
            return match.group(0)
        if new != match.group(0):
            result.changes.append((match.group(0), new))
        return new

    result.text = pattern.sub(one, result.text)


def _page_target(name: str) -> str | None:
    return PAGES.get(name)


def rewrite(path: str, text: str) -> Result:
    """Rewrite ``text``, the content of ``path`` (relative to the repository root)."""
    result = Result(path, text)
    for old, new in PHRASES.get(path, ()):
        if old in result.text:
            result.text = result.text.replace(old, new)
            result.changes.append((old, new))

    def cite(section: str) -> str | None:
        rule = rule_for(path, section)
        return None if rule is None else f"[domain {rule}]"

    def pair(m: re.Match[str]) -> str | None:
        first, second = cite(m.group(1)), cite(m.group(3))
        return None if first is None or second is None else f"{first}, {second}"

    _sub(result, RULES_PAIR, pair)
    _sub(result, RULES, lambda m: cite(m.group(1)))
    _sub(result, CORE_SECTION, lambda m: cite(m.group(1)))
    _sub(result, DOMAIN_MD, lambda m: cite(m.group(1)))
    _sub(result, SOURCE, lambda m: f"[{m.group(1)}]")
    _sub(result, ISSUE_PAREN, lambda m: "")
    _sub(result, ISSUE_PAREN_LEAD, lambda m: "(")
    _sub(result, ISSUE_OF, lambda m: "")
    _sub(result, ISSUE_SENTENCE, lambda m: "")
    _sub(result, ISSUE_LEAD, lambda m: m.group(1).upper())
    if path.endswith(".md"):
        here = os.path.dirname(path)

        def link(m: re.Match[str]) -> str | None:
            target = _page_target(m.group(2))
            if target is None:
                return None
            file, _, anchor = target.partition("#")
            rel = os.path.relpath(file, here or ".")
            anchor = m.group(3) or (f"#{anchor}" if anchor else "")
            return f"]({rel}{anchor})"

        _sub(result, PAGE_LINK, link)
    _sub(result, PAGE_PATH, lambda m: _page_target(m.group(1)))
    return result


def files_under(roots: Iterable[str]) -> Iterator[Path]:
    """The files the rewrite covers, under ``roots`` (paths relative to the repository)."""
    patterns = (
        ("tradecover", "**/*.py"),
        ("tests", "**/*.py"),
        ("benchmarks", "*.py"),
        ("docs", "**/*.md"),
    )
    wanted = [Path(r).as_posix().rstrip("/") for r in roots]
    for top, glob in patterns:
        for file in sorted((ROOT / top).glob(glob)):
            rel = file.relative_to(ROOT).as_posix()
            if rel.startswith(EXCLUDED):
                continue
            if any(rel == w or rel.startswith(w + "/") or w == "." for w in wanted):
                yield file


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with ``--dry-run`` only report) the citations under the given paths."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=["tradecover", "tests", "benchmarks", "docs"])
    parser.add_argument("--dry-run", action="store_true", help="report, write nothing")
    args = parser.parse_args(argv)
    changed = total = 0
    unmapped: list[str] = []
    for file in files_under(args.paths):
        rel = file.relative_to(ROOT).as_posix()
        text = file.read_text(encoding="utf-8")
        result = rewrite(rel, text)
        unmapped += [f"{rel}: {u}" for u in result.unmapped]
        if result.text == text:
            continue
        changed += 1
        total += len(result.changes)
        print(f"{rel}: {len(result.changes)} change(s)")
        for old, new in result.changes:
            print(f"    {old.strip()!r} -> {new.strip()!r}")
        if not args.dry_run:
            file.write_text(result.text, encoding="utf-8")
    verb = "would change" if args.dry_run else "changed"
    print(f"{verb} {total} citation(s) in {changed} file(s)")
    for u in unmapped:
        print(f"cannot map: {u}", file=sys.stderr)
    return 1 if unmapped else 0


if __name__ == "__main__":
    raise SystemExit(main())

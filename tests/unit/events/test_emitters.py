"""Every catalogued event type is recorded by some use case: a type nobody records fails.

The scan reads the source (no import): a type counts as recorded when its name is a
string literal in a module of ``tradecover`` (outside the events context itself) that
records events, i.e. calls ``record_event`` or ``record_events`` or builds a
``PendingEvent``.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from tradecover.events import CATALOG

ROOT = Path(__file__).resolve().parents[3] / "tradecover"
RECORDERS = {"record_event", "record_events", "PendingEvent"}
NOT_YET: set[str] = set()
"""Catalogued types no use case records yet (none: every type is told)."""


def _called(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


@cache
def recorded_types() -> dict[str, frozenset[str]]:
    """The catalogued names found in each recording module (relative path -> names); a
    module whose text never names a recorder cannot call one and is not parsed.
    """
    found: dict[str, frozenset[str]] = {}
    for path in sorted(ROOT.rglob("*.py")):
        if "events" in path.relative_to(ROOT).parts[:1]:
            continue
        source = path.read_text(encoding="utf-8")
        if not any(name in source for name in RECORDERS):
            continue
        tree = ast.parse(source)
        nodes = list(ast.walk(tree))
        if not any(isinstance(n, ast.Call) and _called(n) in RECORDERS for n in nodes):
            continue
        names = {
            n.value
            for n in nodes
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in CATALOG
        }
        if names:
            found[str(path.relative_to(ROOT))] = frozenset(names)
    return found


def test_every_catalogued_type_is_recorded_by_a_use_case() -> None:
    recorded = set().union(*recorded_types().values())
    missing = sorted(set(CATALOG) - recorded - NOT_YET)
    assert missing == [], f"event types no use case records: {missing}"


def test_the_scan_sees_the_known_recorders() -> None:
    modules = recorded_types()
    assert "limit.decided" in modules["limits/applications/recording.py"]
    assert {"declaration.attached", "declaration.refused", "declaration.corrected"} <= modules[
        "declarations/attachment/record.py"
    ]
    assert {"declaration.reminded", "collection.chased"} <= modules[
        "collections/daily_job_repository.py"
    ]
    assert set(CATALOG) >= NOT_YET

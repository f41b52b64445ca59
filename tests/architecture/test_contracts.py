"""The import contracts hold, and they classify every module of tradecover exactly once."""

from __future__ import annotations

import os
import subprocess
import sys

import grimp

from tests.architecture.layering import (
    PACKAGE,
    ROOT,
    contracts,
    graph,
    layers,
    project_modules,
    resolve,
)

# Top-level packages outside the contexts and the edges: may read every context.
EXEMPT = {
    "tradecover.db",
    "tradecover.config",
    "tradecover.kit",
    "tradecover.reference",
    "tradecover.reporting",
}


def test_the_import_contracts_are_kept() -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports; "
            "raise SystemExit(lint_imports(no_cache=True, no_logo=True))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]


def test_every_module_sits_in_exactly_one_layer() -> None:
    found = layers()
    named = {"edges": found.edges, "services": found.services, "pure": found.pure, "kit": found.kit}
    unplaced = sorted(project_modules() - set().union(*named.values()))
    assert unplaced == [], (
        "list each new module under the 'pure' contract's source_modules in .importlinter, "
        "or name it like a service or an edge"
    )
    twice = sorted(
        f"{m} is {a} and {b}" for a in named for b in named if a < b for m in named[a] & named[b]
    )
    assert twice == []


def test_pure_rules_are_forbidden_exactly_the_services_and_the_edges() -> None:
    pure = contracts()["pure"]
    found = layers()
    assert resolve(pure["forbidden_modules"]) == found.services | found.edges
    assert found.kit <= resolve(pure["source_modules"]) | {PACKAGE}


def test_the_kit_is_forbidden_every_other_top_level_package() -> None:
    kit = contracts()["kit"]
    top = {m for m in project_modules() if m.count(".") == 1}
    assert set(kit["forbidden_modules"]) == top - set(kit["source_modules"])


def test_every_top_level_package_is_a_context_an_edge_or_exempt() -> None:
    contexts = set(contracts()["contexts"]["modules"])
    edges = set(contracts()["edges"]["source_modules"])
    top = {m for m in project_modules() if m.count(".") == 1}
    assert sorted(top - contexts - edges - EXEMPT) == []
    assert contexts.isdisjoint(edges)
    assert set(contracts()["edges"]["forbidden_modules"]) == {f"{c}.**" for c in contexts}


def test_the_graph_is_the_whole_package() -> None:
    # a folder without __init__.py would be invisible to every contract
    files = {
        p for p in (ROOT / PACKAGE).rglob("*.py") if "migrations" not in p.relative_to(ROOT).parts
    }
    modules = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__") for p in files
    }
    assert sorted(modules - set(graph().modules)) == []


# Pure modules that name a service for the type checker only, and why.
TYPED_ONLY_UPWARD = {
    "tradecover.billing.document -> tradecover.billing.service": (
        "the printable notice is laid out from the service's NoticeView"
    ),
    "tradecover.limits.rules -> tradecover.config": (
        "LimitRules.from_settings reads the configured thresholds"
    ),
}


def test_pure_rules_name_no_service_even_for_the_type_checker() -> None:
    # a public face may (its lazy use cases); any other pure module may not
    with_types = grimp.build_graph(PACKAGE, exclude_type_checking_imports=False, cache_dir=None)
    found = layers()
    upper = found.services | found.edges
    faces = {
        m for m in found.pure | found.kit if ROOT.joinpath(*m.split("."), "__init__.py").exists()
    }
    upward = sorted(
        f"{m} -> {i}"
        for m in (found.pure | found.kit) - faces
        for i in with_types.find_modules_directly_imported_by(m)
        if i in upper
    )
    ignored = set(contracts()["pure"].get("ignore_imports", []))
    assert [u for u in upward if u not in ignored] == sorted(TYPED_ONLY_UPWARD)

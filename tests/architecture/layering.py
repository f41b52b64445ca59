"""The layers as the import contracts state them (``.importlinter``), resolved on the graph.

The contracts name the layers; this module reads them back so that the architecture tests
check the same lists that ``lint-imports`` checks:

* edges: the ``forbidden_modules`` of the "services" contract;
* services: its ``source_modules``;
* kit: the packages of the "kit" contract (less the edges inside them) and the root package;
* pure rules: the rest of the "pure" contract's ``source_modules``.
"""

from __future__ import annotations

import configparser
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".importlinter"
PACKAGE = "tradecover"


@dataclass(frozen=True)
class Layers:
    """The modules of tradecover by layer."""

    edges: frozenset[str]
    services: frozenset[str]
    pure: frozenset[str]
    kit: frozenset[str]


@cache
def contracts() -> dict[str, dict[str, list[str]]]:
    """Each contract's options by its id: every value as its list of non-comment lines."""
    parser = configparser.ConfigParser()
    parser.read_string(CONFIG.read_text(encoding="utf-8"))
    found: dict[str, dict[str, list[str]]] = {}
    for section in parser.sections():
        if section.startswith("importlinter:contract:"):
            found[section.split(":")[-1]] = {
                key: [line.strip() for line in value.strip().splitlines() if line.strip()]
                for key, value in parser[section].items()
            }
    return found


@cache
def graph() -> grimp.ImportGraph:
    """The import graph as lint-imports builds it (type-checking imports left out)."""
    return grimp.build_graph(
        PACKAGE, include_external_packages=True, exclude_type_checking_imports=True, cache_dir=None
    )


def project_modules() -> frozenset[str]:
    """Every module of the tradecover package."""
    return frozenset(m for m in graph().modules if m.split(".")[0] == PACKAGE)


def resolve(expressions: Iterable[str], *, as_packages: bool = False) -> frozenset[str]:
    """The tradecover modules that module expressions (``*`` and ``**`` wildcards) name."""
    g = graph()
    found: set[str] = set()
    for expression in expressions:
        if expression.split(".")[0] != PACKAGE:
            continue  # a library
        if "*" in expression:
            matched = set(g.find_matching_modules(expression))
        else:
            if expression not in g.modules:
                raise LookupError(f"{CONFIG.name} names {expression}, which does not exist")
            matched = {expression}
        if as_packages:
            matched |= {d for m in matched for d in g.find_descendants(m)}
        found |= matched
    return frozenset(found)


def libraries(expressions: Iterable[str]) -> frozenset[str]:
    """The libraries (top-level packages outside tradecover) that a list names."""
    return frozenset(e for e in expressions if e.split(".")[0] != PACKAGE)


@cache
def layers() -> Layers:
    """The four layers as the contracts list them."""
    c = contracts()
    edges = resolve(c["services"]["forbidden_modules"])
    services = resolve(c["services"]["source_modules"])
    kit = (resolve(c["kit"]["source_modules"], as_packages=True) - edges) | {PACKAGE}
    pure = resolve(c["pure"]["source_modules"]) - kit
    return Layers(edges, services, pure, kit)


def ignored_importers(contract: str) -> frozenset[str]:
    """The modules whose imports a contract ignores for now (named without wildcards)."""
    lines = contracts()[contract].get("ignore_imports", [])
    return frozenset(
        line.split("->")[0].strip() for line in lines if "*" not in line.split("->")[0]
    )

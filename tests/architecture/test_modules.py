"""House rules that hold module by module: size, transactions, what the project reads."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.architecture.layering import PACKAGE, ROOT, layers

MAX_LINES = 600
MIGRATIONS = ROOT / PACKAGE / "db" / "migrations"
# Services that commit a connection they were handed, and why that is the edge's choice.
COMMITS_WHEN_ASKED = {
    # one round trip: the edge passes commit=True and the COMMIT rides in the pipeline
    "tradecover.declarations.attachment.postgres_repository",
    "tradecover.declarations.attachment.portable_repository",
}


def _source(module: str) -> Path:
    path = ROOT.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def test_no_module_is_over_600_lines() -> None:
    long = []
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        if path.is_relative_to(MIGRATIONS):
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert long == []


def _commits_of_a_parameter(tree: ast.Module) -> list[str]:
    """``x.commit()`` calls where ``x`` is a parameter of the enclosing function."""
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        arguments = function.args
        parameters = {
            a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
        }
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "commit"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in parameters
            ):
                found.append(f"{function.name} commits {node.func.value.id} (l.{node.lineno})")
    return found


def test_services_never_commit_the_callers_transaction() -> None:
    offenders = []
    found = layers()
    for module in sorted((found.services | found.pure) - COMMITS_WHEN_ASKED):
        tree = ast.parse(_source(module).read_text(encoding="utf-8"))
        offenders += [f"{module}: {c}" for c in _commits_of_a_parameter(tree)]
    assert offenders == []


def test_the_commit_check_sees_a_service_that_commits() -> None:
    tree = ast.parse(
        "def record(session, entry):\n    session.add(entry)\n"
        "    session.commit()\n\n"
        "def claim(factory):\n    with factory() as own:\n        own.commit()\n"
    )
    assert _commits_of_a_parameter(tree) == ["record commits session (l.3)"]


SHARED_FOLDER = "/".join(["..", "shared"])  # the developers' folder a user's clone lacks


def test_the_project_never_reads_the_shared_folder() -> None:
    this = Path(__file__).resolve()
    for path in [*(ROOT / PACKAGE).rglob("*.py"), *(ROOT / "tests").rglob("*.py")]:
        if path.resolve() == this:
            continue
        assert SHARED_FOLDER not in path.read_text(encoding="utf-8"), path

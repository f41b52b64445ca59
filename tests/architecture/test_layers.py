"""The layout tells the architecture: pure cores import no adapter, dependencies point inward."""

from __future__ import annotations

import ast
from pathlib import Path

import tradecover

PACKAGE = Path(tradecover.__file__).parent
ADAPTER_LIBS = ("fastapi", "starlette", "sqlalchemy", "alembic", "typer", "rich", "jinja2",
                "uvicorn", "psycopg")
# Modules that hold pure business rules: no web, no SQL, no CLI.
PURE_MODULES = [
    "kit/money.py", "kit/dates.py", "kit/errors.py", "kit/four_eyes.py",
    "policies/lifecycle.py", "policies/schedule.py", "policies/review.py",
    "policies/liability.py",
    "audit/chain.py", "audit/checkpoint.py", "country_risk/cover.py",
]
PURE_PACKAGES = ["reference", "pricing", "risk", "buyers", "limits", "declarations",
                 "billing", "subsidies", "ledger", "claims", "collections", "feeds"]
ADAPTER_FILE_NAMES = {"model.py", "repository.py", "service.py", "api.py", "schemas.py",
                      "upload.py", "cli.py", "jobs.py", "tasks.py"}
# Adapters under other names inside a pure package (their layer is that of a service).
ADAPTER_MODULES = {"feeds/attach_bridge.py", "feeds/stream/worker.py"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _pure_files() -> list[Path]:
    files = [PACKAGE / m for m in PURE_MODULES]
    for package in PURE_PACKAGES:
        folder = PACKAGE / package
        if folder.is_dir():
            files += [p for p in folder.rglob("*.py") if p.name not in ADAPTER_FILE_NAMES
                      and not p.name.endswith("_repository.py")  # e.g. pg_repository.py
                      and not p.name.endswith("_endpoint.py")  # e.g. erp_endpoint.py (ASGI)
                      and "distributed" not in p.name
                      and p.relative_to(PACKAGE).as_posix() not in ADAPTER_MODULES]
    return files


def test_pure_cores_import_no_adapter_library() -> None:
    offenders = []
    for path in _pure_files():
        for name in _imports(path):
            if name.split(".")[0] in ADAPTER_LIBS:
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_nothing_imports_the_web_or_cli_adapters_except_the_edges() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith(("web/", "cli/", "api/")) or rel.endswith("cli.py"):
            continue
        for name in _imports(path):
            if name.startswith(("tradecover.web", "tradecover.cli")):
                offenders.append(f"{rel} imports {name}")
    assert offenders == []


SHARED_FOLDER = "/".join(["..", "shared"])  # the developers' folder a user's clone lacks


def test_the_project_never_reads_the_shared_folder() -> None:
    for path in list(PACKAGE.rglob("*.py")) + list(Path("tests").rglob("*.py")):
        if path.name == "test_layers.py":
            continue
        assert SHARED_FOLDER not in path.read_text(encoding="utf-8"), path

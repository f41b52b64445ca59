"""A context's public face: every name of ``__all__`` resolves, and the lazy names agree.

A face built with :func:`tradecover.kit.public_face.lazy_exports` names each lazy export
twice: in the mapping handed to ``lazy_exports`` (what runs) and in an ``if TYPE_CHECKING:``
import (what mypy sees).  Both must name the same things from the same modules, and every
lazy name must be public.
"""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.architecture.layering import ROOT, project_modules


def _faces() -> list[str]:
    """The packages of tradecover that declare ``__all__``."""
    found = []
    for name in sorted(project_modules()):
        init = ROOT.joinpath(*name.split("."), "__init__.py")
        if init.exists() and "__all__" in init.read_text(encoding="utf-8"):
            found.append(name)
    return found


def _type_checking_imports(tree: ast.Module, package: str) -> dict[str, str]:
    """Name -> module of the imports under ``if TYPE_CHECKING:`` at module level."""
    found: dict[str, str] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.If)
            and isinstance(node.test, ast.Name)
            and node.test.id == "TYPE_CHECKING"
        ):
            for inner in node.body:
                if isinstance(inner, ast.ImportFrom) and inner.module:
                    module = inner.module if inner.level == 0 else (package + "." + inner.module)
                    for alias in inner.names:
                        found[alias.asname or alias.name] = module
    return found


def _lazy_mapping(tree: ast.Module) -> dict[str, str] | None:
    """The literal mapping handed to ``lazy_exports`` (name -> module), if the face has one."""
    assigned: dict[str, ast.expr] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            assigned[node.targets[0].id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            assigned[node.target.id] = node.value
    for call in ast.walk(tree):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id == "lazy_exports"
            and len(call.args) == 2
        ):
            arg = call.args[1]
            value = assigned.get(arg.id) if isinstance(arg, ast.Name) else arg
            if value is None:
                raise AssertionError("lazy_exports needs a literal mapping at module level")
            mapping = ast.literal_eval(value)
            assert isinstance(mapping, dict)
            return {str(k): str(v) for k, v in mapping.items()}
    return None


def face_problems(package: str, init: Path) -> list[str]:
    """What is wrong with the public face ``package`` (its ``__init__`` at ``init``)."""
    problems: list[str] = []
    module = importlib.import_module(package)
    public = list(getattr(module, "__all__", []))
    if len(public) != len(set(public)):
        problems.append("__all__ repeats a name")
    for name in public:
        try:
            getattr(module, name)
        except AttributeError:
            problems.append(f"{name} in __all__ does not resolve")
    tree = ast.parse(init.read_text(encoding="utf-8"))
    lazy = _lazy_mapping(tree)
    if lazy is None:
        return problems
    typed = _type_checking_imports(tree, package)
    for name in sorted(set(lazy) | set(typed)):
        if name not in typed:
            problems.append(f"lazy {name} has no TYPE_CHECKING import")
        elif name not in lazy:
            problems.append(f"TYPE_CHECKING import {name} is not lazy")
        elif typed[name] != f"{package}.{lazy[name]}":
            problems.append(f"{name}: lazy from {package}.{lazy[name]}, typed from {typed[name]}")
        if name in lazy and name not in public:
            problems.append(f"lazy {name} is not in __all__")
    return problems


@pytest.mark.parametrize("package", _faces())
def test_a_public_face_resolves_and_its_lazy_names_agree(package: str) -> None:
    assert face_problems(package, ROOT.joinpath(*package.split("."), "__init__.py")) == []


def test_some_context_has_a_public_face() -> None:
    assert len(_faces()) >= 5


_GOOD = """
from typing import TYPE_CHECKING
from tradecover.kit.public_face import lazy_exports
from facepkg.rules import rule as rule

if TYPE_CHECKING:
    from facepkg.cases import use_case as use_case

_LAZY = {"use_case": "cases"}
__getattr__ = lazy_exports(__name__, _LAZY)
__all__ = sorted([*_LAZY, "rule"])
"""


@pytest.fixture
def face_package(tmp_path: Path) -> Iterator[Path]:
    """A throw-away package ``facepkg`` with a pure rule and a lazy use case."""
    root = tmp_path / "facepkg"
    root.mkdir()
    (root / "rules.py").write_text("def rule() -> int:\n    return 1\n")
    (root / "cases.py").write_text("def use_case() -> int:\n    return 2\n")
    sys.path.insert(0, str(tmp_path))
    yield root
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m.split(".")[0] == "facepkg"]:
        del sys.modules[name]


def test_the_check_accepts_a_face_whose_names_agree(face_package: Path) -> None:
    (face_package / "__init__.py").write_text(_GOOD)
    assert face_problems("facepkg", face_package / "__init__.py") == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            ('"use_case": "cases"', '"use_case": "rules"'),
            "use_case: lazy from facepkg.rules, typed from facepkg.cases",
        ),
        (
            ('{"use_case": "cases"}', '{"use_case": "cases", "other": "cases"}'),
            "lazy other has no TYPE_CHECKING import",
        ),
        (("[*_LAZY, ", '["use_case", "missing", '), "missing in __all__ does not resolve"),
        (("[*_LAZY, ", "["), "lazy use_case is not in __all__"),
    ],
)
def test_the_check_names_what_disagrees(
    face_package: Path, change: tuple[str, str], problem: str
) -> None:
    (face_package / "__init__.py").write_text(_GOOD.replace(*change))
    assert problem in face_problems("facepkg", face_package / "__init__.py")

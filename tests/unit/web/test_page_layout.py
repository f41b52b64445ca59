"""The dashboard's layout: one package per context on the page kit, reading through services.

Pages live in ``tradecover/web/<context>/`` and render templates of
``templates/<context>/``; they build on :mod:`tradecover.web.kit` and never import another
module's private names, the ORM models at run time, or SQLAlchemy's query builder.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import tradecover.web
from tradecover.web import i18n, kit

WEB = Path(tradecover.web.__file__).parent
ACCESS_API = WEB.parent / "access" / "api.py"
SHARED_TEMPLATES = {"base.html", "error.html", "_table.html"}
"""The layout every page extends, the error page of the kit and the table kit's macros."""


def _web_modules() -> list[Path]:
    return sorted(WEB.rglob("*.py"))


def _page_modules() -> list[Path]:
    return sorted(p for p in WEB.glob("*/*.py") if p.name != "__init__.py")


def _runtime_imports(path: Path) -> list[ast.ImportFrom | ast.Import]:
    """The import statements of a module, leaving out ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            skipped.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in skipped
    ]


def test_no_module_imports_a_private_name_of_another() -> None:
    offenders = []
    for path in [*_web_modules(), ACCESS_API]:
        for node in _runtime_imports(path):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("tradecover")
            ):
                offenders += [
                    f"{path.relative_to(WEB.parent)}: {node.module}.{alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_")
                ]
    assert offenders == []


def test_pages_and_the_access_api_never_query_the_orm() -> None:
    offenders = []
    for path in [*_web_modules(), ACCESS_API]:
        for node in _runtime_imports(path):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
            )
            offenders += [
                f"{path.relative_to(WEB.parent)} imports {name}"
                for name in names
                if name == "sqlalchemy" or name.endswith(".model")
            ]
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("tradecover.")
                and any(alias.name == "model" for alias in node.names)
            ):
                offenders.append(f"{path.relative_to(WEB.parent)} imports a model module")
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bselect\(|session\.get\(|\.execute\(", text):
            offenders.append(f"{path.relative_to(WEB.parent)} builds a query")
    assert offenders == []


def test_each_page_module_renders_the_templates_of_its_own_context() -> None:
    offenders = []
    for path in _page_modules():
        context = path.parent.name
        for template in re.findall(r'"([\w/]+\.html)"', path.read_text(encoding="utf-8")):
            if template not in SHARED_TEMPLATES and not template.startswith(f"{context}/"):
                offenders.append(f"{path.relative_to(WEB)} renders {template}")
    assert offenders == []


def test_every_template_lives_under_its_context_folder() -> None:
    templates = Path(i18n.TEMPLATE_DIR)
    loose = sorted(p.name for p in templates.glob("*.html"))
    assert loose == sorted(SHARED_TEMPLATES)
    contexts = {p.name for p in templates.iterdir() if p.is_dir()}
    assert contexts <= {p.name for p in WEB.iterdir() if (p / "pages.py").is_file()}


def test_the_kit_lists_its_public_names() -> None:
    assert all(hasattr(kit, name) for name in kit.__all__)
    assert not [name for name in kit.__all__ if name.startswith("_")]


def test_safe_next_keeps_local_paths_only() -> None:
    assert kit.safe_next("/limits?page=2") == "/limits?page=2"
    for foreign in (None, "", "https://evil.example/", "//evil.example/", "/\\evil", "limits"):
        assert kit.safe_next(foreign) == "/"
    assert kit.safe_next("//x", default="/") == "/"

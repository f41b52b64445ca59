"""A context's public face: the names its package offers the other contexts.

A context's ``__init__`` lists its public names.  Pure rules are imported eagerly (they
load no SQLAlchemy); use cases and queries that need the database are resolved lazily on
first use, so that importing a pure module of the context (which imports the package
first) never drags SQLAlchemy in.  The type checker sees the lazy names through
``if TYPE_CHECKING:`` imports next to the mapping; ``tests/architecture`` checks that
both agree and that every name in ``__all__`` resolves.

Usage in ``tradecover/<context>/__init__.py``::

    from typing import TYPE_CHECKING
    from tradecover.kit.public_face import lazy_exports

    if TYPE_CHECKING:
        from tradecover.policies.issuance import issue_policy as issue_policy

    _LAZY = {"issue_policy": "issuance"}
    __getattr__ = lazy_exports(__name__, _LAZY)
    __all__ = sorted([*_LAZY, ...eager names...])
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def lazy_exports(package: str, exports: Mapping[str, str]) -> Callable[[str], object]:
    """Return a module ``__getattr__`` that imports ``package.<module>`` on first use.

    ``exports`` maps each public name to the module (relative to ``package``) that
    defines it.
    """
    table = dict(exports)

    def __getattr__(name: str) -> object:  # noqa: N807 (a module __getattr__, PEP 562)
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    return __getattr__

"""Sub-commands loaded on first use, so ``tradecover --help`` starts in a blink.

Each command group of the root lives in a module that imports SQLAlchemy, FastAPI,
NumPy... at its top. The root names every group with its one-line help (:class:`Lazy`)
and imports a group's module only when the group runs or prints its own help; the root's
help lists the groups from these lines alone. ``tests/unit/cli/test_lazy.py`` pins each
line against the help of the group it stands for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

import typer
from typer import _click as click
from typer.core import TyperCommand

from tradecover.cli.hygiene import HygienicGroup


@dataclass(frozen=True)
class Lazy:
    """One sub-command of the root: its name, its one-line help and where it lives.

    ``target`` is ``"module:attribute"`` naming a ``typer.Typer`` (a group) or a
    function (a single command), or a function taking no argument that returns one
    (for a group that other modules complete before it runs).
    """

    name: str
    help: str
    target: str | Callable[[], Any]


@cache
def _resolve(target: str | Callable[[], Any]) -> Any:
    """The Typer group or command function behind ``target``, loaded once per process."""
    if not isinstance(target, str):
        return target()
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)


def load(lazy: Lazy) -> click.Command:
    """The click command of a lazy sub-command, named as the root names it."""
    found = _resolve(lazy.target)
    if isinstance(found, typer.Typer):
        command: click.Command = typer.main.get_group(found)
    else:
        single = typer.Typer()
        single.command(lazy.name)(found)
        command = typer.main.get_command(single)
    command.name = lazy.name
    return command


class LazyGroup(HygienicGroup):
    """The root group: the sub-commands of :attr:`lazy` load when they are resolved.

    While the root prints its own help, each lazy sub-command stands as a placeholder
    holding only its name and help line, so listing them imports nothing.
    """

    lazy: ClassVar[tuple[Lazy, ...]] = ()
    _listing: bool = False

    def _lazy(self, name: str) -> Lazy | None:
        return next((item for item in self.lazy if item.name == name), None)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The eager commands, then the lazy ones in their declared order."""
        eager = super().list_commands(ctx)
        return [*eager, *(item.name for item in self.lazy if item.name not in eager)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """An eager command; a lazy one loaded (a placeholder while listing the help)."""
        eager = super().get_command(ctx, cmd_name)
        item = self._lazy(cmd_name) if eager is None else None
        if item is None:
            return eager
        if self._listing:
            return TyperCommand(item.name, help=item.help)
        return load(item)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The root's help, listing the lazy sub-commands without loading them."""
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

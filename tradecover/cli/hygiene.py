"""Input hygiene at the CLI entry: every argument and option value of the command line is
checked by ``kit.text`` before any command runs (``docs/security/input-hygiene.md``).

The check reads the raw argument list, so a command added later is covered without a line
of its own. An option value is named by its option (``--reason``), and prose options
(:func:`tradecover.kit.text.allows_line_breaks`: ``--reason``, ``--notes``...) may hold
tab and line breaks; a positional argument is named by its position. A refusal prints
the error like every domain error and exits with code 4 (invalid input); nothing runs.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import Any

from typer.core import TyperGroup

from tradecover.cli.context import err_console, exit_code_for
from tradecover.kit.errors import DomainError
from tradecover.kit.text import check_text


def named_arguments(args: Sequence[str]) -> Iterator[tuple[str, str, bool | None]]:
    """Each (field, text, prose) of a command line: the value of ``--name=value`` and the
    argument following ``--name`` are named ``name`` (prose when the name says so); option
    names and other arguments are named ``argument N`` (1-based) and are one-line text.
    """
    option: str | None = None
    for position, arg in enumerate(args, start=1):
        if arg.startswith("--") and len(arg) > 2:
            name, equals, value = arg[2:].partition("=")
            yield f"argument {position}", f"--{name}", False
            option = name.replace("-", "_")
            if equals:
                yield option, value, None
                option = None
        elif option is not None:
            yield option, arg, None
            option = None
        else:
            yield f"argument {position}", arg, False


def check_command_line(args: Sequence[str]) -> None:
    """Refuse a command line holding a control or bidirectional-formatting character
    (tab and line breaks only in the values of prose options): ``UnsafeText`` naming it.
    """
    for field, text, prose in named_arguments(args):
        check_text(text, field=field, prose=prose)


class HygienicGroup(TyperGroup):
    """The root command: checks the whole command line before parsing it."""

    def main(self, args: Sequence[str] | None = None, *pos: Any, **kwargs: Any) -> Any:
        """Check ``args`` (default: ``sys.argv[1:]``), then run the command as usual."""
        given = list(sys.argv[1:] if args is None else args)
        try:
            check_command_line(given)
        except DomainError as error:
            err_console.print(f"[red]error[/red] {error.code} ({error.field}): {error.message}")
            sys.exit(exit_code_for(error))
        return super().main(given, *pos, **kwargs)

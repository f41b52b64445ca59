"""CLI commands of policy administration."""

from __future__ import annotations

import typer

app = typer.Typer(help="Short-term policies: applications, underwriting, renewal, termination.",
                  no_args_is_help=True)

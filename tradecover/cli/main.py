"""The ``tradecover`` command: one sub-command group per bounded context."""

from __future__ import annotations

import typer

from tradecover.cli import core

app = typer.Typer(name="tradecover", help="tradecover: export credit insurance.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
core.register(app)


def _register_contexts() -> None:
    from tradecover.country_risk.cli import app as countries_app
    from tradecover.policies.cli import app as policies_app
    from tradecover.pricing.cli import register as register_pricing

    app.add_typer(policies_app, name="policies")
    app.add_typer(countries_app, name="countries")
    register_pricing(app)


_register_contexts()


def main() -> None:
    """Entry point of the console script."""
    app()

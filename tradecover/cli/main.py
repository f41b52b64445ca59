"""The ``tradecover`` command: one sub-command group per bounded context."""

from __future__ import annotations

import typer

from tradecover.cli import core
from tradecover.cli.hygiene import HygienicGroup

app = typer.Typer(
    name="tradecover",
    help="tradecover: export credit insurance.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=HygienicGroup,
)  # the command line is checked first (cli.hygiene)
core.register(app)


def _register_contexts() -> None:
    from tradecover.access.cli import app as sessions_app
    from tradecover.billing.cli import app as billing_app
    from tradecover.buyers.cli import app as buyers_app
    from tradecover.claims.cli import app as claims_app
    from tradecover.claims.investment_debt.cli import register as register_id_claims
    from tradecover.collections.cli import app as overdue_app
    from tradecover.consents.cli import app as consents_app
    from tradecover.country_risk.cli import app as countries_app
    from tradecover.declarations.cli import app as declarations_app
    from tradecover.feeds.cli import app as feeds_app
    from tradecover.jobs.cli import app as jobs_app
    from tradecover.ledger.cli import app as ledger_app
    from tradecover.limits.cli import app as limits_app
    from tradecover.mail.cli import app as mail_app
    from tradecover.policies.cli import app as policies_app
    from tradecover.policies.investment_debt_cli import app as investment_debt_app
    from tradecover.pricing.cli import register as register_pricing
    from tradecover.reporting.cli import check as check_books
    from tradecover.reporting.cli import statement as programme_statement
    from tradecover.risk.cli import app as risk_app
    from tradecover.subsidies.cli import app as subsidies_app
    from tradecover.webhooks.cli import app as webhooks_app

    app.add_typer(policies_app, name="policies")
    app.add_typer(countries_app, name="countries")
    app.add_typer(buyers_app, name="buyers")
    app.add_typer(limits_app, name="limits")
    app.add_typer(declarations_app, name="declarations")
    register_pricing(app)
    app.add_typer(billing_app, name="billing")
    subsidies_app.command("statement")(programme_statement)
    app.add_typer(subsidies_app, name="subsidies")
    ledger_app.command("check")(check_books)
    app.add_typer(ledger_app, name="ledger")
    app.add_typer(risk_app, name="risk")
    app.add_typer(claims_app, name="claims")
    app.add_typer(overdue_app, name="overdue")
    app.add_typer(sessions_app, name="sessions")
    register_id_claims(investment_debt_app)  # the claims context adds its commands
    app.add_typer(investment_debt_app, name="investment-debt")
    app.add_typer(feeds_app, name="feeds")
    app.add_typer(webhooks_app, name="webhooks")
    app.add_typer(jobs_app, name="jobs")
    app.add_typer(consents_app, name="consents")
    app.add_typer(mail_app, name="mail")


_register_contexts()


def main() -> None:
    """Entry point of the console script."""
    app()

"""The ``tradecover`` command: one sub-command group per bounded context.

The groups load on first use (:mod:`tradecover.cli.lazy`): ``tradecover --help`` imports
neither SQLAlchemy nor FastAPI nor NumPy.
"""

from __future__ import annotations

from typing import Annotated

import typer

from tradecover.cli.lazy import Lazy, LazyGroup


def _subsidies() -> typer.Typer:
    from tradecover.reporting.cli import statement as programme_statement
    from tradecover.subsidies.cli import app as subsidies_app

    subsidies_app.command("statement")(programme_statement)
    return subsidies_app


def _ledger() -> typer.Typer:
    from tradecover.ledger.cli import app as ledger_app
    from tradecover.reporting.cli import check as check_books

    ledger_app.command("check")(check_books)
    return ledger_app


def _investment_debt() -> typer.Typer:
    from tradecover.claims.investment_debt.cli import register as register_id_claims
    from tradecover.policies.investment_debt_cli import app as investment_debt_app

    register_id_claims(investment_debt_app)  # the claims context adds its commands
    return investment_debt_app


def _policies() -> typer.Typer:
    import tradecover.market  # noqa: F401  (registers the market's underwriting guard, MK-11)
    from tradecover.policies.cli import app as policies_app

    return policies_app


def _coinsurance() -> typer.Typer:
    import tradecover.market  # noqa: F401  (registers the market's guard on participations)
    from tradecover.coinsurance.cli import app as coinsurance_app

    return coinsurance_app


SUBCOMMANDS: tuple[Lazy, ...] = (
    Lazy("db", "Database schema (Alembic migrations).", "tradecover.cli.core:db_app"),
    Lazy("apikey", "API keys for systems.", "tradecover.cli.core:apikey_app"),
    Lazy("org", "Organisations and users.", "tradecover.cli.core:org_app"),
    Lazy("audit", "The hash-chained audit log.", "tradecover.cli.core:audit_app"),
    Lazy("demo", "The demo book.", "tradecover.cli.core:demo_app"),
    Lazy(
        "policies",
        "Short-term policies: applications, underwriting, renewal, termination.",
        _policies,
    ),
    Lazy(
        "countries",
        "Country risk classes, cover status and exposure caps.",
        "tradecover.country_risk.cli:app",
    ),
    Lazy(
        "buyers", "Buyers and banks: registry, ratings, match reviews.", "tradecover.buyers.cli:app"
    ),
    Lazy(
        "limits",
        "Credit limits: applications, decisions, changes and tracking.",
        "tradecover.limits.cli:app",
    ),
    Lazy(
        "declarations",
        "Declared shipments: bulk attachment, listing, details.",
        "tradecover.declarations.cli:app",
    ),
    Lazy(
        "quote",
        "Quote a rate or a premium, with its explanation.",
        "tradecover.pricing.cli:quote_app",
    ),
    Lazy("pricing", "Rate tables and the pricing lab.", "tradecover.pricing.cli:pricing_app"),
    Lazy(
        "billing",
        "Premium billing: monthly notices, payments and arrears.",
        "tradecover.billing.cli:app",
    ),
    Lazy("subsidies", "Premium subsidy programmes.", _subsidies),
    Lazy(
        "coinsurance",
        "Coinsurance: participations of a policy and participants' statements.",
        _coinsurance,
    ),
    Lazy(
        "financing",
        "Bank financing: assignments of policy proceeds (loss payees) and financing bases.",
        "tradecover.financing.cli:app",
    ),
    Lazy(
        "market",
        "The market: marketable risk and the insurer of last resort.",
        "tradecover.market.cli:app",
    ),
    Lazy("ledger", "The double-entry ledger: trial balance and reconciliation.", _ledger),
    Lazy(
        "risk",
        "Portfolio credit risk: loss distribution, contributions, stress.",
        "tradecover.risk.cli:app",
    ),
    Lazy("claims", "Claims: checks, decisions, payment, speed.", "tradecover.claims.cli:app"),
    Lazy(
        "overdue",
        "Overdue invoices and notices of possible loss.",
        "tradecover.collections.cli:app",
    ),
    Lazy("sessions", "Sign-in sessions of people: list and revoke.", "tradecover.access.cli:app"),
    Lazy(
        "investment-debt",
        "Overseas investment debt insurance: application to claim payment ([004]).",
        _investment_debt,
    ),
    Lazy(
        "feeds",
        "Feeds: connections, the document stream and its attachment workers.",
        "tradecover.feeds.cli:app",
    ),
    Lazy("webhooks", "Webhooks: the delivery worker.", "tradecover.webhooks.cli:app"),
    Lazy("jobs", "Jobs: the worker.", "tradecover.jobs.cli:app"),
    Lazy("mail", "E-mail: the relay of notices.", "tradecover.mail.cli:app"),
    Lazy(
        "consents",
        "Consents: list, receipts, the access log, sharing, the pool, retention.",
        "tradecover.consents.cli:app",
    ),
)


class RootGroup(LazyGroup):
    """The root of ``tradecover``: input hygiene first, then the lazy sub-commands."""

    lazy = SUBCOMMANDS


app = typer.Typer(
    name="tradecover",
    help="tradecover: export credit insurance.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=RootGroup,
)  # the command line is checked first (cli.hygiene)


@app.callback()
def root() -> None:
    """tradecover: export credit insurance (the root runs its sub-commands only)."""


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
) -> None:
    """Serve the API and the web dashboard."""
    import uvicorn

    uvicorn.run(
        "tradecover.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )


def main() -> None:
    """Entry point of the console script."""
    app()

"""CLI of the market: ``tradecover market rules`` (show or replace the rule set) and
``tradecover market classify`` (classify a risk and keep the decision).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tradecover.access import org_by_slug, system_principal
from tradecover.cli.context import console, domain_errors, unit_of_work
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money
from tradecover.market import service
from tradecover.market.rules import Risk

app = typer.Typer(help="The market: marketable risk and the insurer of last resort.")


@app.command("rules")
@domain_errors
def rules(
    replace: Annotated[
        Path | None, typer.Option(help="A JSON rule set to store as the next version")
    ] = None,
) -> None:
    """Show the rule set in force (after storing ``--replace`` as its next version)."""
    with unit_of_work() as session:
        principal = system_principal(session)
        if replace is not None:
            try:
                body = json.loads(replace.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ValidationFailed(
                    f"cannot read {replace}: {exc}", code="invalid_rule_set", field="replace"
                ) from None
            service.replace_rule_set(session, principal=principal, body=body)
        rule_set = service.current_rule_set(session, principal=principal)
    console.print(f"{rule_set.name}, version {rule_set.version}")
    table = Table("#", "rule", "domain", "kind", "outcome", "citation")
    for n, rule in enumerate(rule_set.rules, start=1):
        table.add_row(str(n), rule.id, rule.domain, rule.kind, rule.outcome, rule.citation)
    console.print(table)


@app.command("classify")
@domain_errors
def classify(
    exporter: Annotated[str, typer.Option(help="Slug of the exporter organisation")],
    subject_kind: Annotated[str, typer.Option(help="policy_application or limit_application")],
    subject_id: Annotated[int, typer.Option(help="Id of the application")],
    country: Annotated[str, typer.Option(help="Buyer's country, ISO 3166-1 alpha-2")],
    days: Annotated[int, typer.Option(help="Risk period in days")],
    turnover: Annotated[str, typer.Option(help="Exporter's annual export turnover")],
    currency: Annotated[str, typer.Option(help="Currency of the turnover")] = "EUR",
    risk_types: Annotated[str, typer.Option(help="commercial,political")] = "commercial,political",
) -> None:
    """Classify a risk marketable or non-marketable and keep the decision."""
    try:
        amount = Decimal(turnover)
    except InvalidOperation:
        raise ValidationFailed(
            f"{turnover!r} is not a number", code="invalid_number", field="turnover"
        ) from None
    risk = Risk(
        buyer_country=country.upper(),
        risk_period_days=days,
        risk_types=frozenset(t.strip() for t in risk_types.split(",") if t.strip()),
        export_turnover=Money.of(amount, currency.upper()),
    )
    with unit_of_work() as session:
        row = service.classify_risk(
            session,
            principal=system_principal(session),
            exporter_org_id=org_by_slug(session, exporter).id,
            subject_kind=subject_kind,
            subject_id=subject_id,
            risk=risk,
        )
        console.print(
            f"classification {row.id}: {row.outcome} by {row.rule_id} [{row.rule_domain}] "
            f"(rule set version {row.rule_set_version}): {row.citation}"
        )

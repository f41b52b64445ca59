"""CLI commands of pricing: ``tradecover quote ...`` and ``tradecover pricing tables ...``.

``quote investment-debt --input FILE`` prints exactly the JSON of
``POST /api/v1/quotes/investment-debt`` (same parser, same validation, same shape).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.table import Table

from tradecover.access import system_principal
from tradecover.cli.context import console, domain_errors, err_console, unit_of_work
from tradecover.kit.errors import ValidationFailed
from tradecover.pricing import service
from tradecover.pricing.investment_debt import parse_quote_request, quote_investment_debt
from tradecover.pricing.lab import render_lab_chart, simulate_adverse_selection
from tradecover.pricing.mlt_minimum_premium import horizon_of_risk, minimum_premium_rate
from tradecover.pricing.rate_table import TERMS_ORDER
from tradecover.pricing.schemas import InvestmentDebtQuoteIn, ShortTermQuoteIn
from tradecover.reference.payment_terms import PaymentTerms

quote_app = typer.Typer(
    help="Quote a rate or a premium, with its explanation.", no_args_is_help=True
)
pricing_app = typer.Typer(help="Rate tables and the pricing lab.", no_args_is_help=True)
tables_app = typer.Typer(help="Versioned short-term rate tables.", no_args_is_help=True)
pricing_app.add_typer(tables_app, name="tables")


def _pydantic_error(error: ValidationError) -> ValidationFailed:
    first = error.errors()[0]
    field = ".".join(str(p) for p in first.get("loc", ()))
    return ValidationFailed(
        f"{field}: {first.get('msg', 'invalid')}", code="invalid_request", field=field or None
    )


@quote_app.command("short-term")
@domain_errors
def quote_short_term(
    terms: Annotated[PaymentTerms, typer.Option(help="Payment terms: LC, DP, DA or OA")],
    days: Annotated[int, typer.Option(help="Credit period in days")],
    indemnity: Annotated[str, typer.Option(help="Indemnity percentage, e.g. 90")],
    country: Annotated[str | None, typer.Option(help="ISO alpha-2 buyer country")] = None,
    country_class: Annotated[int | None, typer.Option(help="Country risk class 0-7")] = None,
    buyer_grade: Annotated[str | None, typer.Option(help="Buyer grade")] = None,
    buyer_pd: Annotated[str | None, typer.Option(help="Buyer probability of default")] = None,
    hhi: Annotated[str | None, typer.Option(help="Concentration HHI 0..1")] = None,
    table: Annotated[str | None, typer.Option(help="Rate table code")] = None,
) -> None:
    """Print the rate and a table of how it was reached."""
    try:
        body = ShortTermQuoteIn(
            country=country.upper() if country else None,
            country_class=country_class,
            payment_terms=terms,
            credit_days=days,
            indemnity_percentage=indemnity,
            buyer_grade=buyer_grade,
            buyer_pd=buyer_pd,
            concentration_hhi=hhi,
            rate_table=table,
        )
    except ValidationError as error:
        raise _pydantic_error(error) from None
    with unit_of_work() as session:
        quote = service.quote_short_term(
            session,
            principal=system_principal(session),
            request=body.to_request(),
            code=body.rate_table,
        )
    ex = quote.explanation
    console.print(
        f"rate {quote.rate} ({(quote.rate * 100).normalize():f} %) on "
        f"{ex.table_code} v{ex.table_version}"
    )
    grid = Table("step", "factor", "rate", "why")
    grid.add_row(
        "base",
        "",
        str(ex.base_rate),
        f"class {ex.country_class} x {ex.payment_terms.value} x {ex.credit_band} days",
    )
    rate = ex.base_rate
    for adjustment in ex.adjustments:
        rate = (rate * adjustment.factor).quantize(Decimal("1E-8"))
        grid.add_row(adjustment.name, str(adjustment.factor), str(rate), adjustment.reason)
    grid.add_row(
        "bounds",
        "",
        str(ex.final_rate),
        f"floor {ex.floor}, cap {ex.cap}: {ex.bound_applied or 'none applied'}",
    )
    console.print(grid)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationFailed(f"cannot read {path}: {error}", field="input") from None
    except json.JSONDecodeError as error:
        raise ValidationFailed(
            f"{path} is not valid JSON: {error}", code="malformed_json", field="input"
        ) from None


@quote_app.command("investment-debt")
@domain_errors
def quote_investment_debt_cmd(
    input: Annotated[Path, typer.Option("--input", help="JSON request file")],
) -> None:
    """Print the premium schedule as the API's JSON."""
    data = _read_json(input)
    try:
        body = InvestmentDebtQuoteIn.model_validate(data)
    except ValidationError as error:
        raise _pydantic_error(error) from None
    result = quote_investment_debt(parse_quote_request(body.to_json())).to_json()
    typer.echo(json.dumps(result, indent=2))


@quote_app.command("mlt")
@domain_errors
def quote_mlt(
    country_category: Annotated[int, typer.Option(help="OECD country category 1-7")],
    buyer: Annotated[str, typer.Option(help="Buyer risk category, e.g. CC2")],
    disbursement_years: Annotated[str, typer.Option(help="Disbursement period, years")],
    repayment_years: Annotated[str, typer.Option(help="Repayment period, years")],
    cover: Annotated[str, typer.Option(help="Percentage of cover (both risks)")] = "0.95",
    quality: Annotated[str, typer.Option(help="Product quality")] = "standard",
) -> None:
    """Print the OECD Arrangement minimum premium rate and its parts."""
    horizon = horizon_of_risk(
        disbursement_years=Decimal(disbursement_years), repayment_years=Decimal(repayment_years)
    )
    result = minimum_premium_rate(
        country_category=country_category,
        buyer_risk_category=buyer,
        horizon=horizon,
        commercial_cover=Decimal(cover),
        political_cover=Decimal(cover),
        product_quality=quality,
    )
    grid = Table("part", "value")
    for key, value in result.to_dict().items():
        grid.add_row(key, str(value))
    console.print(f"minimum premium {result.mpr_percent} % of the principal")
    console.print(grid)


@tables_app.command("list")
def list_tables() -> None:
    """Every rate table code with its newest version."""
    with unit_of_work() as session:
        rows, _total = service.list_current(session, limit=500)
        grid = Table("code", "version", "status", "effective", "versions", "by")
        for row, count in rows:
            grid.add_row(
                row.code,
                str(row.version),
                row.status,
                row.effective_from.isoformat(),
                str(count),
                row.created_by,
            )
    console.print(grid)


@tables_app.command("show")
@domain_errors
def show_table(
    code: Annotated[str, typer.Argument(help="Rate table code")] = service.DEFAULT_TABLE_CODE,
) -> None:
    """The current version's base matrix (percent) and the version history."""
    with unit_of_work() as session:
        history = service.versions(session, code=code)
        current = service.current_version(session, code=code)
        table = service.table_of(current)
        versions = [
            (v.version, v.status, v.effective_from.isoformat(), v.created_by, v.reason or "")
            for v in history
        ]
    console.print(
        f"{table.code} v{table.version}, effective {table.effective_from}, "
        f"floor {table.floor}, cap {table.cap} ({table.source})"
    )
    grid = Table("class", "terms", *(f"{b.label} d" for b in table.bands))
    rows = table.base if table.country_classes else table.base[:1]  # one row: [domain DT-4]
    for c, by_terms in enumerate(rows):
        for t, rates in enumerate(by_terms):
            grid.add_row(
                str(c) if table.country_classes else "all",
                TERMS_ORDER[t].value,
                *(f"{(r * 100).normalize():f} %" for r in rates),
            )
    console.print(grid)
    log = Table("version", "status", "effective", "by", "reason")
    for row in versions:
        log.add_row(str(row[0]), *row[1:])
    console.print(log)


@tables_app.command("lab")
def lab(
    exporters: Annotated[int, typer.Option(help="Exporters in the simulated market")] = 2000,
    rounds: Annotated[int, typer.Option(help="Renewal rounds")] = 8,
    seed: Annotated[int, typer.Option(help="Random seed")] = 2024,
    svg: Annotated[Path | None, typer.Option(help="Write the chart to this SVG file")] = None,
) -> None:
    """Flat rate vs risk-based rates over renewal rounds: adverse selection made visible."""
    rows = simulate_adverse_selection(exporters=exporters, rounds=rounds, seed=seed)
    grid = Table(*rows[0].__dataclass_fields__) if rows else Table()
    for row in rows:
        grid.add_row(*(str(getattr(row, f)) for f in row.__dataclass_fields__))
    console.print(grid)
    if svg is not None:
        svg.write_text(render_lab_chart(rows), encoding="utf-8")
        err_console.print(f"chart written to {svg}")

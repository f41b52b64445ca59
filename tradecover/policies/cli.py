"""CLI commands of policy administration (``tradecover policies ...``), acting as the
insurer's system principal; each command is one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from tradecover import access, pricing, reporting
from tradecover.cli.context import console, domain_errors, unit_of_work
from tradecover.kit.dates import business_today
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money
from tradecover.policies import service
from tradecover.policies.domestic import DOMESTIC_RATE_TABLE, is_domestic, schedule_wording
from tradecover.policies.liability import liability_for_shipment
from tradecover.policies.lifecycle import PolicyState, TerminationKind
from tradecover.policies.repository import renewal_chain_length
from tradecover.policies.schedule import (
    DeclarationFrequency,
    DisputeResolution,
    InsurableScope,
    PolicySchedule,
    Product,
    liability_guidance,
)
from tradecover.policies.standing import standing_of
from tradecover.reference.payment_terms import PaymentTerms

app = typer.Typer(
    help="Short-term policies: applications, underwriting, renewal, termination.",
    no_args_is_help=True,
)

TodayOpt = Annotated[str | None, typer.Option("--today", help="Business date (default today)")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (kept in the audit log)")]


def _date(value: str | None, *, field: str) -> date:
    if value is None:
        return business_today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            f"{field} must be a date YYYY-MM-DD, got {value!r}", code="invalid_date", field=field
        ) from None


def _decimal(value: str, *, field: str) -> Decimal:
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise ValidationFailed(
            f"{field} must be a decimal number, got {value!r}", code="invalid_decimal", field=field
        ) from None
    if not result.is_finite():
        raise ValidationFailed(
            f"{field} must be a finite number", code="invalid_decimal", field=field
        )
    return result


def _list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


@contextmanager
def _progress(label: str) -> Iterator[service.Progress]:
    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), console=console, transient=False
    ) as bar:
        task = bar.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


@app.command("list")
@domain_errors
def list_policies(
    state: Annotated[PolicyState | None, typer.Option(help="Only this state")] = None,
    exporter: Annotated[str | None, typer.Option(help="Exporter slug")] = None,
    q: Annotated[str | None, typer.Option("--q", help="Number or exporter name")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
) -> None:
    """List policies, newest first."""
    with unit_of_work() as session:
        principal = access.system_principal(session)
        org_id = access.org_by_slug(session, exporter).id if exporter else None
        rows, total = service.list_policies(
            session, principal=principal, state=state, exporter_org_id=org_id, search=q, limit=limit
        )
        table = Table(
            "id",
            "number",
            "exporter",
            "state",
            "inception",
            "expiry",
            "max liability",
            title=f"{total} policies",
        )
        for p in rows:
            table.add_row(
                str(p.id),
                p.number or "-",
                str(p.exporter_org_id),
                p.state,
                p.inception.isoformat(),
                p.expiry.isoformat(),
                str(Money.from_minor(p.maximum_liability_minor, p.currency)),
            )
    console.print(table)


@app.command("show")
@domain_errors
def show(policy_id: Annotated[int, typer.Argument(help="Policy id")]) -> None:
    """One policy: schedule, guidance, endorsements and renewal offers."""
    with unit_of_work() as session:
        principal = access.system_principal(session)
        p = service.get_policy(session, principal=principal, policy_id=policy_id)
        s = service.schedule_of(p)
        endorsements = service.list_endorsements(session, principal=principal, policy_id=policy_id)
        offers = service.list_renewal_offers(session, principal=principal, policy_id=policy_id)
        g = liability_guidance(
            expected_turnover=s.expected_turnover, maximum_liability=s.maximum_liability
        )
        console.print(
            f"[bold]{p.number or '#' + str(p.id)}[/bold] {p.product} "
            f"({p.state}) {p.inception} to {p.expiry}"
            + ("" if p.auto_renew else " (does not renew)")
        )
        wording = schedule_wording(p.product)  # the product's own words [domain DT-5]
        console.print(f"{wording.title}: {wording.insured_sales} {wording.risks}")
        table = Table("term", "value", show_header=False)
        for key, value in service.schedule_to_dict(s).items():
            table.add_row(key, str(value))
        console.print(table)
        console.print(g.message())
        for e in endorsements:
            console.print(f"endorsement {e.number} from {e.effective_date}: {e.text}")
        for o in offers:
            console.print(f"renewal offer {o.id}: {o.status}")
        if p.termination:
            console.print(
                f"termination: {p.termination.get('kind')} "
                f"({p.termination.get('status')}) effective "
                f"{p.termination.get('effective_date')}"
            )


@app.command("apply")
@domain_errors
def apply(
    exporter: Annotated[str, typer.Option(help="Exporter slug")],
    currency: Annotated[str, typer.Option(help="ISO 4217 code")],
    turnover: Annotated[str, typer.Option(help="Expected insurable turnover, e.g. 12000000")],
    terms: Annotated[str, typer.Option(help="Payment terms, e.g. OA,DA")] = "OA",
    countries: Annotated[str, typer.Option(help="Destination countries, e.g. DE,US")] = "",
    credit_days: Annotated[int, typer.Option(help="Longest credit period")] = 180,
    hs: Annotated[str, typer.Option(help="HS chapters, e.g. 84,85")] = "",
    inception: Annotated[str | None, typer.Option(help="Requested inception")] = None,
    product: Annotated[Product, typer.Option()] = Product.SHORT_TERM_COMPREHENSIVE,
    notes: Annotated[str | None, typer.Option()] = None,
) -> None:
    """File an application on an exporter's behalf."""
    with unit_of_work() as session:
        org = access.org_by_slug(session, exporter)
        try:
            payment_terms = [PaymentTerms(t.upper()) for t in _list(terms)]
        except ValueError:
            raise ValidationFailed(
                f"payment terms must be LC, DP, DA or OA: {terms!r}",
                code="invalid_payment_terms",
                field="terms",
            ) from None
        application = service.submit_application(
            session,
            principal=access.system_principal(session),
            exporter_org_id=org.id,
            product=product,
            currency=currency.upper(),
            expected_turnover=Money.of(_decimal(turnover, field="turnover"), currency.upper()),
            requested_inception=_date(inception, field="inception"),
            destination_countries=[c.upper() for c in _list(countries)],
            payment_terms=payment_terms,
            max_credit_days=credit_days,
            hs_chapters=_list(hs),
            notes=notes,
        )
        console.print(f"application {application.id} submitted for {exporter}")


@app.command("underwrite")
@domain_errors
def underwrite(
    application_id: Annotated[int, typer.Argument(help="Application id")],
    max_liability: Annotated[str, typer.Option(help="Maximum liability")],
    rate_table: Annotated[
        str | None,
        typer.Option(help="Rate table reference (default: ST-2026, DT-2026 for domestic)"),
    ] = None,
    base_rate: Annotated[str, typer.Option(help="Base rate in percent")] = "0.45",
    commercial_pct: Annotated[str, typer.Option(help="Indemnity %, commercial risk")] = "90",
    political_pct: Annotated[str, typer.Option(help="Indemnity %, political risk")] = "95",
    frequency: Annotated[DeclarationFrequency, typer.Option()] = DeclarationFrequency.MONTHLY,
    whole_turnover: Annotated[bool, typer.Option()] = True,
    excluded: Annotated[str, typer.Option(help="Excluded countries, e.g. RU,IR")] = "",
    dispute: Annotated[DisputeResolution, typer.Option()] = DisputeResolution.ARBITRATION,
    venue: Annotated[str, typer.Option()] = "CIETAC, Beijing",
    notice_days: Annotated[int, typer.Option(help="Possible-loss notice days")] = 90,
    inception: Annotated[str | None, typer.Option(help="Default: requested inception")] = None,
    flat_rate_option: Annotated[
        bool, typer.Option(help="The schedule agrees one flat rate for every shipment")
    ] = False,
    flat_rate: Annotated[
        str | None,
        typer.Option(help="The agreed flat rate in percent (only with --flat-rate-option)"),
    ] = None,
) -> None:
    """Underwrite an application into a draft policy (scope taken from the application);
    its shipments are priced on the rate table unless the schedule agrees a flat rate.
    """
    with unit_of_work() as session:
        principal = access.system_principal(session)
        application = service.get_application(
            session, principal=principal, application_id=application_id
        )
        cur = application.currency
        schedule = PolicySchedule(
            currency=cur,
            expected_turnover=Money.from_minor(application.expected_turnover_minor, cur),
            maximum_liability=Money.of(_decimal(max_liability, field="max_liability"), cur),
            indemnity_commercial_pct=_decimal(commercial_pct, field="commercial_pct"),
            indemnity_political_pct=_decimal(political_pct, field="political_pct"),
            declaration_frequency=frequency,
            rate_table=rate_table
            or (DOMESTIC_RATE_TABLE if is_domestic(application.product) else "ST-2026"),
            base_rate_pct=_decimal(base_rate, field="base_rate"),
            whole_turnover=whole_turnover,
            scope=InsurableScope(
                destination_countries=tuple(application.destination_countries or ()),
                excluded_countries=tuple(c.upper() for c in _list(excluded)),
                payment_terms=tuple(PaymentTerms(t) for t in application.payment_terms),
                max_credit_days=application.max_credit_days,
                hs_chapters=tuple(application.hs_chapters or ()),
            ),
            dispute_resolution=dispute,
            dispute_venue=venue,
            possible_loss_notice_days=notice_days,
            flat_rate_option=flat_rate_option,
            flat_rate_pct=(
                None if flat_rate is None else _decimal(flat_rate, field="flat_rate_pct")
            ),
        )
        start = (
            _date(inception, field="inception") if inception else application.requested_inception
        )
        policy = service.underwrite(
            session,
            principal=principal,
            application_id=application_id,
            schedule=schedule,
            inception=start,
        )
        guidance = liability_guidance(
            expected_turnover=schedule.expected_turnover,
            maximum_liability=schedule.maximum_liability,
        )
        console.print(f"draft policy {policy.id}: {policy.inception} to {policy.expiry}")
        console.print(guidance.message())


@app.command("quote")
@domain_errors
def quote(policy_id: Annotated[int, typer.Argument(help="Policy id")]) -> None:
    """Quote a draft's terms to the exporter."""
    with unit_of_work() as session:
        p = service.quote(session, principal=access.system_principal(session), policy_id=policy_id)
        console.print(f"policy {p.id} {p.state}")


@app.command("issue")
@domain_errors
def issue(
    policy_id: Annotated[int, typer.Argument(help="Policy id")], today: TodayOpt = None
) -> None:
    """Issue a quoted policy on the exporter's written acceptance."""
    with unit_of_work() as session:
        p = service.issue(
            session,
            principal=access.system_principal(session),
            policy_id=policy_id,
            today=_date(today, field="today"),
        )
        console.print(f"policy {p.number} issued ({p.state})")


@app.command("suspend")
@domain_errors
def suspend(policy_id: Annotated[int, typer.Argument(help="Policy id")], reason: ReasonOpt) -> None:
    """Suspend an active policy."""
    with unit_of_work() as session:
        p = service.suspend(
            session,
            principal=access.system_principal(session),
            policy_id=policy_id,
            reason=reason,
            today=business_today(),
        )
        console.print(f"policy {p.number or p.id} {p.state}")


@app.command("liability")
@domain_errors
def liability(
    policy_id: Annotated[int, typer.Argument(help="Policy id")],
    shipment_date: Annotated[str, typer.Option("--shipment-date", help="Shipment date YYYY-MM-DD")],
) -> None:
    """Say whether the policy, as it stands, still carries a shipment of a date."""
    shipped = _date(shipment_date, field="shipment_date")
    with unit_of_work() as session:
        p = service.get_policy(
            session, principal=access.system_principal(session), policy_id=policy_id
        )
        ruling = liability_for_shipment(standing_of(p), shipment_date=shipped)
        verdict = "covered" if ruling.keeps_cover else "not covered"
        console.print(
            f"policy {p.number or p.id}, shipment of {shipped.isoformat()}: "
            f"{verdict} ({ruling.rule.value}): {ruling.explanation}"
        )


@app.command("reinstate")
@domain_errors
def reinstate(
    policy_id: Annotated[int, typer.Argument(help="Policy id")], reason: ReasonOpt
) -> None:
    """Reinstate a suspended policy."""
    with unit_of_work() as session:
        p = service.reinstate(
            session,
            principal=access.system_principal(session),
            policy_id=policy_id,
            reason=reason,
            today=business_today(),
        )
        console.print(f"policy {p.number or p.id} {p.state}")


@app.command("endorse")
@domain_errors
def endorse(
    policy_id: Annotated[int, typer.Argument(help="Policy id")],
    text: Annotated[str, typer.Option(help="The provision")],
    effective: Annotated[str | None, typer.Option(help="Effective date (default today)")] = None,
) -> None:
    """Add an endorsement."""
    with unit_of_work() as session:
        e = service.add_endorsement(
            session,
            principal=access.system_principal(session),
            policy_id=policy_id,
            text=text,
            effective_date=_date(effective, field="effective"),
        )
        console.print(f"endorsement {e.number} added to policy {policy_id}")


@app.command("offer-renewal")
@domain_errors
def offer_renewal(
    policy_id: Annotated[int, typer.Argument(help="Policy id")], today: TodayOpt = None
) -> None:
    """Review one policy's term and offer renewal."""
    with unit_of_work() as session:
        o = service.offer_renewal(
            session,
            principal=access.system_principal(session),
            policy_id=policy_id,
            today=_date(today, field="today"),
            metrics_source=reporting.RenewalReviewMetrics(session),
            reprice=pricing.renewal_repricer(session, years_insured=renewal_chain_length),
        )
        console.print(
            f"renewal offer {o.id} for policy {policy_id} from {o.proposed_terms['inception']}"
        )


@app.command("accept-renewal")
@domain_errors
def accept_renewal(
    offer_id: Annotated[int, typer.Argument(help="Renewal offer id")], today: TodayOpt = None
) -> None:
    """Accept a renewal offer on the exporter's written acceptance."""
    with unit_of_work() as session:
        p = service.accept_renewal(
            session,
            principal=access.system_principal(session),
            offer_id=offer_id,
            today=_date(today, field="today"),
        )
        console.print(f"renewal policy {p.number} from {p.inception} to {p.expiry}")


@app.command("decline-renewal")
@domain_errors
def decline_renewal(
    offer_id: Annotated[int, typer.Argument(help="Renewal offer id")], reason: ReasonOpt
) -> None:
    """Decline a renewal offer: the policy runs to expiry and ends."""
    with unit_of_work() as session:
        o = service.decline_renewal(
            session, principal=access.system_principal(session), offer_id=offer_id, reason=reason
        )
        console.print(f"renewal offer {o.id} {o.status}")


@app.command("terminate")
@domain_errors
def terminate(
    policy_id: Annotated[int, typer.Argument(help="Policy id")],
    kind: Annotated[
        TerminationKind,
        typer.Option(help="Insurer kinds: insurer_cancellation, non_renewal, rescission_for_fraud"),
    ],
    reason: ReasonOpt,
    effective: Annotated[str | None, typer.Option(help="Cancellation date")] = None,
    today: TodayOpt = None,
) -> None:
    """Terminate a policy as the insurer ([domain P-10])."""
    with unit_of_work() as session:
        p = service.terminate(
            session,
            principal=access.system_principal(session),
            policy_id=policy_id,
            kind=kind,
            reason=reason,
            effective_date=_date(effective, field="effective") if effective else None,
            today=_date(today, field="today"),
        )
        status = (p.termination or {}).get("status", "")
        console.print(f"policy {p.number or p.id} {p.state} ({kind.value}, {status})")


@app.command("renew-due")
@domain_errors
def renew_due(today: TodayOpt = None) -> None:
    """Job: offer renewal to every policy within 30 days of expiry (idempotent)."""
    day = _date(today, field="today")
    with unit_of_work() as session, _progress("renewal offers") as progress:
        done = service.offer_due_renewals(
            session,
            principal=access.system_principal(session),
            today=day,
            metrics_source=reporting.RenewalReviewMetrics(session),
            reprice=pricing.renewal_repricer(session, years_insured=renewal_chain_length),
            progress=progress,
        )
    console.print(f"{done} renewal offers made as of {day}")


@app.command("expire-due")
@domain_errors
def expire_due(today: TodayOpt = None) -> None:
    """Job: expire or renew ended terms and apply scheduled cancellations (idempotent)."""
    day = _date(today, field="today")
    with unit_of_work() as session, _progress("expiring") as progress:
        done = service.expire_due(
            session, principal=access.system_principal(session), today=day, progress=progress
        )
    console.print(f"{done} policies ended as of {day}")


@app.command("profile-show")
@domain_errors
def profile_show(exporter: Annotated[str, typer.Argument(help="Exporter slug")]) -> None:
    """Print an exporter's profile as JSON (the API's shape)."""
    from tradecover.policies.application_schemas import ExporterProfileOut

    with unit_of_work() as session:
        org = access.org_by_slug(session, exporter)
        profile = service.get_exporter_profile(
            session, principal=access.system_principal(session), org_id=org.id
        )
        print(ExporterProfileOut.of(profile).model_dump_json(indent=2))


@app.command("profile-set")
@domain_errors
def profile_set(
    exporter: Annotated[str, typer.Argument(help="Exporter slug")],
    file: Annotated[typer.FileText, typer.Option("--file", help="Profile JSON (API shape)")],
) -> None:
    """Create or replace an exporter's profile from a JSON file shaped like the API's body."""
    from pydantic import ValidationError

    from tradecover.policies.application_schemas import ExporterProfileIn

    try:
        body = ExporterProfileIn.model_validate_json(file.read())
    except ValidationError as error:
        first = error.errors()[0]
        raise ValidationFailed(
            f"{first['msg']}", code="invalid_request", field=".".join(str(p) for p in first["loc"])
        ) from None
    with unit_of_work() as session:
        org = access.org_by_slug(session, exporter)
        service.upsert_exporter_profile(
            session,
            principal=access.system_principal(session),
            org_id=org.id,
            **body.service_kwargs(),
        )
    console.print(f"profile of {exporter} saved")


@app.command("attachment-model")
@domain_errors
def attachment_model(
    policy_id: Annotated[int, typer.Argument(help="Policy id")],
    model: Annotated[str, typer.Option(help="individual, portfolio or hybrid")],
    correction_days: Annotated[
        int, typer.Option(help="Hybrid: days to correct or withdraw after receipt")
    ] = 7,
    source: Annotated[
        list[str] | None,
        typer.Option("--source", help="Hybrid: an authorised source (repeat); default all"),
    ] = None,
    shipment_date_basis: Annotated[
        str, typer.Option(help="exit_then_acceptance or acceptance")
    ] = "exit_then_acceptance",
    effective: Annotated[str | None, typer.Option(help="Effective date (default today)")] = None,
) -> None:
    """Change a policy's attachment model, by endorsement from the effective date."""
    from tradecover.policies.attachment_repository import endorse_attachment_terms
    from tradecover.policies.attachment_terms import FEED_SOURCES, terms_from_dict

    terms = terms_from_dict(
        {
            "model": model,
            "correction_days": correction_days,
            "authorised_sources": source or list(FEED_SOURCES),
            "shipment_date_basis": shipment_date_basis,
        }
    )
    with unit_of_work() as session:
        e = endorse_attachment_terms(
            session,
            principal=access.system_principal(session),
            policy_id=policy_id,
            terms=terms,
            effective_date=_date(effective, field="effective"),
        )
        console.print(f"endorsement {e.number} on policy {policy_id}: {e.text}")

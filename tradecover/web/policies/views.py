"""What the dashboard's templates show: plain view values built from the ORM rows.

Templates never touch the ORM; these functions turn policies, endorsements, renewal
offers and audit entries into small frozen values with everything a page prints.
Amounts stay :class:`~tradecover.kit.money.Money` so the template formats them in
the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from tradecover.kit.money import Money
from tradecover.policies import LiabilityGuidance, is_domestic, liability_guidance
from tradecover.web import labels

if TYPE_CHECKING:  # the row types only: the pages read them through the services
    from tradecover.audit import AuditEntry
    from tradecover.policies import Endorsement, Policy, RenewalOffer


@dataclass(frozen=True, slots=True)
class PolicyRow:
    """One line of the policy list."""

    id: int
    number: str
    exporter: str
    state: str
    state_label: str
    currency: str
    maximum_liability: Money
    inception: date
    expiry: date


def policy_number(policy: Policy) -> str:
    """The policy number, or a provisional reference before issue."""
    return policy.number or f"#{policy.id}"


def policy_row(policy: Policy, *, exporter_name: str) -> PolicyRow:
    """The list line of ``policy``."""
    return PolicyRow(
        id=policy.id,
        number=policy_number(policy),
        exporter=exporter_name,
        state=policy.state,
        state_label=labels.label(labels.STATES, policy.state),
        currency=policy.currency,
        maximum_liability=Money.from_minor(policy.maximum_liability_minor, policy.currency),
        inception=policy.inception,
        expiry=policy.expiry,
    )


@dataclass(frozen=True, slots=True)
class ScheduleView:
    """The policy schedule as the policy page prints it."""

    product: str
    whole_turnover: bool
    expected_turnover: Money
    maximum_liability: Money
    guidance: LiabilityGuidance
    indemnity_commercial_pct: Decimal
    indemnity_political_pct: Decimal
    rate_table: str
    base_rate_pct: Decimal
    flat_rate_pct: Decimal | None  # the agreed flat rate where the schedule has the option
    rate_floating: dict[str, Any]  # the policy's floating adjustments (JSON form)
    declaration_frequency: str
    dispute_resolution: str
    dispute_venue: str
    possible_loss_notice_days: int
    destination_countries: tuple[str, ...]
    excluded_countries: tuple[str, ...]
    payment_terms: tuple[str, ...]
    max_credit_days: int | None
    hs_chapters: tuple[str, ...]
    auto_renew: bool
    domestic: bool = False  # the domestic product's wording [domain DT-5]


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        return ()
    return tuple(str(v) for v in value)


def schedule_view(policy: Policy) -> ScheduleView:
    """The schedule of ``policy`` with the 1/3 to 1/2 liability guidance."""
    expected = Money.from_minor(policy.expected_turnover_minor, policy.currency)
    maximum = Money.from_minor(policy.maximum_liability_minor, policy.currency)
    scope: dict[str, Any] = policy.scope if isinstance(policy.scope, dict) else {}
    credit_days = scope.get("max_credit_days")
    return ScheduleView(
        product=labels.label(labels.PRODUCTS, policy.product),
        whole_turnover=policy.whole_turnover,
        expected_turnover=expected,
        maximum_liability=maximum,
        guidance=liability_guidance(expected_turnover=expected, maximum_liability=maximum),
        indemnity_commercial_pct=policy.indemnity_commercial_pct,
        indemnity_political_pct=policy.indemnity_political_pct,
        rate_table=policy.rate_table,
        base_rate_pct=policy.base_rate_pct,
        flat_rate_pct=policy.flat_rate_pct if policy.flat_rate_option else None,
        rate_floating=policy.rate_floating if isinstance(policy.rate_floating, dict) else {},
        declaration_frequency=labels.label(labels.FREQUENCIES, policy.declaration_frequency),
        dispute_resolution=labels.label(labels.DISPUTES, policy.dispute_resolution),
        dispute_venue=policy.dispute_venue,
        possible_loss_notice_days=policy.possible_loss_notice_days,
        destination_countries=_strings(scope.get("destination_countries")),
        excluded_countries=_strings(scope.get("excluded_countries")),
        payment_terms=tuple(
            labels.label(labels.PAYMENT_TERMS, t) for t in _strings(scope.get("payment_terms"))
        ),
        max_credit_days=int(credit_days)
        if isinstance(credit_days, int | str) and str(credit_days).isdigit()
        else None,
        hs_chapters=_strings(scope.get("hs_chapters")),
        auto_renew=policy.auto_renew,
        domestic=is_domestic(policy.product),
    )


@dataclass(frozen=True, slots=True)
class EndorsementView:
    """One endorsement of a policy."""

    number: int
    text: str
    effective_date: date


def endorsement_view(endorsement: Endorsement) -> EndorsementView:
    """The printed form of an endorsement."""
    return EndorsementView(
        number=endorsement.number, text=endorsement.text, effective_date=endorsement.effective_date
    )


@dataclass(frozen=True, slots=True)
class MetricView:
    """One review metric: its label and its value, as a ratio or an amount."""

    label: str
    kind: str  # "ratio", "money", "flag" ("true"/"false" in text) or "text"
    ratio: Decimal | None
    money: Money | None
    text: str


@dataclass(frozen=True, slots=True)
class OfferView:
    """A renewal offer: its status, the review of the term and the proposed terms."""

    id: int
    status: str
    status_label: str
    offered_at: datetime
    decided_at: datetime | None
    metrics: tuple[MetricView, ...]
    proposed: tuple[tuple[str, str], ...]


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def metric_views(metrics: Any, currency: str) -> tuple[MetricView, ...]:
    """The review metrics of an offer in a stable order, known ones labelled and typed."""
    if not isinstance(metrics, dict):
        return ()
    known = [k for k in labels.METRICS if k in metrics]
    others = sorted(k for k in metrics if k not in labels.METRICS)
    out: list[MetricView] = []
    for key in known + others:
        label, kind = labels.METRICS.get(key, (key, "text"))
        number = _decimal(metrics[key])
        if kind == "ratio" and number is not None:
            out.append(MetricView(label, "ratio", number, None, str(metrics[key])))
        elif kind == "money" and number is not None:
            out.append(
                MetricView(label, "money", None, Money.of(number, currency), str(metrics[key]))
            )
        elif kind == "flag":
            out.append(MetricView(label, "flag", None, None, str(metrics[key]).lower()))
        else:
            out.append(MetricView(label, "text", None, None, str(metrics[key])))
    return tuple(out)


def offer_view(offer: RenewalOffer, *, currency: str) -> OfferView:
    """The printed form of a renewal offer."""
    proposed = offer.proposed_terms if isinstance(offer.proposed_terms, dict) else {}
    return OfferView(
        id=offer.id,
        status=offer.status,
        status_label=labels.label(labels.OFFER_STATUSES, offer.status),
        offered_at=offer.offered_at,
        decided_at=offer.decided_at,
        metrics=metric_views(offer.review_metrics, currency),
        proposed=tuple((str(k), _plain(v)) for k, v in sorted(proposed.items())),
    )


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in sorted(value.items()))
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    return str(value)


@dataclass(frozen=True, slots=True)
class HistoryView:
    """One entry of a policy's history from the audit log."""

    occurred_at: datetime
    action: str
    actor: str
    state_before: str | None
    state_after: str | None
    reason: str | None


def _state_of(value: Any) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("state"), str):
        return str(value["state"])
    return None


def history_view(entry: AuditEntry) -> HistoryView:
    """The printed form of an audit entry about a policy."""
    before, after = _state_of(entry.before), _state_of(entry.after)
    if before == after:
        before = None
    return HistoryView(
        occurred_at=entry.occurred_at,
        action=labels.label(labels.ACTIONS, entry.action),
        actor=entry.actor,
        state_before=labels.label(labels.STATES, before) if before else None,
        state_after=labels.label(labels.STATES, after) if after else None,
        reason=entry.reason,
    )

"""The subsidy split of a batch's notices between the exporter and the programmes.

Each programme's exporter-level eligibility decision (:func:`programme_decisions`, cached
for the run in a :class:`RunContext`), then :func:`split_notices`: what each programme is
asked and granted on every notice being built (:class:`NoticeDraft`), with the decision
and the rule applied recorded on the notice's split.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from tradecover import subsidies
from tradecover.billing import repository
from tradecover.billing.model import (
    BillingRun,
)
from tradecover.billing.run_queue import periods
from tradecover.kit.money import Money
from tradecover.subsidies import EligibilityDecision, ExporterFacts, Programme


@dataclass
class RunContext:
    """What a run reads once: programmes, exporter facts and periods (cached across batches)."""

    programmes: list[tuple[int, Programme]]
    facts: dict[tuple[int, str], ExporterFacts | None]
    periods: list[repository.Period]
    decided: dict[tuple[int, int, str], EligibilityDecision] = field(default_factory=dict)


def run_context(session: Session, run: BillingRun) -> RunContext:
    """Read what the run needs once: the programmes and the run's periods."""
    return RunContext(
        [(row.id, subsidies.to_programme(row)) for row in subsidies.all_programmes(session)],
        {},
        periods(session, run),
    )


@dataclass
class NoticeDraft:
    """A notice being built for one policy: its parts' sums, then its split."""

    policy_id: int
    exporter_org_id: int
    currency: str
    parts: list[tuple[repository.Period, repository.PartSums]]
    owes: dict[str, Money]
    split_rows: list[dict[str, object]]

    @property
    def total_minor(self) -> int:
        """Signed sum of the parts."""
        return sum(p.amount_minor for _, p in self.parts)

    @property
    def line_count(self) -> int:
        """Members of all parts."""
        return sum(p.line_count for _, p in self.parts)


def programme_decisions(
    session: Session, ctx: RunContext, facts: dict[int, tuple[int, str]], month: date
) -> tuple[
    dict[tuple[int, int], EligibilityDecision], list[tuple[int, Decimal, repository.ShipmentRules]]
]:
    """Each programme's exporter-level decision per policy, and the asks they need."""
    decisions: dict[tuple[int, int], EligibilityDecision] = {}
    asks: dict[tuple[int, Decimal], repository.ShipmentRules] = {}
    for currency in {c for _, c in facts.values()}:
        unknown = sorted(
            {o for o, c in facts.values() if c == currency and (o, c) not in ctx.facts}
        )
        ctx.facts.update(
            ((o, currency), f)
            for o, f in subsidies.exporters_facts(
                session, exporter_org_ids=unknown, currency=currency
            ).items()
        )
    for programme_id, programme in ctx.programmes:
        rules = repository.ShipmentRules(
            programme.hs_chapters,
            programme.destination_countries,
            programme.valid_from,
            programme.valid_to,
        )
        for policy_id, (org_id, currency) in facts.items():
            if currency != programme.currency:
                continue
            known = (programme_id, org_id, currency)
            decision = ctx.decided.get(known)
            if decision is None:  # exporter-level: the same for all its policies this run
                decision = ctx.decided[known] = subsidies.exporter_decision(
                    programme, ctx.facts[(org_id, currency)], month=month
                )
            decisions[(programme_id, policy_id)] = decision
            if decision.eligible:
                asks[(programme_id, decision.share)] = rules
    return decisions, [(pid, share, rules) for (pid, share), rules in asks.items()]


def split_notices(
    session: Session,
    ctx: RunContext,
    drafts: list[NoticeDraft],
    decisions: dict[tuple[int, int], EligibilityDecision],
    asks: list[tuple[int, Decimal, repository.ShipmentRules]],
    month: date,
) -> list[subsidies.Usage]:
    """Split every draft between its exporter and the programmes, recording each decision.

    Returns what the grants move on the programmes' usage, for
    :func:`tradecover.billing.jobs.bill_batch` to apply
    last (see :func:`tradecover.subsidies.service.apply_usage`).
    """
    usages: list[subsidies.Usage] = []
    left = {d.policy_id: d.total_minor for d in drafts}
    index = {(pid, share): i for i, (pid, share, _) in enumerate(asks)}
    for programme_id, programme in ctx.programmes:
        relevant = [d for d in drafts if (programme_id, d.policy_id) in decisions]
        if not relevant:
            continue
        asked: dict[int, tuple[int, int]] = {}
        for d in relevant:
            decision = decisions[(programme_id, d.policy_id)]
            if not decision.eligible:
                continue
            i = index[(programme_id, decision.share)]
            asked[d.policy_id] = (
                sum(p.asks[i][0] for _, p in d.parts),
                sum(p.asks[i][1] for _, p in d.parts),
            )
        requests = [
            subsidies.Request(
                d.exporter_org_id, asked.get(d.policy_id, (0, 0))[1], left[d.policy_id]
            )
            for d in relevant
        ]
        grants, usage = subsidies.plan_grants(
            session, programme_id=programme_id, year=month.year, requests=requests
        )
        usages.append(usage)
        for d, request, granted in zip(relevant, requests, grants, strict=True):
            decision = decisions[(programme_id, d.policy_id)]
            lines = asked.get(d.policy_id, (0, 0))[0]
            explanation = decision.explanation
            if decision.eligible and lines == 0:
                explanation = "no line of the notice meets the programme's shipment rules"
            elif decision.eligible:
                explanation = f"{explanation} ({lines} eligible line(s))"
            d.split_rows.append(
                {
                    "programme_id": programme_id,
                    "eligible": decision.eligible,
                    "share": decision.share,
                    "rule_applied": decision.rule_applied.value,
                    "explanation": explanation,
                    "eligible_lines": lines,
                    "requested_minor": request.requested_minor,
                    "granted_minor": granted.granted_minor,
                    "limited_by": granted.limited_by.value if granted.limited_by else None,
                    "paid_minor": 0,
                }
            )
            if granted.granted_minor:
                left[d.policy_id] -= granted.granted_minor
                d.owes[programme.code] = Money.from_minor(granted.granted_minor, d.currency)
    return usages

"""Marketable or non-marketable: a rule set as data, the classification and the routing rule.

A rule set ([domain MK-6]) is versioned data: country groups and an ordered list of rules,
each with an id, the domain rule it implements and its citation.  :func:`classify` walks
the rules in order and the first that matches decides ([domain MK-1]..[domain MK-5]); the
last rule must be ``otherwise`` so every risk is decided.  :func:`check_routing` is the rule
of who may take a risk: commercial insurers first, the insurer of last resort for
non-marketable risk or what every commercial insurer declined ([domain MK-8],
[domain MK-9]).  Pure: no SQL, no web.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib.resources import files
from typing import Any, Final

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money
from tradecover.reference.countries import is_country

MARKETABLE: Final = "marketable"
NON_MARKETABLE: Final = "non_marketable"
OUTCOMES: Final = frozenset({MARKETABLE, NON_MARKETABLE})
RISK_TYPES: Final = frozenset({"commercial", "political"})
KINDS: Final = frozenset(
    {
        "risk_period_at_least",
        "buyer_country_not_in_groups",
        "buyer_country_in",
        "export_turnover_at_most",
        "otherwise",
    }
)
SHIPPED_FILE: Final = "eu_short_term.json"
MAX_RULES: Final = 50

BASIS_COMMERCIAL: Final = "commercial_insurer"
BASIS_NON_MARKETABLE: Final = "non_marketable"
BASIS_MARKET_DECLINED: Final = "market_declined"


@dataclass(frozen=True, slots=True)
class Risk:
    """A short-term risk to classify: the buyer's country, the risk period in days (the
    manufacturing and credit period together), the risk types and the exporter's total
    annual export turnover.
    """

    buyer_country: str
    risk_period_days: int
    risk_types: frozenset[str]
    export_turnover: Money


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of a rule set: when it matches, its ``outcome`` decides."""

    id: str
    domain: str
    kind: str
    outcome: str
    citation: str
    days: int | None = None
    groups: tuple[str, ...] = ()
    countries: frozenset[str] = frozenset()
    amount: Money | None = None


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A named, versioned rule set: country groups and rules in the order they apply."""

    name: str
    version: int
    groups: Mapping[str, frozenset[str]]
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class Classification:
    """The decision: the outcome, the rule that decided and the rule set's version."""

    outcome: str
    rule: Rule
    rule_set_name: str
    rule_set_version: int

    @property
    def marketable(self) -> bool:
        """True when the risk is marketable."""
        return self.outcome == MARKETABLE


def _bad(message: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, code="invalid_rule_set", field=field)


def _text(raw: Mapping[str, Any], key: str, field: str, *, limit: int = 500) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise _bad(f"{field} must be text of 1-{limit} characters", field)
    return value.strip()


def _countries(values: object, field: str) -> frozenset[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise _bad(f"{field} must be a list of ISO 3166-1 alpha-2 codes", field)
    unknown = sorted(v for v in values if not is_country(v))
    if unknown:
        raise _bad(f"{field}: unknown country codes {', '.join(unknown)}", field)
    return frozenset(values)


def _rule(raw: object, index: int, groups: Mapping[str, frozenset[str]]) -> Rule:
    field = f"rules[{index}]"
    if not isinstance(raw, dict):
        raise _bad(f"{field} must be an object", field)
    kind = _text(raw, "kind", f"{field}.kind", limit=40)
    if kind not in KINDS:
        raise _bad(f"{field}.kind must be one of {', '.join(sorted(KINDS))}", f"{field}.kind")
    outcome = _text(raw, "outcome", f"{field}.outcome", limit=20)
    if outcome not in OUTCOMES:
        raise _bad(f"{field}.outcome must be marketable or non_marketable", f"{field}.outcome")
    rule = Rule(
        id=_text(raw, "id", f"{field}.id", limit=64),
        domain=_text(raw, "domain", f"{field}.domain", limit=16),
        kind=kind,
        outcome=outcome,
        citation=_text(raw, "citation", f"{field}.citation"),
    )
    if kind == "risk_period_at_least":
        days = raw.get("days")
        if type(days) is not int or not 1 <= days <= 36_500:
            raise _bad(f"{field}.days must be a whole number of days", f"{field}.days")
        return Rule(**{**_fields(rule), "days": days})
    if kind == "buyer_country_not_in_groups":
        names = raw.get("groups")
        if not isinstance(names, list) or not names or any(n not in groups for n in names):
            raise _bad(f"{field}.groups must name groups of the rule set", f"{field}.groups")
        return Rule(**{**_fields(rule), "groups": tuple(names)})
    if kind == "buyer_country_in":
        return Rule(
            **{**_fields(rule), "countries": _countries(raw.get("countries"), f"{field}.countries")}
        )
    if kind == "export_turnover_at_most":
        try:
            amount = Money.of(Decimal(str(raw.get("amount"))), str(raw.get("currency")))
        except (InvalidOperation, ValidationFailed):
            raise _bad(f"{field} needs an amount and an ISO 4217 currency", field) from None
        return Rule(**{**_fields(rule), "amount": amount})
    return rule


def _fields(rule: Rule) -> dict[str, Any]:
    return {name: getattr(rule, name) for name in Rule.__slots__}


def parse_rule_set(data: object, *, version: int | None = None) -> RuleSet:
    """Read a rule set from its JSON data, refusing what :func:`classify` could not apply
    (``invalid_rule_set``, naming the field).  ``version`` overrides the data's own.
    """
    if not isinstance(data, dict):
        raise _bad("a rule set is a JSON object", "rule_set")
    name = _text(data, "name", "name", limit=200)
    raw_groups = data.get("groups", {})
    if not isinstance(raw_groups, dict):
        raise _bad("groups must map names to country lists", "groups")
    groups = {str(k): _countries(v, f"groups.{k}") for k, v in raw_groups.items()}
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not 1 <= len(raw_rules) <= MAX_RULES:
        raise _bad(f"rules must be a list of 1-{MAX_RULES} rules", "rules")
    rules = tuple(_rule(raw, i, groups) for i, raw in enumerate(raw_rules))
    if rules[-1].kind != "otherwise" or any(r.kind == "otherwise" for r in rules[:-1]):
        raise _bad("the last rule, and only it, is 'otherwise'", "rules")
    if len({r.id for r in rules}) != len(rules):
        raise _bad("rule ids must be unique", "rules")
    if version is None:
        version = data.get("version")
        if type(version) is not int or version < 1:
            raise _bad("version must be a positive whole number", "version")
    return RuleSet(name=name, version=version, groups=groups, rules=rules)


def shipped_rule_set_data() -> dict[str, Any]:
    """The shipped first rule set, the EU short-term rule ([domain MK-6]), as JSON data."""
    text = files("tradecover.market").joinpath("data", SHIPPED_FILE).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def shipped_rule_set() -> RuleSet:
    """The shipped EU short-term rule set, version 1."""
    return parse_rule_set(shipped_rule_set_data())


def check_risk(risk: Risk) -> None:
    """Refuse a risk the rules cannot classify (422, naming the field)."""
    if not is_country(risk.buyer_country):
        raise ValidationFailed(
            f"{risk.buyer_country!r} is not an ISO 3166-1 alpha-2 country code",
            code="invalid_country",
            field="buyer_country",
        )
    if not 1 <= risk.risk_period_days <= 36_500:
        raise ValidationFailed(
            "the risk period is 1 to 36500 days", code="invalid_risk_period", field="risk_period"
        )
    if not risk.risk_types or not risk.risk_types <= RISK_TYPES:
        raise ValidationFailed(
            "risk types are commercial and/or political",
            code="invalid_risk_types",
            field="risk_types",
        )
    if risk.export_turnover.amount < 0:
        raise ValidationFailed(
            "the export turnover cannot be negative",
            code="invalid_turnover",
            field="export_turnover",
        )


def _matches(rule: Rule, risk: Risk, rule_set: RuleSet) -> bool:
    if rule.kind == "risk_period_at_least":
        assert rule.days is not None
        return risk.risk_period_days >= rule.days
    if rule.kind == "buyer_country_not_in_groups":
        return not any(risk.buyer_country in rule_set.groups[g] for g in rule.groups)
    if rule.kind == "buyer_country_in":
        return risk.buyer_country in rule.countries
    if rule.kind == "export_turnover_at_most":
        assert rule.amount is not None
        if risk.export_turnover.currency != rule.amount.currency:
            raise ValidationFailed(
                f"the export turnover must be stated in {rule.amount.currency} for this rule set",
                code="turnover_currency",
                field="export_turnover",
            )
        return risk.export_turnover.amount <= rule.amount.amount
    return True  # otherwise


def classify(risk: Risk, rule_set: RuleSet) -> Classification:
    """Classify ``risk``: the first rule of ``rule_set`` that matches decides."""
    check_risk(risk)
    for rule in rule_set.rules:
        if _matches(rule, risk, rule_set):
            return Classification(rule.outcome, rule, rule_set.name, rule_set.version)
    raise AssertionError("a parsed rule set ends with 'otherwise'")  # pragma: no cover


def classify_destinations(risks: Sequence[Risk], rule_set: RuleSet) -> tuple[Risk, Classification]:
    """Classify an application's risk over all its destinations ([domain MK-16]): it is
    marketable only when every destination's risk is; the first non-marketable destination
    decides, else the first one.  ``risks`` is not empty.
    """
    decided = [(risk, classify(risk, rule_set)) for risk in risks]
    return next(((r, c) for r, c in decided if not c.marketable), decided[0])


def check_routing(
    *,
    marketable: bool,
    to_last_resort: bool,
    commercial_insurers: frozenset[int],
    declined_by: frozenset[int],
) -> str:
    """The basis on which the chosen insurer may take the risk, or a refusal.

    A commercial insurer may take any risk ([domain MK-8]); the insurer of last resort a
    non-marketable risk ([domain MK-9]) or a marketable one only once every commercial
    insurer on the platform has declined it, at least one ([domain MK-8]); otherwise
    ``market_declines_missing`` (422) names the insurers whose decline is missing.
    """
    if not to_last_resort:
        return BASIS_COMMERCIAL
    if not marketable:
        return BASIS_NON_MARKETABLE
    missing = sorted(commercial_insurers - declined_by)
    if missing or not commercial_insurers:
        raise ValidationFailed(
            "a marketable risk goes to the insurer of last resort only after every "
            "commercial insurer declined it; missing declines of organisations "
            + (", ".join(str(m) for m in missing) or "(no commercial insurer registered)"),
            code="market_declines_missing",
            field="insurer_org_id",
            details={"missing_declines": missing},
        )
    return BASIS_MARKET_DECLINED

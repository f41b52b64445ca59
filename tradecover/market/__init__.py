"""The market: commercial insurers beside the state insurer of last resort.

A risk is classified marketable or non-marketable by a versioned rule set (the EU
short-term export credit rule ships first); marketable risk goes to the commercial insurers
first, and to the insurer of last resort only once their declines are recorded.  The pure
rules are :mod:`tradecover.market.rules`; the use cases :mod:`tradecover.market.service`.
"""

from tradecover.market.rules import (
    MARKETABLE,
    NON_MARKETABLE,
    Classification,
    Risk,
    Rule,
    RuleSet,
    check_routing,
    classify,
    parse_rule_set,
    shipped_rule_set,
)

__all__ = [
    "MARKETABLE",
    "NON_MARKETABLE",
    "Classification",
    "Risk",
    "Rule",
    "RuleSet",
    "check_routing",
    "classify",
    "parse_rule_set",
    "shipped_rule_set",
]

"""The renewal review's metrics as the policy page prints them, whole turnover included."""

from __future__ import annotations

from decimal import Decimal

from tradecover.kit.money import Money
from tradecover.policies.review import ReviewMetrics
from tradecover.web.policies.views import metric_views


def test_every_review_metric_has_a_label_and_a_kind() -> None:
    metrics = ReviewMetrics(
        undeclared_turnover=Decimal("12500.00"),
        min_declared_share=Decimal("0.95"),
        whole_turnover_under_review=True,
        turnover_months_flagged=2,
        turnover_returns_missing=1,
    ).as_dict()
    views = {v.label: v for v in metric_views(metrics, "USD")}
    assert set(views) >= {
        "Turnover returned but not declared",
        "Minimum share of turnover to declare",
        "Under review for undeclared turnover",
        "Months with undeclared turnover",
        "Turnover returns overdue",
    }
    assert not [key for key in metrics if key in views]  # no raw key shown as a label
    assert views["Turnover returned but not declared"].money == Money.of("12500.00", "USD")
    assert views["Minimum share of turnover to declare"].ratio == Decimal("0.95")
    flag = views["Under review for undeclared turnover"]
    assert (flag.kind, flag.text) == ("flag", "true")
    assert views["Months with undeclared turnover"].text == "2"

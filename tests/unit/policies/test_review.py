from datetime import date

from tradecover.policies.review import NoActivityYet, ReviewMetrics

WHOLE_TURNOVER = {
    "undeclared_turnover": "0",
    "min_declared_share": "0.95",
    "whole_turnover_under_review": "false",
    "turnover_months_flagged": "0",
    "turnover_returns_missing": "0",
}


def test_no_activity_yet_reports_zeros_as_strings() -> None:
    metrics = NoActivityYet().metrics(policy_id=1, start=date(2027, 1, 1), end=date(2027, 12, 1))
    assert metrics == ReviewMetrics()
    as_dict = metrics.as_dict()
    assert set(as_dict) == {
        "compliance_rate",
        "declared_share_of_turnover",
        "largest_buyer_share",
        "limit_approval_rate",
        "limit_utilisation",
        "possible_loss_rate",
        "outstanding_liability",
        "loss_ratio",
        "declared_amount",
        "premium_earned",
        "claims_paid",
        *WHOLE_TURNOVER,
    }
    assert {k: v for k, v in as_dict.items() if k in WHOLE_TURNOVER} == WHOLE_TURNOVER
    assert {v for k, v in as_dict.items() if k not in WHOLE_TURNOVER} == {"0"}


def test_the_whole_turnover_review_flag_reads_true_or_false() -> None:
    assert (
        ReviewMetrics(whole_turnover_under_review=True).as_dict()["whole_turnover_under_review"]
        == "true"
    )

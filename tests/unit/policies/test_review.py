from datetime import date

from tradecover.policies.review import NoActivityYet, ReviewMetrics


def test_no_activity_yet_reports_zeros_as_strings() -> None:
    metrics = NoActivityYet().metrics(policy_id=1, start=date(2027, 1, 1), end=date(2027, 12, 1))
    assert metrics == ReviewMetrics()
    as_dict = metrics.as_dict()
    assert set(as_dict) == {
        "compliance_rate", "declared_share_of_turnover", "largest_buyer_share",
        "limit_approval_rate", "limit_utilisation", "possible_loss_rate",
        "outstanding_liability", "loss_ratio", "declared_amount", "premium_earned",
        "claims_paid"}
    assert set(as_dict.values()) == {"0"}

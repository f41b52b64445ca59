"""Pages of policies: the policy list and one policy (with its investment-debt extras)."""

"""Pages of credit limits: the decision queue, buyers, tracking and reduction proposals."""

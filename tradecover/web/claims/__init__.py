"""Pages of claims: the claims queue, recoveries, speed, overdue buyers and claim documents."""

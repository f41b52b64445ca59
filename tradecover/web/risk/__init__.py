"""Pages of risk: portfolio risk runs and their results."""

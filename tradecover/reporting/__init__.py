"""read side: cross-context read models."""

"""The demo book: a deterministic, realistic set of exporters, buyers and policies."""

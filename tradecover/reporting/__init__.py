"""Read side: cross-context read models (queries that read the tables of several contexts)."""

"""Append-only, hash-chained audit log: who, when, what, why, before and after."""

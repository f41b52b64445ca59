"""Idempotency keys: a client that retries a write never causes its effect twice."""

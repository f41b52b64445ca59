"""Shared pieces of the limit use cases."""

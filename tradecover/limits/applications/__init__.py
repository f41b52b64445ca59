"""Applying for limits and deciding applications."""

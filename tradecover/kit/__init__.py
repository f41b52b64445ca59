"""Shared kernel: money, dates and the domain error base used by every bounded context."""

"""Changing limits: new versions, insurer's reductions, notices."""

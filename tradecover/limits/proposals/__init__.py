"""Reduction proposals for under-used credit limits: the job, accept, dismiss.

``service`` holds the use cases, ``schemas`` and ``api`` the HTTP edge; the rule itself
is :mod:`tradecover.limits.under_use`.
"""

"""One home for the test builders: plain keyword-argument functions with realistic
defaults that put a policy, a buyer, a limit, a declaration or a risk book in place.

- :mod:`tests.builders.policies`: applications, schedules, drafts, issued policies (through
  the API or the policies service) and investment-debt policies.
- :mod:`tests.builders.buyers`: buyers registered through the API or written as rows.
- :mod:`tests.builders.limits`: limit applications, limits in force, limit rows.
- :mod:`tests.builders.declarations`: a declaring policy with a buyer and a limit, shipments.
- :mod:`tests.builders.principals`: service principals for use cases called directly.
- :mod:`tests.builders.portfolios`: generated portfolios and factor models for the risk engine.

Organisations, people and credentials come from the fixtures and factories of
``tests/conftest.py`` (``make_org``, ``make_key_actor``, ``make_cast``...).
"""

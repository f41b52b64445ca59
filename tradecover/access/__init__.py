"""Organisations, people, roles, API keys and sign-in: who may see and do what."""

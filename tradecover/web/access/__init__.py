"""Pages of access: signing in and out, and choosing the language."""

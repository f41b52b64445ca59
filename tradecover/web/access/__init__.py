"""Pages of access: the home redirect, signing in and out, and choosing the language."""

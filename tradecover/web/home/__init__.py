"""Pages of the role homes: the first page each person sees after signing in."""

"""Dashboard pages of the feed stream."""

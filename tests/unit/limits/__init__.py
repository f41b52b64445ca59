"""Unit tests of the limits context."""

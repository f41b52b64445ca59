"""Unit tests of the buyers context."""

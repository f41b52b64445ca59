"""Unit tests of tradecover.pricing."""

"""Unit tests of tradecover.reference."""

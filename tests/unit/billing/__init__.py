"""Unit tests of tradecover.billing."""

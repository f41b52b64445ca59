"""Unit tests of tradecover.subsidies."""

"""Unit tests of tradecover.declarations."""

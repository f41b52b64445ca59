"""Unit tests of tradecover.ledger."""

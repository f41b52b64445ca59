"""tradecover: an open-source export credit insurance platform."""

__version__ = "0.1.0"

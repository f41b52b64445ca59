"""Command-line adapter (Typer): ``tradecover ...``."""

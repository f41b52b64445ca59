"""Pages of the document registry: the verification of a held document."""

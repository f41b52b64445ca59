"""Pages of billing: premium notices, on screen and printable."""

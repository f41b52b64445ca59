"""Country risk: the OECD class of every country and the insurer's own view, with history."""

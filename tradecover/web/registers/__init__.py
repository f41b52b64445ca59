"""Dashboard pages of the registers: the buyers and the audit log, as tables."""

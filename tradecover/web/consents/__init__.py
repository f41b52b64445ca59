"""Pages of consents: the data page of the exporter and of its grantees."""

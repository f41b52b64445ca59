"""Short-term policy administration: exporter profiles, applications, schedules, lifecycle."""

"""Tracking limits: bulk actions, watch list, idle limits, utilisation."""

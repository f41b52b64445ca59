"""The insurer's four-eyes waivers of late premium (issue 14, source 002 8.2.3)."""

"""The insurer's four-eyes waivers of late premium ([002] 8.2.3)."""

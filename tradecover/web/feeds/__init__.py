"""Dashboard pages of the feeds: the exporter's sources, documents, what waits for its
confirmation, quarantine and omissions; the underwriter's per-buyer exposure from automatic
attachment.
"""

"""Claim documents: the checklist per cause of loss, uploads and review.

Pure rules: :mod:`~tradecover.claims.documents.checklist` (the documents each cause of loss
needs, and the approval gate) and :mod:`~tradecover.claims.documents.content_type` (the
type of an upload sniffed from its bytes, size and type limits).  Adapters: ``store.py``
(local files or an S3-compatible store), ``model.py``, ``service.py``, ``schemas.py``,
``api.py`` and ``cli.py``.
"""

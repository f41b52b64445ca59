"""The attachment of declared shipments: one shell every channel calls
(:mod:`~tradecover.declarations.attachment.service`), over one port
(:class:`~tradecover.declarations.attachment.repository.AttachmentStore`) with two adapters chosen
once at start-up: portable (any database) and PostgreSQL (pipelined round trips).
"""

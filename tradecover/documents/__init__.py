"""The document registry: every PDF the insurer issues gets a number, a content hash in the
audit log and a verification that tells whether a held copy is genuine ([domain DOC-1]..).

The public face: the pure rules of :mod:`.registry` load at once; the use cases
(:func:`issue`, :func:`verify`) and the model load on first use.
"""

from typing import TYPE_CHECKING

from tradecover.documents.registry import (
    KIND_LABELS,
    DocumentKind,
    Genuineness,
    Verdict,
    content_hash,
    document_number,
    stamp_lines,
    verify_path,
)
from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.documents.model import IssuedDocument as IssuedDocument
    from tradecover.documents.service import IssuedPdf as IssuedPdf
    from tradecover.documents.service import issue as issue
    from tradecover.documents.service import issued_documents as issued_documents
    from tradecover.documents.service import verify as verify

_LAZY = {
    "IssuedDocument": "model",
    "IssuedPdf": "service",
    "issue": "service",
    "issued_documents": "service",
    "verify": "service",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "KIND_LABELS",
    "DocumentKind",
    "Genuineness",
    "IssuedDocument",
    "IssuedPdf",
    "Verdict",
    "content_hash",
    "document_number",
    "issue",
    "issued_documents",
    "stamp_lines",
    "verify",
    "verify_path",
]

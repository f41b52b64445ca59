"""The documents each cause of loss needs, the checklist and the approval gate."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.claims.documents.checklist import (
    Checklist,
    DocumentKind,
    DocumentStatus,
    ItemStatus,
    UploadedDocument,
    checklist,
    ensure_complete,
    item_status,
    required_documents,
)
from tradecover.claims.indemnity import LossCause
from tradecover.kit.errors import Conflict

K = DocumentKind
SALE = [K.SALES_CONTRACT, K.COMMERCIAL_INVOICE, K.TRANSPORT_DOCUMENT]


@pytest.mark.parametrize(
    ("cause", "own"),
    [
        (LossCause.INSOLVENCY, [K.PROOF_OF_INSOLVENCY]),
        (LossCause.PROTRACTED_DEFAULT, [K.PROOF_OF_DEFAULT, K.COLLECTION_CORRESPONDENCE]),
        (LossCause.REFUSAL_OF_GOODS, [K.PROOF_OF_REFUSAL, K.COLLECTION_CORRESPONDENCE]),
        (LossCause.TRANSFER_RESTRICTION, [K.PROOF_OF_POLITICAL_EVENT]),
        (LossCause.IMPORT_BAN, [K.PROOF_OF_POLITICAL_EVENT]),
        (LossCause.WAR, [K.PROOF_OF_POLITICAL_EVENT]),
        (LossCause.OTHER_POLITICAL, [K.PROOF_OF_POLITICAL_EVENT]),
    ],
)
def test_each_cause_needs_the_sale_the_shipment_and_its_own_proof(
    cause: LossCause, own: list[DocumentKind]
) -> None:
    assert list(required_documents(cause)) == SALE + own


def test_every_cause_has_a_checklist_and_other_is_never_required() -> None:
    for cause in LossCause:
        assert K.OTHER not in required_documents(cause)


def _up(document_id: int, kind: DocumentKind, status: DocumentStatus) -> UploadedDocument:
    return UploadedDocument(document_id=document_id, kind=kind, status=status)


def test_a_fresh_claim_misses_every_required_document() -> None:
    result = checklist(LossCause.INSOLVENCY, [])
    assert [(i.kind, i.required, i.status, i.document_ids) for i in result.items] == [
        (k, True, ItemStatus.MISSING, ()) for k in [*SALE, K.PROOF_OF_INSOLVENCY]
    ]
    assert not result.complete
    with pytest.raises(Conflict) as refused:
        ensure_complete(result)
    assert (refused.value.code, refused.value.field, refused.value.status) == (
        "required_documents_missing",
        "documents",
        409,
    )
    assert refused.value.details == {
        "missing_documents": [
            "sales_contract",
            "commercial_invoice",
            "transport_document",
            "proof_of_insolvency",
        ]
    }


def test_items_follow_their_uploads_and_extra_kinds_never_block() -> None:
    uploads = [
        _up(1, K.SALES_CONTRACT, DocumentStatus.ACCEPTED),
        _up(2, K.COMMERCIAL_INVOICE, DocumentStatus.MISSING),
        _up(3, K.COMMERCIAL_INVOICE, DocumentStatus.RECEIVED),
        _up(4, K.TRANSPORT_DOCUMENT, DocumentStatus.MISSING),
        _up(5, K.OTHER, DocumentStatus.RECEIVED),
        _up(6, K.PROOF_OF_INSOLVENCY, DocumentStatus.MISSING),  # not needed for war
        _up(7, K.PROOF_OF_POLITICAL_EVENT, DocumentStatus.ACCEPTED),
    ]
    result = checklist(LossCause.WAR, uploads)
    assert [(i.kind, i.required, i.status, i.document_ids) for i in result.items] == [
        (K.SALES_CONTRACT, True, ItemStatus.ACCEPTED, (1,)),
        (K.COMMERCIAL_INVOICE, True, ItemStatus.RECEIVED, (2, 3)),
        (K.TRANSPORT_DOCUMENT, True, ItemStatus.MISSING, (4,)),
        (K.PROOF_OF_POLITICAL_EVENT, True, ItemStatus.ACCEPTED, (7,)),
        (K.PROOF_OF_INSOLVENCY, False, ItemStatus.MISSING, (6,)),
        (K.OTHER, False, ItemStatus.RECEIVED, (5,)),
    ]
    assert [i.kind for i in result.outstanding] == [K.COMMERCIAL_INVOICE, K.TRANSPORT_DOCUMENT]
    with pytest.raises(Conflict) as refused:
        ensure_complete(result)
    assert "commercial_invoice (received), transport_document (missing)" in refused.value.message


def test_an_accepted_upload_satisfies_its_item_whatever_else_was_uploaded() -> None:
    assert item_status([]) is ItemStatus.MISSING
    assert item_status([DocumentStatus.MISSING, DocumentStatus.MISSING]) is ItemStatus.MISSING
    assert item_status([DocumentStatus.MISSING, DocumentStatus.RECEIVED]) is ItemStatus.RECEIVED
    assert (
        item_status([DocumentStatus.RECEIVED, DocumentStatus.ACCEPTED, DocumentStatus.MISSING])
        is ItemStatus.ACCEPTED
    )


uploads_strategy = st.lists(
    st.tuples(st.sampled_from(list(DocumentKind)), st.sampled_from(list(DocumentStatus))),
    max_size=25,
)


@given(cause=st.sampled_from(list(LossCause)), uploads=uploads_strategy)
def test_complete_exactly_when_every_required_kind_has_an_accepted_upload(
    cause: LossCause, uploads: list[tuple[DocumentKind, DocumentStatus]]
) -> None:
    result: Checklist = checklist(
        cause, [_up(n, k, s) for n, (k, s) in enumerate(uploads, start=1)]
    )
    accepted = {k for k, s in uploads if s is DocumentStatus.ACCEPTED}
    assert result.complete == (set(required_documents(cause)) <= accepted)
    # every upload is listed once, under its kind; required kinds come first, in order
    listed = [d for i in result.items for d in i.document_ids]
    assert sorted(listed) == list(range(1, len(uploads) + 1))
    kinds = [i.kind for i in result.items]
    assert kinds[: len(required_documents(cause))] == list(required_documents(cause))
    assert len(set(kinds)) == len(kinds)
    if result.complete:
        ensure_complete(result)
    else:
        with pytest.raises(Conflict):
            ensure_complete(result)

"""The document stores keep the port's contract: the local filesystem and an S3-compatible
store (boto3 against moto's in-process fake of S3)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from tradecover.claims.documents.store import (
    DocumentStore,
    LocalDocumentStore,
    S3DocumentStore,
    store_from_settings,
)
from tradecover.config import Settings
from tradecover.kit.errors import NotFound, ValidationFailed

BUCKET = "claim-documents"


@pytest.fixture
def s3() -> Iterator[object]:
    with mock_aws():
        client = boto3.client(
            "s3", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
        )
        client.create_bucket(Bucket=BUCKET)
        yield client


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DocumentStore]:
    if request.param == "local":
        yield LocalDocumentStore(tmp_path / "documents")
        return
    with mock_aws():
        client = boto3.client(
            "s3", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
        )
        client.create_bucket(Bucket=BUCKET)
        yield S3DocumentStore(client, bucket=BUCKET, prefix="tc/")


def test_bytes_come_back_as_they_went_in_and_go_away(store: DocumentStore) -> None:
    store.put("claims/7/abc", b"%PDF-1.7 first", content_type="application/pdf")
    store.put("claims/7/def", b"\x89PNG second", content_type="image/png")
    assert store.get("claims/7/abc") == b"%PDF-1.7 first"
    store.put("claims/7/abc", b"%PDF-1.7 replaced", content_type="application/pdf")
    assert store.get("claims/7/abc") == b"%PDF-1.7 replaced"
    store.delete("claims/7/abc")
    store.delete("claims/7/abc")  # twice is not an error
    with pytest.raises(NotFound) as lost:
        store.get("claims/7/abc")
    assert lost.value.code == "document_content_lost"
    assert store.get("claims/7/def") == b"\x89PNG second"


@pytest.mark.parametrize(
    "key",
    ["../secret_key", "/etc/passwd", "claims/../../x", "", "claims//1", "claims/1\n", ".hidden"],
)
def test_keys_cannot_leave_the_store(store: DocumentStore, key: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        store.put(key, b"x", content_type="text/plain")
    assert refused.value.code == "invalid_storage_key"


def test_the_local_store_writes_whole_files_only(tmp_path: Path) -> None:
    store = LocalDocumentStore(tmp_path)
    store.put("claims/1/k", b"abc", content_type="text/plain")
    assert sorted(
        p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()
    ) == ["claims/1/k"]  # no temporary file left


def test_the_s3_store_puts_objects_under_its_prefix_with_their_type(s3: object) -> None:
    store = S3DocumentStore(s3, bucket=BUCKET, prefix="tradecover/")
    store.put("claims/3/k1", b"%PDF-1.7", content_type="application/pdf")
    head = s3.head_object(Bucket=BUCKET, Key="tradecover/claims/3/k1")  # type: ignore[attr-defined]
    assert (head["ContentType"], head["ContentLength"]) == ("application/pdf", 8)


def test_the_settings_choose_the_store(tmp_path: Path, s3: object) -> None:
    local = store_from_settings(Settings(document_dir=tmp_path / "docs"))
    assert isinstance(local, LocalDocumentStore) and local.root == tmp_path / "docs"
    with pytest.raises(ValidationFailed) as no_bucket:
        store_from_settings(Settings(document_storage="s3"))
    assert (no_bucket.value.code, no_bucket.value.field) == ("s3_bucket_required", "s3_bucket")
    remote = store_from_settings(
        Settings(
            document_storage="s3",
            s3_bucket=BUCKET,
            s3_prefix="p/",
            s3_region="us-east-1",
            s3_access_key_id="test",
            s3_secret_access_key="test",
        )
    )
    assert isinstance(remote, S3DocumentStore)
    remote.put("claims/9/k", b"hello", content_type="text/plain")
    assert s3.get_object(Bucket=BUCKET, Key="p/claims/9/k")["Body"].read() == b"hello"  # type: ignore[attr-defined]

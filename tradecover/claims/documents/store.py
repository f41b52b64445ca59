"""Where the bytes of claim documents live: a storage adapter.

:class:`DocumentStore` is the port: ``put``, ``get`` and ``delete`` of the bytes under a
key the service chooses (unique per upload).  Two adapters:

* :class:`LocalDocumentStore`: files under a directory (``var/documents`` by default),
  written to a temporary name and renamed into place, so a reader never sees half a file;
* :class:`S3DocumentStore`: an S3-compatible object store through ``boto3`` (AWS S3,
  MinIO, Ceph...), configured by the ``TRADECOVER_S3_*`` settings.

:func:`store_from_settings` picks one from ``TRADECOVER_DOCUMENT_STORAGE``.  The database
row of a document is written in the same transaction as its upload; the edge deletes
the stored bytes again when that transaction does not commit (no file left behind).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any, Protocol

from tradecover.config import Settings
from tradecover.kit.errors import NotFound, ValidationFailed

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.-]{0,250}")


def _checked(key: str) -> str:
    if not _KEY.fullmatch(key) or ".." in key or "//" in key:
        raise ValidationFailed(
            f"not a storage key: {key!r}", code="invalid_storage_key", field="key"
        )
    return key


class DocumentStore(Protocol):
    """The port: bytes under a key."""

    def put(self, key: str, data: bytes, *, content_type: str) -> None:
        """Store ``data`` under ``key`` (replacing what was there)."""

    def get(self, key: str) -> bytes:
        """The bytes under ``key``; ``NotFound`` when there are none."""

    def delete(self, key: str) -> None:
        """Remove what is under ``key`` (nothing there is not an error)."""


class LocalDocumentStore:
    """Files under ``root``: one file per key, written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)

    def put(self, key: str, data: bytes, *, content_type: str) -> None:
        """Write to a temporary file beside the target, flush it, rename it into place."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        """The file's bytes."""
        path = self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise NotFound(
                f"no stored document under {key}", code="document_content_lost", field="key"
            ) from None

    def delete(self, key: str) -> None:
        """Remove the file, if any."""
        self._path(key).unlink(missing_ok=True)


class S3DocumentStore:
    """Objects in an S3-compatible bucket, under ``prefix``.

    ``client`` is a ``boto3`` S3 client (or anything with the same ``put_object``,
    ``get_object`` and ``delete_object``).
    """

    def __init__(self, client: Any, *, bucket: str, prefix: str = "") -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def _key(self, key: str) -> str:
        return self.prefix + _checked(key)

    def put(self, key: str, data: bytes, *, content_type: str) -> None:
        """``PutObject`` with the content type."""
        self.client.put_object(
            Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type
        )

    def get(self, key: str) -> bytes:
        """``GetObject``; a missing key is ``NotFound``."""
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code in ("NoSuchKey", "404", "NotFound"):
                raise NotFound(
                    f"no stored document under {key}", code="document_content_lost", field="key"
                ) from None
            raise
        data: bytes = answer["Body"].read()
        return data

    def delete(self, key: str) -> None:
        """``DeleteObject`` (S3 answers success for a missing key too)."""
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))


def s3_client(settings: Settings) -> Any:
    """A ``boto3`` S3 client for the ``TRADECOVER_S3_*`` settings."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url,
        region_name=settings.s3_region,
        aws_access_key_id=settings.s3_access_key_id,
        aws_secret_access_key=settings.s3_secret_access_key,
    )


def store_from_settings(settings: Settings) -> DocumentStore:
    """The configured store: local files by default, S3 when ``document_storage=s3``."""
    if settings.document_storage == "s3":
        if not settings.s3_bucket:
            raise ValidationFailed(
                "TRADECOVER_S3_BUCKET is required for the S3 store",
                code="s3_bucket_required",
                field="s3_bucket",
            )
        return S3DocumentStore(
            s3_client(settings), bucket=settings.s3_bucket, prefix=settings.s3_prefix
        )
    return LocalDocumentStore(settings.document_dir)

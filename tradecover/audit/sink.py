"""Where checkpoints are written besides the database: a port and its adapters.

The default is an append-only JSON-lines file (``var/audit-checkpoints.jsonl``,
``TRADECOVER_AUDIT_CHECKPOINT_SINK``): one checkpoint per line, appended under an exclusive
lock and flushed to disk.  A sink address with a scheme (``s3://bucket/prefix``,
``memory://x``, ...) writes one object per checkpoint through fsspec instead, never
overwriting an existing object.  Put the file on storage the database's administrators cannot
rewrite (another host, WORM storage) and hand copies to third parties: what they keep is what
``tradecover audit verify --checkpoints`` compares the database with.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from tradecover.audit.checkpoint import Checkpoint, CheckpointFormatError

Build = Callable[[Checkpoint | None], Checkpoint]


def read_checkpoints(text: str) -> list[Checkpoint]:
    """Checkpoints from JSON lines, or from an export document ``{"checkpoints": [...]}``."""
    stripped = text.strip()
    if not stripped:
        return []
    try:
        document = json.loads(stripped)
    except ValueError:
        document = None  # JSON lines: one checkpoint per line
    if isinstance(document, dict):
        items = document.get("checkpoints", [document])
        if not isinstance(items, list):
            raise CheckpointFormatError("checkpoints: expected a list", field="checkpoints")
        return [Checkpoint.from_json(item) for item in items]
    try:
        return [
            Checkpoint.from_json(json.loads(line)) for line in stripped.splitlines() if line.strip()
        ]
    except CheckpointFormatError:
        raise
    except ValueError as exc:
        raise CheckpointFormatError(
            f"checkpoints are not JSON: {exc}", field="checkpoints"
        ) from exc


def _line(checkpoint: Checkpoint) -> str:
    return json.dumps(checkpoint.to_json(), sort_keys=True, separators=(",", ":")) + "\n"


class CheckpointSink(Protocol):
    """The port: append the next checkpoint, read them all back."""

    def append_next(self, build: Build) -> Checkpoint:
        """Build the checkpoint that follows the last one written and append it, atomically
        with respect to other writers of the same sink.
        """

    def read_all(self) -> list[Checkpoint]:
        """Every checkpoint written, in order."""


class FileSink:
    """An append-only JSON-lines file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read_all(self) -> list[Checkpoint]:
        """Every checkpoint in the file."""
        if not self.path.exists():
            return []
        return read_checkpoints(self.path.read_text(encoding="utf-8"))

    def append_next(self, build: Build) -> Checkpoint:
        """Under an exclusive lock: read the last line, build, append and fsync."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                handle.seek(0)
                existing = read_checkpoints(handle.read())
                checkpoint = build(existing[-1] if existing else None)
                handle.write(_line(checkpoint))
                handle.flush()
                os.fsync(handle.fileno())
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return checkpoint


class ObjectStoreSink:
    """One object per checkpoint (``<prefix>/checkpoint-0000000001.json``) through fsspec;
    an object that exists is never overwritten (the write is exclusive).
    """

    def __init__(self, url: str) -> None:
        import fsspec  # type: ignore[import-untyped]

        filesystem, prefix = fsspec.core.url_to_fs(url)
        self.filesystem: Any = filesystem
        self.prefix = str(prefix).rstrip("/")

    def _names(self) -> list[str]:
        if not self.filesystem.exists(self.prefix):
            return []
        return sorted(
            str(name)
            for name in self.filesystem.ls(self.prefix, detail=False)
            if str(name).rsplit("/", 1)[-1].startswith("checkpoint-")
        )

    def read_all(self) -> list[Checkpoint]:
        """Every checkpoint object, in number order."""
        found = []
        for name in self._names():
            with self.filesystem.open(name, "rb") as handle:
                found.append(Checkpoint.from_json(json.loads(handle.read())))
        return sorted(found, key=lambda c: c.number)

    def append_next(self, build: Build) -> Checkpoint:
        """Build after the last object and write it with an exclusive create."""
        existing = self.read_all()
        checkpoint = build(existing[-1] if existing else None)
        self.filesystem.makedirs(self.prefix, exist_ok=True)
        name = f"{self.prefix}/checkpoint-{checkpoint.number:010d}.json"
        try:
            with self.filesystem.open(name, "xb") as handle:
                handle.write(_line(checkpoint).encode())
        except FileExistsError as exc:
            from tradecover.kit.errors import Conflict

            raise Conflict(
                f"checkpoint {checkpoint.number} was written concurrently",
                code="audit_checkpoint_race",
            ) from exc
        return checkpoint


def open_sink(address: str) -> CheckpointSink:
    """The sink an address names: a path (or ``file://`` URL) is a JSON-lines file, any
    other scheme an object store.
    """
    if address.startswith("file://"):
        return FileSink(Path(address.removeprefix("file://")))
    if "://" in address:
        return ObjectStoreSink(address)
    return FileSink(Path(address))

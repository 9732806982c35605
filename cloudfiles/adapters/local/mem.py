"""mem://: a process-wide in-memory store, keyed by bucket, holding encoded bytes."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

from attrs import frozen

from ...domain.buffers import byte_view
from ...domain.byteranges import ByteRange
from ...domain.listing import filter_listing, key_prefix
from ...domain.objects import (
    ObjectInfo,
    PutOptions,
    StorageConfig,
    StoredObject,
    ranged_answer,
    reads_range_of_stored_bytes,
)
from ...domain.paths import ExtractedPath
from ...domain.ports import Storage


@frozen
class _Entry:
    content: bytes
    options: PutOptions
    modified: float


_BUCKETS: dict[str, dict[str, _Entry]] = {}
_LOCK = threading.Lock()


def _bucket(name: str) -> dict[str, _Entry]:
    with _LOCK:
        return _BUCKETS.setdefault(name, {})


class MemStorage(Storage):
    """In-memory storage shared by every CloudFiles of this process on the same bucket.

    The bucket is the first segment of the path (mem://bucket/dir); the rest is a key prefix.
    """

    protocol = "mem"
    OPTIONS: frozenset[str] = frozenset()  # locking, lock_dir: CloudFiles parameters
    process_safe = False
    local = True
    keeps_buffers = True

    def __init__(self, location: ExtractedPath, config: StorageConfig):
        super().__init__(location, config)
        bucket, _, base = location.path.lstrip("/").partition("/")
        self._objects = _bucket(bucket)
        self._base = key_prefix(base)

    def get(self, key: str, byte_range: ByteRange | None = None) -> StoredObject | None:
        entry = self._objects.get(self._base + key)
        if entry is None:
            return None
        if reads_range_of_stored_bytes(byte_range, entry.options.encoding):
            return ranged_answer(bytes(byte_view(entry.content)), None, byte_range)
        return StoredObject(entry.content, entry.options.encoding)

    def head(self, key: str) -> ObjectInfo | None:
        """Size, encoding and time of the put, as file:// reports them: local storages keep
        no Content-Type, Cache-Control or storage class (None, as cloud-files' mem and file)."""
        entry = self._objects.get(self._base + key)
        if entry is None:
            return None
        return ObjectInfo(size=len(byte_view(entry.content)), encoding=entry.options.encoding,
                          last_modified=entry.modified)

    def exists(self, key: str) -> bool:
        return self._base + key in self._objects

    def put(self, key: str, content: Any, options: PutOptions) -> None:
        """Store an immutable copy of any bytes-like content (bytes themselves are not copied).

        A numpy array is kept as a read-only array copy, handed back as such by get: CloudVolume
        relies on this (raw chunks on mem:// skip serialization), as cloud-files allows.
        """
        self._objects[self._base + key] = _Entry(_frozen_copy(content), options, time.time())

    def delete(self, key: str) -> None:
        self._objects.pop(self._base + key, None)

    def list(self, prefix: str = "", flat: bool = False) -> Iterator[str]:
        with _LOCK:
            keys = sorted(self._objects)
        start = len(self._base)
        relative = (k[start:] for k in keys if k.startswith(self._base))
        return filter_listing(relative, prefix, flat)


def _frozen_copy(content: Any) -> Any:
    """bytes as they are; an array-like with numpy's copy/flags as a read-only copy; any other
    buffer as bytes."""
    if type(content) is bytes:
        return content
    flags = getattr(content, "flags", None)
    if flags is not None and hasattr(content, "copy") and hasattr(flags, "writeable"):
        copy = content.copy(order="K")
        copy.flags.writeable = False
        return copy
    return bytes(byte_view(content))


def clear_all() -> None:
    """Empty every bucket of this process, in place (open storages see them empty)."""
    with _LOCK:
        for bucket in _BUCKETS.values():
            bucket.clear()

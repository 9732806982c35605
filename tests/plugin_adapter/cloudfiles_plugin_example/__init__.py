"""A third party's storage: a plain dict per process, served as plug://bucket/path.

It knows nothing of cloudfiles' internals beyond the public port it implements.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator

from cloudfiles.domain.byteranges import ByteRange
from cloudfiles.domain.listing import filter_listing
from cloudfiles.domain.objects import ObjectInfo, PutOptions, StoredObject
from cloudfiles.domain.ports import Storage

OBJECTS: dict[str, tuple[bytes, PutOptions]] = {}
_LOCK = threading.Lock()


class DictStorage(Storage):
    """Objects in a module-level dict keyed by '<root>/<key>'."""

    protocol = "plug"
    process_safe = False

    def _full(self, key: str) -> str:
        return f"{self.location.path.rstrip('/')}/{key}"

    def get(self, key: str, byte_range: ByteRange | None = None) -> StoredObject | None:
        found = OBJECTS.get(self._full(key))
        if found is None:
            return None
        content, options = found
        return StoredObject(content, options.encoding, content_type=options.content_type)

    def head(self, key: str) -> ObjectInfo | None:
        found = OBJECTS.get(self._full(key))
        if found is None:
            return None
        content, options = found
        return ObjectInfo(size=len(content), encoding=options.encoding,
                          content_type=options.content_type)

    def put(self, key: str, content: bytes, options: PutOptions) -> None:
        with _LOCK:
            OBJECTS[self._full(key)] = (bytes(content), options)

    def delete(self, key: str) -> None:
        with _LOCK:
            OBJECTS.pop(self._full(key), None)

    def list(self, prefix: str = "", flat: bool = False) -> Iterator[str]:
        root = self._full("")
        with _LOCK:
            keys = sorted(k[len(root):] for k in OBJECTS if k.startswith(root))
        return filter_listing(keys, prefix, flat)

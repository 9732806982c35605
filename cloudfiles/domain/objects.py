"""Values that cross the storage port: what is stored, what is known about it, how to store it."""
from __future__ import annotations

from typing import Any

from attrs import field, frozen

from .streams import Digests

#: The Content-Type of content stored without one.
DEFAULT_CONTENT_TYPE = "application/octet-stream"


@frozen
class StoredObject:
    """Bytes as a storage holds them (still encoded), or just the asked range when `partial`."""

    content: bytes
    encoding: str | None = None
    partial: bool = False
    content_type: str | None = None


def reads_range_of_stored_bytes(byte_range: Any, encoding: str | None) -> bool:
    """Whether a storage answers byte_range with just those stored bytes.

    Ranges apply to decoded content: only unencoded objects can be read in part. An encoded
    object is answered whole (or, when the storage could not tell before reading, as a
    partial answer carrying its encoding, which the app then fetches whole).
    """
    return byte_range is not None and not byte_range.is_whole and encoding is None


def ranged_answer(content: Any, encoding: str | None, byte_range: Any,
                  content_type: str | None = None) -> StoredObject:
    """The answer to a (maybe ranged) read of an object held whole: the asked stored bytes
    when unencoded, else the whole object for the app to decode and slice."""
    if reads_range_of_stored_bytes(byte_range, encoding):
        return StoredObject(byte_range.slice(content), None, True, content_type)
    return StoredObject(content, encoding, False, content_type)


@frozen
class ObjectInfo:
    """What a HEAD tells about an object; `size` counts stored (encoded) bytes."""

    size: int
    encoding: str | None = None
    content_type: str | None = None
    cache_control: str | None = None
    storage_class: str | None = None
    etag: str | None = None
    last_modified: float | None = None
    metadata: dict[str, Any] = field(factory=dict)
    #: Checksums of the whole stored object where the storage states them.
    digests: Digests = field(factory=Digests)

    def as_dict(self) -> dict[str, Any]:
        """The dict `CloudFiles.head` returns for this object."""
        return {
            "Content-Length": self.size,
            "Content-Encoding": self.encoding,
            "Content-Type": self.content_type,
            "Cache-Control": self.cache_control,
            "Storage-Class": self.storage_class,
            "ETag": self.etag,
            "Last-Modified": self.last_modified,
            **self.metadata,
        }

    def nothing_in_range(self) -> StoredObject:
        """The answer to a range past the end: no bytes, partial, with the encoding (an
        encoded object's decoded bytes may still reach into the range: the app reads it whole)."""
        return StoredObject(b"", self.encoding, partial=True, content_type=self.content_type)


@frozen
class PutOptions:
    """How to store one object: its encoding is the one `content` is already in."""

    content_type: str | None = None
    encoding: str | None = None
    cache_control: str | None = None
    storage_class: str | None = None


@frozen
class StorageConfig:
    """Settings a CloudFiles hands every adapter it opens; `options` carries adapter extras."""

    secrets: Any = None
    num_threads: int = 20
    endpoint: str | None = None
    request_payer: str | None = None
    green: bool = False
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    options: dict[str, Any] = field(factory=dict)

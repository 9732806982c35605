"""Big objects without holding them: byte sources read a part at a time, bodies written where
they belong as they arrive, and the checksums that vouch for the whole.

A `ByteSource` is an object's stored bytes read by range (a local file being uploaded). A
`WriteTarget` is a local file written in place of an object, in parts and in any order, and
made visible at once on `commit` (or never, on `abort`). A `BodySink` is where a transport
writes one response body instead of memory.
"""
from __future__ import annotations

import base64
import re
from abc import ABC, abstractmethod
from typing import Self

from attrs import frozen

from .errors import CRC32CIntegrityError, MD5IntegrityError

#: Objects at least this big are streamed (uploaded in parts, downloaded into their file).
STREAM_FROM = 64 * 1024 * 1024
#: The size of one ranged GET when an object is downloaded in parallel parts.
DOWNLOAD_PART = 16 * 1024 * 1024


@frozen
class Digests:
    """Checksums of a whole object as storages state them: base64 md5 and crc32c."""

    md5: str | None = None
    crc32c: str | None = None

    @property
    def empty(self) -> bool:
        """Whether there is nothing to check against."""
        return self.md5 is None and self.crc32c is None


_MD5_HEX = re.compile("[0-9a-fA-F]{32}")


def md5_of_etag(etag: str | None) -> str | None:
    """The base64 md5 an S3 ETag states, None when it is not one (multipart: 'hex-N')."""
    value = (etag or "").strip('"')
    if _MD5_HEX.fullmatch(value) is None:
        return None
    return base64.b64encode(bytes.fromhex(value)).decode("ascii")


def check_digests(stated: Digests, actual: Digests, what: str) -> None:
    """Raise an IntegrityError when an md5 (else crc32c) stated differs from the one found."""
    if stated.md5 is not None and actual.md5 is not None:
        if stated.md5 != actual.md5:
            raise MD5IntegrityError(f"{what}: md5 of the bytes received is {actual.md5}, "
                                    f"the server stated {stated.md5}.")
        return
    if stated.crc32c is not None and actual.crc32c is not None and \
            stated.crc32c != actual.crc32c:
        raise CRC32CIntegrityError(f"{what}: crc32c of the bytes received is {actual.crc32c}, "
                                   f"the server stated {stated.crc32c}.")


class ByteSource(ABC):
    """An object's stored bytes, read a range at a time; safe to read from several threads."""

    size: int
    encoding: str | None = None

    @abstractmethod
    def read(self, start: int, end: int) -> bytes:
        """The bytes [start, end) (fewer only past the end)."""

    def close(self) -> None:
        """Let go of the file behind the source."""

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, part: slice) -> bytes:
        """source[start:end] reads those bytes, so code slicing bytes into parts (multipart
        and resumable uploads) reads a part at a time."""
        if not isinstance(part, slice):
            raise TypeError("A ByteSource is read by slices (source[start:end]).")
        start, stop, step = part.indices(self.size)
        if step != 1:
            raise ValueError("A ByteSource is read in contiguous slices.")
        return self.read(start, stop) if stop > start else b""

    def read_all(self) -> bytes:
        """Every byte (for objects too small to be worth parts)."""
        return self.read(0, self.size)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class BytesSource(ByteSource):
    """A ByteSource over bytes already in memory."""

    def __init__(self, content: bytes, encoding: str | None = None):
        self._view = memoryview(content).cast("B")
        self.size = len(self._view)
        self.encoding = encoding

    def read(self, start: int, end: int) -> bytes:
        return bytes(self._view[start:end])


class BodySink(ABC):
    """Where a transport writes a successful response's body, chunk by chunk."""

    @abstractmethod
    def write(self, chunk: bytes) -> None:
        """The next chunk of the body."""

    @abstractmethod
    def restart(self) -> None:
        """Forget what was written: the request is being sent again from its start."""


class WriteTarget(ABC):
    """A local file taking an object's place: written in parts, visible only once committed."""

    @abstractmethod
    def sink_at(self, offset: int) -> BodySink:
        """A sink writing the bytes it receives from `offset` on."""

    @abstractmethod
    def write_at(self, offset: int, data: bytes) -> None:
        """Write data at offset."""

    @abstractmethod
    def digests(self) -> Digests:
        """md5 and crc32c of what was written (for a target opened `hashed`)."""

    @abstractmethod
    def commit(self) -> None:
        """Make the file visible under the object's name, replacing any older one."""

    @abstractmethod
    def abort(self) -> None:
        """Drop the file: nothing of it stays behind."""

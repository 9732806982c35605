"""Local files as byte sources (read by range, for uploads in parts) and as write targets
(written in parts at any offset into a temp file, renamed into place on commit)."""
from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from typing import Any

from ...domain.streams import BodySink, ByteSource, BytesSource, Digests, WriteTarget
from ..checksums import RunningDigests

#: Bytes read at once when a file is hashed or copied.
CHUNK = 8 * 1024 * 1024
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


class FileSource(ByteSource):
    """A local file read by range with pread (no shared file position: thread-safe)."""

    def __init__(self, path: str, encoding: str | None = None, *, fd: int | None = None,
                 base: int = 0):
        self.path = path
        self.encoding = encoding
        self._fd = os.open(path, _READ_FLAGS) if fd is None else fd
        self._base = base  # where the source starts in the file
        self.size = max(0, os.fstat(self._fd).st_size - base)

    def read(self, start: int, end: int) -> bytes:
        wanted = max(0, min(end, self.size) - start)
        start += self._base
        data = os.pread(self._fd, wanted, start)
        if len(data) == wanted:
            return data
        parts = [data]  # a short read: keep going until the range or the file ends
        got = len(data)
        while got < wanted and (more := os.pread(self._fd, wanted - got, start + got)):
            parts.append(more)
            got += len(more)
        return b"".join(parts)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def readable_source(handle: Any) -> ByteSource:
    """A ByteSource of what is left to read in a binary file object: read by range from a
    regular file (from its current position), else read now (pipes, sockets, BytesIO)."""
    try:
        fd = handle.fileno()
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        regular = False
    if regular:
        position = handle.tell()
        return FileSource(getattr(handle, "name", "<file>"), fd=os.dup(fd), base=position)
    data = handle.read()
    if isinstance(data, str):
        raise TypeError("put takes a file opened in binary mode ('rb'), not text mode.")
    return BytesSource(data)


class FileTarget(WriteTarget):
    """A temp file beside `final_path`, written at offsets, renamed onto it on commit.

    Bytes written in order from offset 0 are hashed as they come; parts written out of order
    (parallel ranged GETs) are hashed by reading the file back once, at `digests()`.
    `after_commit` runs once the file is in place (the storage removes stale suffix forms).
    """

    def __init__(self, temp_path: str, fd: int, final_path: str,
                 after_commit: Callable[[], None] = lambda: None):
        self.temp_path = temp_path
        self.final_path = final_path
        self._fd = fd
        self._after_commit = after_commit
        self._lock = threading.Lock()
        self._hasher: RunningDigests | None = RunningDigests()
        self._hashed = 0  # bytes [0, _hashed) went through the hasher, in order
        self._end = 0  # the end of the furthest byte written

    def sink_at(self, offset: int) -> BodySink:
        return _OffsetSink(self, offset)

    def write_at(self, offset: int, data: bytes) -> None:
        view = memoryview(data)
        position = offset
        while view:
            written = os.pwrite(self._fd, view, position)
            view = view[written:]
            position += written
        with self._lock:
            self._end = max(self._end, offset + len(data))
            if self._hasher is None:
                return
            if offset == self._hashed:
                self._hasher.update(data)
                self._hashed += len(data)
            elif offset < self._hashed:
                self._hasher = None  # rewritten (a retried part): read back at the end

    def digests(self) -> Digests:
        with self._lock:
            if self._hasher is not None and self._hashed == self._end:
                return Digests(self._hasher.md5, self._hasher.crc32c)
        hasher = RunningDigests()
        position = 0
        while chunk := os.pread(self._fd, CHUNK, position):
            hasher.update(chunk)
            position += len(chunk)
        return Digests(hasher.md5, hasher.crc32c)

    @property
    def size(self) -> int:
        """The current size of the file written."""
        return os.fstat(self._fd).st_size

    def truncate(self, size: int) -> None:
        """Cut (or extend) the file to size bytes."""
        os.ftruncate(self._fd, size)

    def commit(self) -> None:
        self._close()
        try:
            os.replace(self.temp_path, self.final_path)
        except OSError:
            _remove(self.temp_path)
            raise
        self._after_commit()

    def abort(self) -> None:
        self._close()
        _remove(self.temp_path)

    def _close(self) -> None:
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            os.close(fd)


class _OffsetSink(BodySink):
    """Writes a body into a FileTarget from a fixed offset on."""

    __slots__ = ("_offset", "_target", "_written")

    def __init__(self, target: FileTarget, offset: int):
        self._target = target
        self._offset = offset
        self._written = 0

    def write(self, chunk: bytes) -> None:
        self._target.write_at(self._offset + self._written, chunk)
        self._written += len(chunk)

    def restart(self) -> None:
        self._written = 0

    @property
    def written(self) -> int:
        return self._written


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass

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

    def fileno(self) -> int:
        """The descriptor the source reads from."""
        return self._fd

    @property
    def offset(self) -> int:
        """Where the source starts in its file."""
        return self._base

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

    With `hashed`, its md5 and crc32c are computed as it is written (see PrefixHasher), so
    `digests()` waits only for the last bytes. `after_commit` runs once the file is in place
    (the storage removes the key's stale suffix forms).
    """

    def __init__(self, temp_path: str, fd: int, final_path: str,
                 after_commit: Callable[[], None] = lambda: None, hashed: bool = False):
        self.temp_path = temp_path
        self.final_path = final_path
        self._fd = fd
        self._after_commit = after_commit
        self._hasher = PrefixHasher(fd) if hashed else None

    def sink_at(self, offset: int) -> BodySink:
        return _OffsetSink(self, offset)

    def write_at(self, offset: int, data: bytes) -> None:
        view = memoryview(data)
        position = offset
        while view:
            written = os.pwrite(self._fd, view, position)
            view = view[written:]
            position += written
        if self._hasher is not None:
            self._hasher.wrote(offset, position)

    def copy_from(self, source: FileSource) -> None:
        """Write the whole of a local file, kernel to kernel where the system can."""
        position = 0
        try:
            while position < source.size:
                copied = os.copy_file_range(source.fileno(), self._fd, source.size - position,
                                            source.offset + position, position)
                if copied == 0:
                    break
                position += copied
        except (AttributeError, OSError):  # no copy_file_range here, or not between these
            while position < source.size:
                chunk = source.read(position, position + CHUNK)
                if not chunk:
                    break
                self.write_at(position, chunk)
                position += len(chunk)
            return
        if self._hasher is not None:
            self._hasher.wrote(0, position)

    def digests(self) -> Digests:
        if self._hasher is None:
            raise ValueError(f"{self.temp_path} was opened without hashing.")
        return self._hasher.digests(self.size)

    @property
    def size(self) -> int:
        """The current size of the file written."""
        return os.fstat(self._fd).st_size

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
        if self._hasher is not None:
            self._hasher.stop()
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


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


class PrefixHasher:
    """md5 and crc32c of a file written in parts in any order, computed on a thread of its own
    as the written prefix grows (read back from the page cache), off the thread receiving.

    `wrote(start, end)` reports each write; a write below what was already hashed (a retried
    part) makes `digests` read the whole file back once instead.
    """

    def __init__(self, fd: int):
        self._fd = fd
        self._digests = RunningDigests()
        self._hashed = 0  # [0, _hashed) went through the digests
        self._frontier = 0  # [0, _frontier) is written
        self._pending: dict[int, int] = {}  # start -> end of writes beyond the frontier
        self._rewritten = False
        self._stopped = False
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def wrote(self, start: int, end: int) -> None:
        """Bytes [start, end) were written."""
        with self._changed:
            if start < self._hashed:
                self._rewritten = True
            if end > self._pending.get(start, -1):
                self._pending[start] = end
            while self._frontier in self._pending:
                self._frontier = max(self._frontier, self._pending.pop(self._frontier))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="cloudfiles-hash",
                                                daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._stopped and self._frontier <= self._hashed:
                    self._changed.wait()
                if self._stopped:
                    return
                start, end = self._hashed, min(self._frontier, self._hashed + CHUNK)
            chunk = os.pread(self._fd, end - start, start)
            with self._changed:
                self._digests.update(chunk)
                self._hashed = start + len(chunk)
                self._changed.notify_all()

    def digests(self, size: int) -> Digests:
        """The checksums of the file's `size` bytes, once all of them are hashed."""
        with self._changed:
            while not self._rewritten and self._hashed < size and self._frontier >= size:
                self._changed.wait()
            if not self._rewritten and self._hashed == size:
                return Digests(self._digests.md5, self._digests.crc32c)
        self.stop()
        whole = RunningDigests()  # rewritten parts, or bytes never reported: read it all
        position = 0
        while chunk := os.pread(self._fd, CHUNK, position):
            whole.update(chunk)
            position += len(chunk)
        return Digests(whole.md5, whole.crc32c)

    def stop(self) -> None:
        """End the hashing thread."""
        with self._changed:
            self._stopped = True
            self._changed.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

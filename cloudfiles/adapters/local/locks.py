"""Advisory inter-process reader/writer locks, one lock file per object, in a lock directory.

file:// takes them with `locking=True` (cloud-files' option): writers hold a key's lock
exclusively, readers share it. Locks are flock(2) locks on POSIX, which belong to an open file,
so threads of one process exclude each other too (fcntl/lockf record locks, as other lock
libraries use, belong to a process and do not); on NFS Linux maps them onto byte-range locks.
On Windows, msvcrt locks are exclusive only: readers exclude each other as well.

A lock file is named after the locked path (its base name and a CRC32 of the whole path) and
holds nothing. `clear` removes the lock files nobody holds; a process that was waiting on a
removed file notices (the path no longer names the file it locked) and locks the new one.
"""
from __future__ import annotations

import binascii
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None
    import msvcrt

_OPEN_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_MAX_NAME = 200  # leaves room for the CRC within the usual 255-byte name limit


def default_lock_dir() -> str:
    """$CLOUD_FILES_LOCK_DIR, else $CLOUD_FILES_DIR/locks, else ~/.cloudfiles/locks."""
    explicit = os.environ.get("CLOUD_FILES_LOCK_DIR")
    if explicit:
        return explicit
    home = os.environ.get("CLOUD_FILES_DIR") or os.path.join(os.path.expanduser("~"),
                                                             ".cloudfiles")
    return os.path.join(home, "locks")


def lock_name(path: str) -> str:
    """The lock file name for a path: '<base name>.<crc32 of the absolute path>'."""
    absolute = os.path.abspath(path)
    return f"{os.path.basename(absolute)[:_MAX_NAME]}.{binascii.crc32(absolute.encode('utf8'))}"


class LockDirectory:
    """A directory of lock files (made by `make`, or when a lock is first taken)."""

    def __init__(self, directory: str):
        self.directory = directory

    def make(self) -> LockDirectory:
        """Create the directory if missing; PermissionError naming it if it cannot be used."""
        try:
            os.makedirs(self.directory, exist_ok=True)
        except OSError as error:
            raise PermissionError(
                f"Cannot use lock directory {self.directory!r}: {error.strerror or error}."
            ) from error
        if not os.access(self.directory, os.R_OK | os.W_OK | os.X_OK):
            raise PermissionError(f"Cannot read and write lock directory {self.directory!r}.")
        return self

    @contextmanager
    def hold(self, path: str, exclusive: bool) -> Iterator[None]:
        """Hold the lock of `path` (exclusively for writers, shared for readers) while inside."""
        fd = self._acquire(os.path.join(self.directory, lock_name(path)), exclusive)
        try:
            yield
        finally:
            _release(fd)

    def _acquire(self, lock_path: str, exclusive: bool) -> int:
        while True:
            try:
                fd = os.open(lock_path, _OPEN_FLAGS, 0o666)
            except FileNotFoundError:  # not made yet, or removed under us
                self.make()
                continue
            try:
                _lock(fd, exclusive, wait=True)
                if _still_named(fd, lock_path):
                    return fd
            except BaseException:
                _release(fd)
                raise
            _release(fd)  # cleared while we waited: lock the file now at that name

    def clear(self) -> int:
        """Remove the lock files nobody holds now; returns how many were removed."""
        removed = 0
        try:
            entries = list(os.scandir(self.directory))
        except FileNotFoundError:
            return 0
        for entry in entries:
            try:
                fd = os.open(entry.path, os.O_RDWR | getattr(os, "O_CLOEXEC", 0))
            except OSError:
                continue
            try:
                if _lock(fd, exclusive=True, wait=False) and _still_named(fd, entry.path):
                    os.remove(entry.path)
                    removed += 1
            except OSError:
                pass  # held elsewhere (Windows refuses to remove open files): keep it
            finally:
                _release(fd)
        return removed


def _still_named(fd: int, path: str) -> bool:
    """Whether `path` still names the file open as fd (clear() may have removed it)."""
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)


if fcntl is not None:
    def _lock(fd: int, exclusive: bool, wait: bool) -> bool:
        """Lock an open lock file; False when wait is off and someone holds it."""
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(fd, mode if wait else mode | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _release(fd: int) -> None:
        """Unlock and close a lock file (closing its only descriptor drops the flock)."""
        os.close(fd)
else:  # pragma: no cover - Windows
    def _lock(fd: int, exclusive: bool, wait: bool) -> bool:
        """Lock the first byte of an open lock file (always exclusively on Windows)."""
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                return True
            except OSError:
                if not wait:
                    return False
                time.sleep(0.01)

    def _release(fd: int) -> None:
        """Unlock and close a lock file."""
        try:
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass  # not locked (clear() found it held)
        os.close(fd)

"""file://: local files, written atomically, encodings kept as .gz/.br/.zstd/.bz2/.xz suffixes.

A key another tool stored in several forms ('x' and 'x.gz': twins) lists once; get, head and
size use its newest form and warn (TwinFilesWarning) naming every form. A put replaces them all.

With the `locking=True` option, reads and writes of a key hold its inter-process lock (see
adapters.locks) in `lock_dir` (option; default $CLOUD_FILES_LOCK_DIR or ~/.cloudfiles/locks).
"""
from __future__ import annotations

import errno
import functools
import itertools
import os
import secrets
import stat
import warnings
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from ...domain.buffers import byte_view
from ...domain.byteranges import ByteRange
from ...domain.encodings import EXTENSIONS, split_suffix, suffix_of
from ...domain.errors import InvalidKeyError, StorageError
from ...domain.listing import flat_entry
from ...domain.objects import (
    ObjectInfo,
    PutOptions,
    StorageConfig,
    StoredObject,
    reads_range_of_stored_bytes,
)
from ...domain.paths import ExtractedPath
from ...domain.ports import Storage
from ...domain.streams import ByteSource
from ...domain.twins import TwinFilesWarning, newest_form, twins_message
from .locks import LockDirectory, default_lock_dir
from .settled import SettledDirectories
from .streams import CHUNK as COPY_CHUNK
from .streams import FileSource, FileTarget

TEMP_MARK = ".cftmp."
_VARIANTS = ("",) + EXTENSIONS
#: Reads look a key up again this many times when a concurrent put swaps its stored form.
_LOOKUPS = 3
#: Whether a path names something (a dangling symlink does not): the cheapest syscall for it.
_access = os.access
_Method = TypeVar("_Method", bound=Callable[..., Any])


def _os_error(error: OSError, path: str) -> StorageError:
    reason = os.strerror(error.errno) if error.errno else str(error)
    return StorageError(f"file://{path}: {reason}", code=errno.errorcode.get(error.errno or 0))


def _under_lock(exclusive: bool) -> Callable[[_Method], _Method]:
    """Run a method on a key holding the key's lock when locking is on: writers exclusively,
    readers shared. Every suffix twin of a key ('x', 'x.gz', ...) shares the lock of 'x'."""
    def decorate(method: _Method) -> _Method:
        @functools.wraps(method)
        def locked(self: FileStorage, key: str, *args: Any, **kwargs: Any) -> Any:
            if self._locks is None:
                return method(self, key, *args, **kwargs)
            with self._locks.hold(split_suffix(self._object_path(key))[0], exclusive):
                return method(self, key, *args, **kwargs)
        return locked  # type: ignore[return-value]
    return decorate


class FileStorage(Storage):
    """A directory of the local file system; keys are paths below it, never outside it.

    config.options: `locking` (truthy: take inter-process locks; None/False: none, the
    default) and `lock_dir` (where lock files live; made when locking is on).
    """

    protocol = "file"
    local = True
    streams_files = True
    OPTIONS: frozenset[str] = frozenset()  # locking, lock_dir: CloudFiles parameters

    def __init__(self, location: ExtractedPath, config: StorageConfig):
        super().__init__(location, config)
        self.root = os.path.normpath(location.path or "/")
        self._prefix = self.root.rstrip(os.sep) + os.sep
        self.locking = bool(config.options.get("locking"))
        self.lock_dir: str = config.options.get("lock_dir") or default_lock_dir()
        self._locks = LockDirectory(self.lock_dir).make() if self.locking else None
        self._settled = SettledDirectories()

    def clear_locks(self) -> None:
        """Remove the lock files in lock_dir that no process holds now."""
        LockDirectory(self.lock_dir).clear()

    def _path(self, key: str) -> str:
        """Absolute path of a key; refuse keys that would leave the root."""
        if "\x00" in key:
            raise InvalidKeyError(f"Key {key!r} contains a NUL byte.")
        path = os.path.normpath(os.path.join(self.root, key))
        inside = path == self.root or path.startswith(self._prefix)
        if not inside:
            raise InvalidKeyError(f"Key {key!r} resolves outside of file://{self.root}.")
        return path

    def _object_path(self, key: str) -> str:
        """Path of an object key; keys with '.'/'..'/empty segments are refused (they would
        not round-trip), and so are keys ending with '/' (directory markers)."""
        bounded = f"/{key.replace(os.sep, '/')}/"
        if not key or "//" in bounded or "/./" in bounded or "/../" in bounded:
            raise InvalidKeyError(_unstorable(key, self.root))
        if "\x00" in key:
            raise InvalidKeyError(f"Key {key!r} contains a NUL byte.")
        # With no such segment a key cannot leave the root, and on posix root/key is already
        # normal: the hot path skips normpath. Elsewhere _path normalizes the separators.
        return self._prefix + key if os.sep == "/" else self._path(key)

    def _stored_path(self, key: str, base: str) -> str | None:
        """The file a key reads from: its one stored form, or the newest of several (with a
        TwinFilesWarning naming them all); None when no form exists."""
        directory, _, name = base.rpartition(os.sep)
        listed = self._settled.names(directory)
        if listed is not None and any(name + suffix in listed for suffix in _VARIANTS):
            forms = [base + suffix for suffix in _VARIANTS if name + suffix in listed]
        else:  # no settled listing (or it names no form: look, as a file may be new)
            forms = [base + suffix for suffix in _VARIANTS if _access(base + suffix, os.F_OK)]
        if len(forms) < 2:
            return forms[0] if forms else None
        return _newest(key, forms)

    @_under_lock(exclusive=False)
    def get(self, key: str, byte_range: ByteRange | None = None) -> StoredObject | None:
        base = self._object_path(key)
        for _ in range(_LOOKUPS):
            path = self._stored_path(key, base)
            if path is None:
                return None
            try:
                return _read_stored(path, byte_range)
            except FileNotFoundError:  # replaced by a concurrent put: look again, by name
                self._settled.forget(os.path.dirname(path))
                continue
            except (IsADirectoryError, NotADirectoryError):
                return None
            except OSError as error:
                raise _os_error(error, path) from error
        return None

    @_under_lock(exclusive=False)
    def head(self, key: str) -> ObjectInfo | None:
        """Size, encoding and mtime of the form a get reads; a file system keeps no
        Content-Type, Cache-Control or storage class, so those are None (as cloud-files)."""
        path = self._stored_path(key, self._object_path(key))
        if path is None:
            return None
        try:
            info = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        return ObjectInfo(size=info.st_size, encoding=split_suffix(path)[1],
                          last_modified=info.st_mtime)

    @_under_lock(exclusive=False)
    def exists(self, key: str) -> bool:
        base = self._object_path(key)
        return any(os.path.isfile(base + suffix) for suffix in _VARIANTS)

    @_under_lock(exclusive=True)
    def put(self, key: str, content: Any, options: PutOptions) -> None:
        if isinstance(content, ByteSource):
            self._put_source(key, content, options)
            return
        content = byte_view(content)
        base, target = self._put_paths(key, options)
        directory, _, name = target.rpartition(os.sep)
        temp = None
        try:
            temp = _write_new(f"{directory}{os.sep}.{name}{TEMP_MARK}", content, directory)
            os.replace(temp, target)
        except OSError as error:
            if temp is not None:
                _silent_remove(temp)
            raise _os_error(error, target) from error
        _remove_stale(base, target)

    def _put_paths(self, key: str, options: PutOptions) -> tuple[str, str]:
        """(the key's path without suffix, the path its content is stored at)."""
        base = self._object_path(key)
        if options.encoding is not None:
            stored_name, named_encoding = split_suffix(base)
            if named_encoding == options.encoding:
                base = stored_name  # 'x.gz' stored gzip-encoded is 'x' on disk, as the reference
        return base, base + suffix_of(options.encoding)

    def _put_source(self, key: str, source: ByteSource, options: PutOptions) -> None:
        """put of a ByteSource: copied a chunk at a time into a target, then renamed."""
        target = self.open_target(key, options)
        try:
            if isinstance(source, FileSource):
                target.copy_from(source)
            else:
                for start in range(0, source.size, COPY_CHUNK):
                    target.write_at(start, source.read(start, start + COPY_CHUNK))
            target.commit()
        except OSError as error:
            target.abort()
            raise _os_error(error, target.final_path) from error
        except BaseException:
            target.abort()
            raise

    def open_target(self, key: str, options: PutOptions, hashed: bool = False) -> FileTarget:
        """A temp file beside the key's stored path (with its encoding's suffix); committing
        it replaces the key's other stored forms, as put does."""
        base, final = self._put_paths(key, options)
        directory, _, name = final.rpartition(os.sep)
        try:
            temp, fd = _open_new(f"{directory}{os.sep}.{name}{TEMP_MARK}", directory)
        except OSError as error:
            raise _os_error(error, final) from error
        return FileTarget(temp, fd, final, lambda: _remove_stale(base, final), hashed)

    @_under_lock(exclusive=False)
    def open_source(self, key: str) -> FileSource | None:
        """The file a get of key reads, open for reading by range."""
        path = self._stored_path(key, self._object_path(key))
        if path is None:
            return None
        try:
            return FileSource(path, split_suffix(path)[1])
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        except OSError as error:
            raise _os_error(error, path) from error

    @_under_lock(exclusive=True)
    def delete(self, key: str) -> None:
        base = self._object_path(key)
        for suffix in _VARIANTS:
            try:
                os.remove(base + suffix)
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                continue
            except OSError as error:
                raise _os_error(error, base + suffix) from error

    def list(self, prefix: str = "", flat: bool = False) -> Iterator[str]:
        directory, _, _ = prefix.rpartition("/")
        start = self._path(directory) if directory else self.root
        if flat:
            return self._list_flat(start, directory, prefix)
        return self._walk(start, directory, prefix)

    def _entries(self, path: str) -> list[os.DirEntry]:
        try:
            with os.scandir(path) as entries:
                return sorted(entries, key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as error:
            raise _os_error(error, path) from error

    def _keys_in(self, path: str, relative_dir: str) -> Iterator[tuple[str, Any]]:
        """(key, subdirectory path or None) for each entry of a directory; file keys are
        logical (suffix stripped) and given once however many forms they have."""
        for key, subdir, _ in self._forms_in(path, relative_dir):
            yield key, subdir

    def _forms_in(self, path: str, relative_dir: str
                  ) -> Iterator[tuple[str, str | None, list[os.DirEntry]]]:
        """(key, subdirectory path or None, the key's stored forms) for each entry of a
        directory, in name order; directories come with no forms."""
        files: dict[str, list[os.DirEntry]] = {}
        listed: list[tuple[str, str | None]] = []
        for entry in self._entries(path):
            if TEMP_MARK in entry.name:
                continue
            key = f"{relative_dir}/{entry.name}" if relative_dir else entry.name
            if entry.is_dir():
                if not (entry.is_symlink() and _links_to_an_ancestor(entry.path)):
                    listed.append((key, entry.path))
                continue
            logical = split_suffix(key)[0]
            if logical not in files:  # twins ('x' and 'x.gz') are one key
                files[logical] = []
                listed.append((logical, None))
            files[logical].append(entry)
        for key, subdir in listed:
            yield key, subdir, files.get(key, [])

    def _walk(self, path: str, relative_dir: str, prefix: str) -> Iterator[str]:
        for key, _ in self._walk_forms(path, relative_dir, prefix):
            yield key

    def _walk_forms(self, path: str, relative_dir: str,
                    prefix: str) -> Iterator[tuple[str, list[os.DirEntry]]]:
        for key, subdir, forms in self._forms_in(path, relative_dir):
            if subdir is not None:
                if key.startswith(prefix) or prefix.startswith(key + "/"):
                    yield from self._walk_forms(subdir, key, prefix)
            elif key.startswith(prefix):
                yield key, forms

    def list_sizes(self, prefix: str = "", flat: bool = False) -> Iterator[tuple[str, Any]]:
        """(key, stored size) from the directory entries themselves: no lookup per key (a
        key stored in several forms is sized as a get would read it)."""
        if flat:
            yield from super().list_sizes(prefix, flat)
            return
        directory, _, _ = prefix.rpartition("/")
        start = self._path(directory) if directory else self.root
        for key, forms in self._walk_forms(start, directory, prefix):
            size = None
            if len(forms) == 1:
                try:
                    size = forms[0].stat().st_size
                except FileNotFoundError:
                    continue  # deleted since listed
            if size is None:
                size = self.size(key)
                if size is None:
                    continue
            yield key, size

    def _list_flat(self, path: str, relative_dir: str, prefix: str) -> Iterator[str]:
        for key, subdir in self._keys_in(path, relative_dir):
            if not key.startswith(prefix):
                continue
            if subdir is None:
                yield key
            elif _holds_a_file(subdir):
                yield flat_entry(prefix, key + "/")


def _unstorable(key: str, root: str) -> str:
    """Why file:// refuses a key that failed the segment check, and what to give instead."""
    if not key:
        return f"An empty key names no file: give the path of a file below file://{root}."
    shown = key.replace(os.sep, "/")
    if shown.startswith("/"):
        return (f"Key {key!r} starts with '/': keys are relative to file://{root}. "
                "Drop the leading '/'.")
    if shown.endswith("/"):
        return (f"Key {key!r} ends with '/', a directory marker: file:// stores only files "
                "and makes their directories as needed. Drop the trailing '/' to name a file, "
                f"or put files below it ({shown + 'name'!r}).")
    if "//" in shown:
        return (f"Key {key!r} has an empty segment ('//'): file:// would store it as another "
                "name. Use single '/' between names.")
    return (f"Key {key!r} has a '.' or '..' segment: file:// cannot store it as named. "
            "Name the file by its plain path below the root.")


def _newest(key: str, forms: list[str]) -> str | None:
    """The most recently modified regular file among a key's forms; warns when several."""
    found = []
    for path in forms:
        try:
            info = os.stat(path)
        except OSError:
            continue  # gone since it was seen, or unreadable: not a form to read
        if stat.S_ISREG(info.st_mode):
            found.append((path, info.st_mtime_ns))
    if len(found) < 2:
        return found[0][0] if found else None
    read = newest_form(found)
    others = [path for path, _ in found if path != read]
    # one fixed location: the default filter then shows each distinct message once a process
    warnings.warn(twins_message(key, read, others), TwinFilesWarning, stacklevel=1)
    return read


def _read_stored(path: str, byte_range: ByteRange | None) -> StoredObject:
    """The stored bytes of a file: whole when encoded (ranges apply to decoded bytes)."""
    encoding = split_suffix(path)[1]
    if not reads_range_of_stored_bytes(byte_range, encoding):
        return StoredObject(_read_all(path), encoding)
    with open(path, "rb") as handle:
        return StoredObject(_read_range(handle, byte_range), None, partial=True)


def _links_to_an_ancestor(path: str) -> bool:
    """Whether a symlinked directory points at one of its own ancestors (a listing cycle)."""
    target = os.path.realpath(path)
    parent = os.path.realpath(os.path.dirname(path))
    return parent == target or parent.startswith(target.rstrip(os.sep) + os.sep)


def _holds_a_file(path: str) -> bool:
    """Whether a directory holds a file at any depth (object stores have no empty dirs)."""
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                if TEMP_MARK in entry.name:
                    continue
                if not entry.is_dir(follow_symlinks=False) or _holds_a_file(entry.path):
                    return True
    except OSError:
        return False
    return False


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
_NEW_FILE_FLAGS = (os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
                   | getattr(os, "O_CLOEXEC", 0))


def _read_all(path: str) -> bytes:
    """A whole file, in one read when its size holds (os-level I/O: no buffered file object)."""
    fd = os.open(path, _READ_FLAGS)
    try:
        size = os.fstat(fd).st_size
        data = os.read(fd, size + 1)
        if len(data) <= size:  # a short read of a regular file is its end
            return data
        chunks = [data]  # it grew, or reports no size (pipes, /proc): read to the end
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


_temp_ids = itertools.count()
_temp_prefix = secrets.token_hex(5)


def _new_temp_prefix() -> None:
    global _temp_prefix
    _temp_prefix = secrets.token_hex(5)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_temp_prefix)  # a child must not reuse our names


def _open_new(stem: str, directory: str) -> tuple[str, int]:
    """(path, descriptor) of a new file named stem + a unique suffix, open for writing.

    Names are a random per-process prefix plus a counter (no random syscall per file);
    parent directories are made on demand.
    """
    path = f"{stem}{_temp_prefix}{next(_temp_ids):x}"
    try:
        fd = os.open(path, _NEW_FILE_FLAGS, 0o666)
    except FileNotFoundError:
        os.makedirs(directory, exist_ok=True)
        fd = os.open(path, _NEW_FILE_FLAGS, 0o666)
    except FileExistsError:  # another process drew the same prefix: take a fresh name
        path = f"{stem}{secrets.token_hex(8)}"
        fd = os.open(path, _NEW_FILE_FLAGS, 0o666)
    return path, fd


def _remove_stale(base: str, kept: str) -> None:
    """Remove the key's stored forms other than `kept` (a put replaces them all)."""
    for suffix in _VARIANTS:
        stale = base + suffix
        if stale != kept and _lexists(stale):
            _silent_remove(stale)


def _write_new(stem: str, content: bytes, directory: str) -> str:
    """Create a new file named stem + a unique suffix holding content; returns its path."""
    path, fd = _open_new(stem, directory)
    try:
        written = os.write(fd, content)
        if written < len(content):
            view = memoryview(content)[written:]
            while view:
                view = view[os.write(fd, view):]
    except BaseException:
        os.close(fd)
        _silent_remove(path)
        raise
    try:
        os.close(fd)
    except OSError:
        _silent_remove(path)
        raise
    return path


if os.access in os.supports_follow_symlinks:
    def _lexists(path: str) -> bool:
        """Whether a directory entry exists (no exception raised: cheaper than lstat)."""
        return os.access(path, os.F_OK, follow_symlinks=False)
else:  # pragma: no cover - platforms without faccessat
    _lexists = os.path.lexists


def _read_range(handle, byte_range: ByteRange) -> bytes:
    if byte_range.start is not None and byte_range.start < 0:
        handle.seek(0, os.SEEK_END)
        handle.seek(max(0, handle.tell() + byte_range.start))
        return handle.read()
    start = byte_range.start or 0
    handle.seek(start)
    if byte_range.end is None:
        return handle.read()
    return handle.read(max(0, byte_range.end - start))


def _silent_remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass

"""CloudFile: one file by its full cloud path, over a CloudFiles on its directory."""
from __future__ import annotations

from typing import Any

from ..app.writing import as_json_bytes
from ..domain.paths import normalize
from .cloudfiles import CloudFiles


def _split(cloudpath: str) -> tuple[str, str]:
    """(directory cloud path, file name) of a full cloud path; bare paths are local files."""
    directory, _, name = normalize(cloudpath).rpartition("/")
    if not name:
        raise ValueError(f"A CloudFile needs a path to a file, not a directory: {cloudpath!r}")
    return directory, name


class CloudFile:
    """One file: get, put, exists, size, head, delete, transfers and moves by its path."""

    def __init__(self, path: str, cache_meta: bool = False, secrets: Any = None,
                 composite_upload_threshold: int = int(1e8), locking: bool | None = True,
                 lock_dir: str | None = None, endpoint: str | None = None,
                 no_sign_request: bool = False, request_payer: str | None = None,
                 use_https: bool = False):
        directory, self.filename = _split(path)
        self.cf = CloudFiles(
            directory, secrets=secrets, composite_upload_threshold=composite_upload_threshold,
            locking=locking, lock_dir=lock_dir, endpoint=endpoint,
            no_sign_request=no_sign_request, request_payer=request_payer, use_https=use_https,
        )
        self.cache_meta = cache_meta
        self._size: int | None = None
        self._head: dict | None = None

    def __repr__(self) -> str:
        return f"CloudFile({self.cf.abspath(self.filename)!r})"

    @property
    def sep(self) -> str:
        """The path separator of this file's storage."""
        return self.cf.sep

    @property
    def protocol(self) -> str:
        """The storage protocol (gs, s3, file, mem, http, https...)."""
        return self.cf.protocol

    @property
    def lock_dir(self) -> str | None:
        """Where file:// write locks live."""
        return self.cf.lock_dir

    def clear_locks(self) -> None:
        """Remove leftover lock files."""
        self.cf.clear_locks()

    def exists(self) -> bool:
        """Whether the file exists."""
        return self.cf.exists(self.filename)

    def get(self, ranges: Any = None, raw: bool = False) -> Any:
        """The file's bytes (None if missing); with ranges (slices or request dicts), the
        result dicts of those byte ranges."""
        if ranges is None:
            content = self.cf.get(self.filename, raw=raw)
            if raw and content is not None:
                self._size = len(content)
            return content
        requests = [
            {"path": self.filename, "start": r.start, "end": r.stop} if isinstance(r, slice)
            else {"path": self.filename, **r} for r in ranges
        ]
        return self.cf.get(requests, raw=raw)

    def get_json(self) -> Any:
        """The file parsed as JSON (None if missing)."""
        return self.cf.get_json(self.filename)

    def put(self, content: Any, *args: Any, **kwargs: Any) -> int:
        """Store content (arguments as CloudFiles.put takes them after the path)."""
        stored = self.cf.put(self.filename, content, *args, **kwargs)
        self._size = len(content) if hasattr(content, "__len__") else None
        self._head = None
        return stored

    def put_json(self, content: Any, *args: Any, **kwargs: Any) -> int:
        """Store a JSON-serializable object as application/json."""
        return self.put(as_json_bytes(content), *args,
                        **{"content_type": "application/json", **kwargs})

    def head(self) -> dict | None:
        """The file's metadata (cached with cache_meta=True)."""
        if self._head is None or not self.cache_meta:
            self._head = self.cf.head(self.filename)
        return self._head

    def size(self) -> int | None:
        """Stored size in bytes (cached with cache_meta=True); None if missing."""
        if self._size is None or not self.cache_meta:
            self._size = self.cf.size(self.filename)
        return self._size

    def delete(self) -> None:
        """Delete the file (a missing file is fine)."""
        self.cf.delete(self.filename)

    def touch(self) -> None:
        """Create the file empty if it is missing."""
        self.cf.touch(self.filename)

    def transfer_to(self, cloudpath: str, reencode: Any = None) -> int:
        """Copy this file to the full cloud path `cloudpath`."""
        directory, name = _split(cloudpath)
        return self.cf.transfer_to(directory, [{"path": self.filename, "dest_path": name}],
                                   reencode=reencode)

    def transfer_from(self, cloudpath: str, reencode: Any = None) -> int:
        """Copy the file at the full cloud path `cloudpath` into this file."""
        directory, name = _split(cloudpath)
        return self.cf.transfer_from(directory, [{"path": name, "dest_path": self.filename}],
                                     reencode=reencode)

    def move(self, dest: str) -> int:
        """Move (rename) this file to the full cloud path dest (a bare path is local)."""
        return self.cf.move(self.filename, normalize(dest))

    def save(self, local_path: str) -> int:
        """Download this file, as stored, into a local file (written atomically); a big one
        streams into it as parallel ranged GETs, never held in memory."""
        return self.transfer_to(normalize(local_path))

    def join(self, *paths: str) -> str:
        """Join path parts with this storage's separator."""
        return self.cf.join(*paths)

    def dirname(self, path: str) -> str:
        """The directory part of a path."""
        return self.cf.dirname(path)

    def basename(self, path: str) -> str:
        """The last part of a path."""
        return self.cf.basename(path)

    def __len__(self) -> int:
        return self.size() or 0

    def __getitem__(self, byte_range: slice) -> bytes | None:
        return self.cf[self.filename, byte_range]

    def __setitem__(self, key: Any, content: Any) -> None:
        self.put(content)

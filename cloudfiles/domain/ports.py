"""The ports: abstract interfaces the app layer talks through and adapters implement."""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar

from attrs import field, frozen

from .byteranges import ByteRange
from .errors import UnsupportedOperationError
from .objects import ObjectInfo, PutOptions, StorageConfig, StoredObject
from .paths import ExtractedPath
from .streams import BodySink, ByteSource, WriteTarget


class Storage(ABC):
    """One root (bucket + path prefix) of one storage; keys are relative to that root.

    Adapters implement `get` and `head`; writable ones `put` and `delete`; listable ones `list`.
    Missing objects are not errors: `get`/`head` return None, `delete` does nothing.
    Failures raise domain errors (see domain.errors); the app layer retries the retryable ones.
    Batch methods loop by default; an adapter overrides them where its service does better.
    """

    protocol: ClassVar[str] = ""
    #: False when a child process cannot see the same objects (e.g. in-memory storage).
    process_safe: ClassVar[bool] = True
    #: True when calls are local and quick, so batches run faster serially than on threads.
    local: ClassVar[bool] = False
    #: True when the storage keeps a bytes-like object put unencoded (a numpy array) as that
    #: kind of object and hands it back as such on get, as cloud-files' mem:// does.
    keeps_buffers: ClassVar[bool] = False
    #: Names of the extra keyword options this adapter reads from `config.options`; CloudFiles
    #: refuses any other. None (undeclared, e.g. an older plugin) accepts every option.
    OPTIONS: ClassVar[frozenset[str] | None] = None

    def __init__(self, location: ExtractedPath, config: StorageConfig):
        self.location = location
        self.config = config

    @abstractmethod
    def get(self, key: str, byte_range: ByteRange | None = None) -> StoredObject | None:
        """The stored bytes of key (just the range when the storage can), or None if missing."""

    @abstractmethod
    def head(self, key: str) -> ObjectInfo | None:
        """What is known about key, or None if missing."""

    def put(self, key: str, content: bytes, options: PutOptions) -> None:
        """Store content (already in options.encoding) under key, replacing any old object.

        content may be a ByteSource (a big local file): storages that can upload in parts
        read it a part at a time; the others read it whole.
        """
        raise self._unsupported("writing")

    def delete(self, key: str) -> None:
        """Remove key; a missing key is not an error."""
        raise self._unsupported("deleting")

    #: True for storages of local files, which offer `open_source` and `open_target`: big
    #: objects are then read and written in parts instead of whole.
    streams_files: ClassVar[bool] = False

    def open_source(self, key: str) -> ByteSource | None:
        """The stored bytes of key to read by range (its `encoding` set), None if missing."""
        raise self._unsupported("reading in parts")

    def open_target(self, key: str, options: PutOptions, hashed: bool = False) -> WriteTarget:
        """A file to write key's stored bytes into in parts; visible once committed. With
        `hashed`, its checksums are computed as it is written (see WriteTarget.digests)."""
        raise self._unsupported("writing in parts")

    def list(self, prefix: str = "", flat: bool = False) -> Iterator[str]:
        """Keys starting with prefix, lazily; see domain.listing for `flat`."""
        raise self._unsupported("listing")

    #: True when listings carry each key's size at no extra request or lookup (S3, GCS).
    lists_sizes: ClassVar[bool] = False

    def list_sizes(self, prefix: str = "", flat: bool = False) -> Iterator[tuple[str, int | None]]:
        """(key, stored size) for each key `list` gives; None for 'dir/' entries.

        Loops over `size` by default; adapters whose listings carry sizes override it.
        """
        for key in self.list(prefix, flat):
            yield key, None if key.endswith("/") else self.size(key)

    def exists(self, key: str) -> bool:
        """Whether key exists."""
        return self.head(key) is not None

    def size(self, key: str) -> int | None:
        """Stored size of key in bytes, or None if missing."""
        info = self.head(key)
        return None if info is None else info.size

    def delete_many(self, keys: Iterable[str]) -> None:
        """Remove every key; adapters with a batch API override this."""
        for key in keys:
            self.delete(key)

    #: True where delete_many is faster than threaded single deletes.
    batch_delete: ClassVar[bool] = False

    def copy_from(self, source: Storage, source_key: str, key: str) -> bool:
        """Server-side copy of source_key into key; False when this pair of storages cannot."""
        return False

    def close(self) -> None:
        """Release connections or handles; the storage may not be used afterwards."""

    def _unsupported(self, what: str) -> UnsupportedOperationError:
        return UnsupportedOperationError(
            f"{self.protocol}:// does not support {what} "
            f"({type(self).__name__} on {self.location.host or ''}{self.location.path!r})."
        )


class Codec(ABC):
    """One content encoding: pure bytes in, bytes out."""

    name: ClassVar[str] = ""

    @abstractmethod
    def compress(self, data: bytes, level: int | None = None) -> bytes:
        """Encode data; level None means the codec's default."""

    @abstractmethod
    def decompress(self, data: bytes) -> bytes:
        """Decode data; raise any exception on corrupt input (the registry wraps it)."""


@frozen
class HttpRequest:
    """One HTTP request as a network adapter builds it (already signed)."""

    method: str
    url: str
    headers: Mapping[str, str] = field(factory=dict)
    body: bytes | None = None
    #: Where a successful response's body goes instead of `HttpResponse.content` (which is
    #: then empty); error bodies stay in memory for the adapter to read.
    sink: BodySink | None = field(default=None, eq=False)


@frozen
class HttpResponse:
    """A whole HTTP response; header names are matched case-insensitively by `header()`."""

    status: int
    headers: Mapping[str, str] = field(factory=dict)
    content: bytes = b""
    #: True when the body went into the request's sink (then `content` is empty).
    streamed: bool = False
    _lowered: dict[str, str] = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        # built once: adapters ask several headers of every response
        object.__setattr__(self, "_lowered", {k.lower(): v for k, v in self.headers.items()})

    def header(self, name: str, default: str | None = None) -> str | None:
        """Value of a header, ignoring case."""
        return self._lowered.get(name.lower(), default)


#: What a batch hands back for each request: its tag and its response, or the error that
#: kept it from having one (TransientStorageError, or StorageError when sending cannot help).
Completion = tuple[Any, "HttpResponse | Exception"]


class Batch(ABC):
    """Requests in flight on one engine for one caller: submit them, collect them as they
    finish (in any order). Used from one thread; at most the engine's concurrency run at once,
    the rest wait their turn inside the batch."""

    @abstractmethod
    def submit(self, tag: Any, request: HttpRequest) -> None:
        """Queue request; its completion will carry tag."""

    @abstractmethod
    def collect(self, timeout: float | None = None) -> list[Completion]:
        """Completions so far, waiting until there is at least one (or timeout seconds passed:
        then the list may be empty). Empty at once when nothing is in flight."""

    @property
    @abstractmethod
    def in_flight(self) -> int:
        """Requests submitted and not yet collected."""

    def close(self) -> None:
        """Abandon what is still in flight."""


class Transport(ABC):
    """Sends HTTP requests over pooled connections (httpx's transport shape): one at a time
    with `send`, or many at once through a `batch`.

    Raises (send) or reports (batch) TransientStorageError on connection failures, timeouts
    and truncated bodies; returns every HTTP status as a response (classifying statuses is the
    caller's job).
    """

    #: Name shown in benchmarks and errors ('curl', 'requests', 'mock'...).
    name: ClassVar[str] = "transport"

    @abstractmethod
    def send(self, request: HttpRequest) -> HttpResponse:
        """Send one request and read its whole body."""

    def batch(self, concurrency: int) -> Batch:
        """A batch sending up to `concurrency` requests at once; engines override this (the
        default sends one request per `collect`, in order)."""
        return SerialBatch(self)

    def close(self) -> None:
        """Release pooled connections."""


class SerialBatch(Batch):
    """A batch for transports with no concurrency of their own: one send per collect."""

    def __init__(self, transport: Transport):
        self._transport = transport
        self._queue: list[tuple[Any, HttpRequest]] = []

    def submit(self, tag: Any, request: HttpRequest) -> None:
        self._queue.append((tag, request))

    def collect(self, timeout: float | None = None) -> list[Completion]:
        if not self._queue:
            return []
        tag, request = self._queue.pop(0)
        try:
            return [(tag, self._transport.send(request))]
        except Exception as error:  # noqa: BLE001 - handed back with its tag
            return [(tag, error)]

    @property
    def in_flight(self) -> int:
        return len(self._queue)

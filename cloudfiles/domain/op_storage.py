"""The port of network storages written sans-I/O: every call is an operation (domain.ops).

An OpStorage builds requests and interprets responses; the app drives its operations over
the transport the composition root handed it, with retries and batching (app.driving). The
plain Storage methods are kept for direct use (tests, scripts): they run the same operation
once, sequentially, on that transport.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from attrs import evolve, frozen

from .byteranges import ByteRange
from .objects import ObjectInfo, PutOptions, StorageConfig, StoredObject
from .ops import Op, finished, run_locally
from .paths import ExtractedPath
from .ports import HttpRequest, HttpResponse, Storage, Transport
from .streams import BodySink

T = TypeVar("T")


@frozen
class ListPage:
    """One page of a listing: entries relative to the storage root ('dir/' for flat
    sub-directories), with their stored sizes where the listing tells them, and the token of
    the next page (None on the last)."""

    entries: tuple[str, ...]
    next_token: str | None = None
    sizes: tuple[int | None, ...] | None = None


def page_sizes(page: ListPage, size: Callable[[str], int | None]) -> Iterator[tuple[str, Any]]:
    """(entry, size) of a page: the listing's sizes, else size(entry); None for 'dir/'."""
    if page.sizes is not None:
        yield from zip(page.entries, page.sizes)
        return
    for entry in page.entries:
        yield entry, None if entry.endswith("/") else size(entry)


def streamed_into(op: Op[T], sink: BodySink) -> Op[T]:
    """`op` with its GET requests' bodies written into sink, until one succeeds (later
    requests, e.g. for metadata, keep theirs); the op sees that response marked `streamed`."""
    sink.restart()
    attach = True
    answer: Any = None
    error: BaseException | None = None
    try:
        while True:
            try:
                request = op.throw(error) if error is not None else op.send(answer)
            except StopIteration as stop:
                return stop.value
            error = None
            sinking = attach and isinstance(request, HttpRequest) and request.method == "GET"
            if sinking:
                request = evolve(request, sink=sink)
            try:
                answer = yield request
            except Exception as failure:  # noqa: BLE001 - handed to the op, as the driver does
                error, answer = failure, None
                continue
            if sinking and isinstance(answer, HttpResponse) and 200 <= answer.status < 300:
                answer = evolve(answer, streamed=True)
                attach = False
    finally:
        op.close()


class OpStorage(Storage):
    """A storage whose calls are operations the app drives (see domain.ops)."""

    def __init__(self, location: ExtractedPath, config: StorageConfig, transport: Transport):
        super().__init__(location, config)
        self.transport = transport

    # -- operations: adapters implement these -------------------------------------------------
    def get_op(self, key: str, byte_range: ByteRange | None = None) -> Op[StoredObject | None]:
        """Operation: the stored bytes of key (or the range), None if missing."""
        raise self._unsupported("reading")

    def head_op(self, key: str) -> Op[ObjectInfo | None]:
        """Operation: what is known about key, None if missing."""
        raise self._unsupported("heading")

    def exists_op(self, key: str) -> Op[bool]:
        """Operation: whether key exists."""
        return (yield from self.head_op(key)) is not None

    def size_op(self, key: str) -> Op[int | None]:
        """Operation: the stored size of key, None if missing."""
        info = yield from self.head_op(key)
        return None if info is None else info.size

    def put_op(self, key: str, content: bytes, options: PutOptions) -> Op[None]:
        """Operation: store content (already encoded) under key."""
        raise self._unsupported("writing")

    def delete_op(self, key: str) -> Op[None]:
        """Operation: remove key; a missing key is fine."""
        raise self._unsupported("deleting")

    def delete_many_op(self, keys: list[str]) -> Op[None]:
        """Operation: remove every key (one request per key unless the service batches)."""
        for key in keys:
            yield from self.delete_op(key)

    def list_page_op(self, prefix: str, flat: bool, token: str | None) -> Op[ListPage]:
        """Operation: one page of the listing of keys starting with prefix."""
        raise self._unsupported("listing")

    def check_listable(self) -> None:
        """Raise at once (not on the first page) when this storage cannot list."""

    def get_into_op(self, key: str, sink: BodySink,
                    byte_range: ByteRange | None = None) -> Op[StoredObject | None]:
        """Operation: get_op with the body written into sink, not memory: the StoredObject
        returned has empty content (partial when the server answered just the range)."""
        return (yield from streamed_into(self.get_op(key, byte_range), sink))

    def copy_from_op(self, source: Storage, source_key: str, key: str) -> Op[bool]:
        """Operation: server-side copy; False when this pair of storages cannot."""
        return (yield from finished(False))

    # -- the plain Storage calls: one sequential run on the transport, no retries ----------------
    def _once(self, op: Op[Any]) -> Any:
        return run_locally(op, self.transport.send)

    def get(self, key: str, byte_range: ByteRange | None = None) -> StoredObject | None:
        return self._once(self.get_op(key, byte_range))

    def head(self, key: str) -> ObjectInfo | None:
        return self._once(self.head_op(key))

    def exists(self, key: str) -> bool:
        return self._once(self.exists_op(key))

    def size(self, key: str) -> int | None:
        return self._once(self.size_op(key))

    def put(self, key: str, content: bytes, options: PutOptions) -> None:
        self._once(self.put_op(key, content, options))

    def delete(self, key: str) -> None:
        self._once(self.delete_op(key))

    def delete_many(self, keys: Iterable[str]) -> None:
        self._once(self.delete_many_op(list(keys)))

    def copy_from(self, source: Storage, source_key: str, key: str) -> bool:
        return self._once(self.copy_from_op(source, source_key, key))

    def list(self, prefix: str = "", flat: bool = False) -> Iterator[str]:
        for page in self.pages(prefix, flat, lambda make_op: self._once(make_op())):
            yield from page.entries

    def list_sizes(self, prefix: str = "", flat: bool = False) -> Iterator[tuple[str, int | None]]:
        for page in self.pages(prefix, flat, lambda make_op: self._once(make_op())):
            yield from page_sizes(page, self.size)

    def pages(self, prefix: str, flat: bool,
              drive: Callable[[Callable[[], Op[ListPage]]], ListPage]) -> Iterator[ListPage]:
        """The listing's pages, lazily; drive(make_op) runs one page's operation (the app
        passes its retrying driver). An unlistable storage raises here, at once."""
        self.check_listable()
        return self._pages(prefix, flat, drive)

    def _pages(self, prefix: str, flat: bool,
               drive: Callable[[Callable[[], Op[ListPage]]], ListPage]) -> Iterator[ListPage]:
        token = None
        while True:
            page = drive(lambda token=token: self.list_page_op(prefix, flat, token))
            yield page
            token = page.next_token
            if not token:
                return

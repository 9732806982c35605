"""Transfer: copy objects between any two storages, raw when encodings allow, streaming.

Between local storages files are copied on threads, one at a time each. When either end is a
network storage driven over an engine, files flow through engine batches instead: the
server-side copies share one batch of the destination; the files it cannot copy are fetched
in one batch of the source, and each joins the destination's put batch as it arrives.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from attrs import define, frozen

from ..domain.encodings import normalize_encoding
from ..domain.objects import DEFAULT_CONTENT_TYPE, PutOptions, StoredObject
from ..domain.streams import ByteSource
from .background import in_background
from .big_objects import DEFAULT_PLAN, StreamPlan, can_download_into, can_upload_from, download
from .scheduler import Schedule, progress_bar
from .store import Store
from .transcode import recode

DESCRIPTION = "Transferring"


@frozen
class TransferItem:
    """One object to copy: its key at the source and at the destination."""

    source: str
    dest: str
    size: int | None = None  # stored size when known (from a listing): big ones stream

    @classmethod
    def parse(cls, item: Any) -> TransferItem:
        """From 'key', {'path': key, 'dest_path': other_key, 'size': n} (dest_path and size
        optional) or a (key, other_key) pair."""
        if isinstance(item, str):
            return cls(item, item)
        if isinstance(item, dict) and "path" in item:
            size = item.get("size")
            return cls(item["path"], item.get("dest_path") or item["path"],
                       int(size) if size is not None else None)
        if isinstance(item, (tuple, list)) and len(item) == 2 and \
                all(isinstance(part, str) for part in item):
            return cls(item[0], item[1])
        raise TypeError(
            f"Cannot transfer {item!r}: give a path, a dict with 'path' (and 'dest_path'), "
            "or a (source, dest) pair."
        )


@frozen
class TransferOptions:
    """How a transfer runs: files in flight, re-encoding, Content-Type, missing sources."""

    block_size: int = 64
    reencode: Any = None  # None keeps each object's stored encoding, as in cloud-files
    content_type: str | None = None
    allow_missing: bool = False
    stream_plan: StreamPlan = DEFAULT_PLAN  # which objects stream, in what parts

    @property
    def copies_server_side(self) -> bool:
        """Whether objects may be copied as they are stored (no re-encoding, same type)."""
        return self.reencode is None and self.content_type is None


class MissingSourceError(FileNotFoundError):
    """A file asked for in a transfer does not exist at the source."""


def _missing(item: TransferItem) -> MissingSourceError:
    return MissingSourceError(f"{item.source!r} does not exist at the source.")


def prepare_put(source: Store, item: TransferItem, stored: StoredObject | None,
                options: TransferOptions) -> tuple[Any, PutOptions]:
    """(bytes to store, their options) at the destination for what the source returned;
    an empty file for a missing source under allow_missing, as cloud-files writes."""
    if stored is None:
        if not options.allow_missing:
            raise _missing(item)
        return b"", PutOptions(options.content_type or DEFAULT_CONTENT_TYPE)
    content, encoding = stored.content, stored.encoding
    if options.reencode is not None:
        target = normalize_encoding(options.reencode)
        content = recode(source.codecs, content, encoding, target, name=item.source)
        encoding = target
    content_type = options.content_type or stored.content_type or DEFAULT_CONTENT_TYPE
    return content, PutOptions(content_type=content_type, encoding=encoding)


def copy_one(source: Store, dest: Store, item: TransferItem,
             options: TransferOptions = TransferOptions()) -> int:
    """Copy one object; returns the bytes written (for a server-side copy, the object's
    listed size, else 0).

    A big local file streams to dest (see app.big_objects) unless it is re-encoded."""
    if options.copies_server_side and \
            dest.do("copy_from", source.storage, item.source, item.dest):
        return item.size or 0
    stored = _read(source, dest, item, options)
    content, put_options = prepare_put(source, item, stored, options)
    try:
        dest.do("put", item.dest, content, put_options)
    finally:
        _close(content)
    return len(content)


def _close(content: Any) -> None:
    if isinstance(content, ByteSource):
        content.close()


def _read(source: Store, dest: Store, item: TransferItem,
          options: TransferOptions) -> StoredObject | None:
    """What a copy reads from the source: a local file opened for reading in parts when it is
    big and may stream to dest (content is then its ByteSource), else the stored bytes."""
    if not can_upload_from(source, dest):
        return source.do("get", item.source, None)
    return _opened(source.call(source.storage.open_source, item.source), options)


def _opened(opened: ByteSource | None, options: TransferOptions) -> StoredObject | None:
    """A local file opened for a copy: kept open to stream when big, else read now."""
    if opened is None:
        return None
    if options.reencode is None and options.stream_plan.streams(opened.size):
        return StoredObject(opened, opened.encoding)
    with opened:
        return StoredObject(opened.read_all(), opened.encoding)


def _result(path: Any, written: int = 0, error: Exception | None = None) -> dict[str, Any]:
    return {"path": path, "bytes": written, "error": error}


def _copy_result(source: Store, dest: Store, raw_item: Any,
                 options: TransferOptions) -> dict[str, Any]:
    path = raw_item
    try:
        item = TransferItem.parse(raw_item)
        path = item.source
        return _result(path, copy_one(source, dest, item, options))
    except Exception as error:  # noqa: BLE001 - reported per file
        return _result(path, error=error)


def transfer(source: Store, dest: Store, items: Iterable[Any],
             options: TransferOptions = TransferOptions(), total: int | None = None,
             progress: bool | None = None) -> Iterator[dict[str, Any]]:
    """Copy every item; each result says its path, bytes written and error (None if fine),
    as files finish; under allow_missing a missing source becomes an empty file at the
    destination.

    At most `block_size` files are in flight at once (fetched and not yet stored), so memory
    stays bounded by block_size x file size whatever the number of files.
    """
    schedule = max(source.batch_schedule(progress), dest.batch_schedule(progress),
                   key=lambda s: s.num_threads)  # threads if either end is remote
    if source.drives_ops or dest.drives_ops:
        return _transfer_driven(source, dest, items, options, total, schedule)
    return schedule.run(lambda item: _copy_result(source, dest, item, options), items, total,
                        DESCRIPTION, max_in_flight=max(1, options.block_size))


# -- through engine batches ------------------------------------------------------------------


@define
class _Step:
    """One file on its way through the batches; `result` is set once it is settled."""

    raw: Any
    item: TransferItem | None = None
    content: Any = None
    put_options: PutOptions | None = None
    result: dict[str, Any] | None = None

    @property
    def path(self) -> Any:
        return self.raw if self.item is None else self.item.source

    def settle(self, written: int = 0, error: Exception | None = None) -> None:
        self.content = None  # its bytes are no longer needed
        self.result = _result(self.path, written, error)


class _Settled(Exception):
    """Raised for a file settled in an earlier batch, so it passes through this one."""


def _steps(items: Iterable[Any]) -> Iterator[_Step]:
    for raw in items:
        step = _Step(raw)
        try:
            step.item = TransferItem.parse(raw)
        except Exception as error:  # noqa: BLE001 - reported per file
            step.settle(error=error)
        yield step


def _through(store: Store, name: str, steps: Iterable[_Step],
             args_of: Callable[[_Step], tuple],
             settle: Callable[[_Step, Any, Exception | None], None],
             max_in_flight: int | None = None) -> Iterator[_Step]:
    """Each step, as it leaves a batch of storage.<name> calls: the unsettled ones go to the
    storage (args_of(step)) and `settle` reads the outcome; settled ones pass through."""
    def args(step: _Step) -> tuple:
        if step.result is not None:
            raise _Settled
        return args_of(step)

    for step, value, error in store.do_many(name, steps, args, progress=False,
                                            max_in_flight=max_in_flight):
        if not isinstance(error, _Settled):
            settle(step, value, error)
        yield step


#: Transfers of at most this many files into local files learn unknown sizes by a HEAD (one
#: request more per file), so a big file among them streams: cp of one file, CloudFile.save.
SIZE_UNKNOWN_STREAMS_UP_TO = 16


def _downloads(source: Store, dest: Store, steps: Iterable[_Step], options: TransferOptions,
               few: bool) -> Iterator[_Step]:
    """The steps, the big ones (by their listed size; when `few`, also those of unknown size)
    copied on the way by streaming downloads, one at a time (each spreads its own ranged GETs
    over the engine)."""
    plan = options.stream_plan
    for step in steps:
        if step.result is None and (plan.streams(step.item.size) or
                                    (few and step.item.size is None)):
            try:
                written = download(source, step.item.source, dest, step.item.dest,
                                   options.content_type, plan)
                if written is None and not options.allow_missing:
                    raise _missing(step.item)
                if written is not None:
                    step.settle(written)
            except Exception as error:  # noqa: BLE001 - reported per file
                step.settle(error=error)
        yield step


def _transfer_driven(source: Store, dest: Store, items: Iterable[Any],
                     options: TransferOptions, total: int | None,
                     schedule: Schedule) -> Iterator[dict[str, Any]]:
    """transfer() through engine batches (see the module docstring).

    From 4 files a block on, fetches run on a thread of their own, handing files over
    through a queue of `waiting`, so the source's batch and the destination's progress at
    once. A file is held from the start of its fetch to the end of its upload. On one thread,
    g fetches and p uploads hold at most g + p - 1 files (g + p = block_size + 1); on two,
    the fetched file waiting to enter a full queue is held too: g + w + p (= block_size).
    """
    block_size = max(1, options.block_size)
    waiting = 0 if block_size < 4 else max(1, block_size // 8)
    budget = block_size + 1 if not waiting else block_size - waiting
    fetches = max(1, budget // 2)
    uploads = max(1, budget - fetches)

    def after_copy(step: _Step, done: bool, error: Exception | None) -> None:
        if error is not None or done:
            step.settle(0 if error is not None else step.item.size or 0, error)

    def after_get(step: _Step, stored: StoredObject | None, error: Exception | None) -> None:
        try:
            if error is not None:
                raise error
            step.content, step.put_options = prepare_put(source, step.item, stored, options)
        except Exception as failure:  # noqa: BLE001 - reported per file
            step.settle(error=failure)

    def after_open(step: _Step, opened: ByteSource | None, error: Exception | None) -> None:
        if error is None:
            try:
                stored = _opened(opened, options)
            except Exception as failure:  # noqa: BLE001 - reported per file
                error = failure
        after_get(step, None if error is not None else stored, error)

    def after_put(step: _Step, _: Any, error: Exception | None) -> None:
        _close(step.content)
        step.settle(0 if error is not None else len(step.content), error)

    steps = _steps(items)
    if options.copies_server_side:
        steps = _through(dest, "copy_from", steps,
                         lambda s: (source.storage, s.item.source, s.item.dest), after_copy)
    if total is None and hasattr(items, "__len__"):
        total = len(items)
    if options.reencode is None and can_download_into(source, dest):
        few = total is not None and total <= SIZE_UNKNOWN_STREAMS_UP_TO
        steps = _downloads(source, dest, steps, options, few)
    if can_upload_from(source, dest):
        steps = _through(source, "open_source", steps, lambda s: (s.item.source,), after_open,
                         fetches)
    else:
        steps = _through(source, "get", steps, lambda s: (s.item.source, None), after_get,
                         fetches)
    if waiting:
        steps = in_background(steps, waiting)
    steps = _through(dest, "put", steps,
                     lambda s: (s.item.dest, s.content, s.put_options), after_put, uploads)
    bar = progress_bar(schedule.progress, total, DESCRIPTION)
    try:
        for step in steps:
            bar.update(1)
            yield step.result
    finally:
        bar.close()

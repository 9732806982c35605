"""Get: fetch objects (or byte ranges of them), decode them, report errors per file."""
from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from ..domain.buffers import byte_view
from ..domain.byteranges import ByteRange
from ..domain.objects import StoredObject
from .recording import NOT_RECORDING, Recorder
from .store import Store

#: Threads decoding compressed bodies beside the engine's thread.
DECODERS = max(1, min(4, os.cpu_count() or 1))


def parse_get_request(item: Any) -> tuple[str, ByteRange | None]:
    """(key, range) from 'key', {'path', 'start', 'end'} or ('key', slice)."""
    if isinstance(item, str):
        return item, None
    if isinstance(item, dict):
        if "path" not in item:
            raise ValueError(f"A get request dict needs a 'path' field: {item!r}")
        start, end = item.get("start"), item.get("end")
        return item["path"], None if start is None and end is None else ByteRange(start, end)
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], slice):
        return item[0], ByteRange.from_slice(item[1])
    raise TypeError(
        f"Cannot get {item!r}: give a path string or a dict with 'path', 'start', 'end'."
    )


def _fetch(store: Store, key: str, byte_range: ByteRange | None) -> StoredObject | None:
    return store.do("get", key, byte_range)


def _asked(byte_range: ByteRange | None) -> ByteRange | None:
    """The range a read means: None for a whole read."""
    return None if byte_range is None or byte_range.is_whole else byte_range


def _to_fetch(store: Store, key: str, byte_range: ByteRange | None,
              raw: bool) -> ByteRange | None:
    """The range to ask the storage for: none for a key known to be stored encoded (its
    decoded bytes need the whole object), unless raw (ranges of stored bytes)."""
    byte_range = _asked(byte_range)
    if byte_range is not None and not raw and key in store.encoded_keys:
        return None
    return byte_range


def read(store: Store, key: str, byte_range: ByteRange | None = None,
         raw: bool = False) -> tuple[bytes | None, str | None]:
    """(content, stored encoding) of one object; content None when it does not exist.

    Ranges apply to decoded content; with raw=True, to the stored bytes.
    """
    stored = _fetch(store, key, _to_fetch(store, key, byte_range, raw))
    return _content(store, key, _asked(byte_range), stored, raw)


def _content(store: Store, key: str, byte_range: ByteRange | None,
             stored: StoredObject | None, raw: bool) -> tuple[Any, str | None]:
    """(content, stored encoding) from what the storage returned for (key, byte_range)."""
    if stored is None:
        return None, None
    store.encoded_keys.note(key, stored.encoding)
    if stored.partial and stored.encoding is not None and not raw:
        stored = _fetch(store, key, None)  # a range of encoded bytes cannot be decoded
        if stored is None:
            return None, None
    if raw:
        content = stored.content
        if byte_range is not None and not stored.partial:
            content = byte_range.slice(content)
        return content, stored.encoding
    content = stored.content
    if stored.encoding is not None:
        content = store.codecs.decode(content, stored.encoding, key)
    if byte_range is not None and not stored.partial:
        content = byte_range.slice(content)
    return content, None


def _result(item: Any, key: Any, byte_range: ByteRange | None, content: Any,
            encoding: str | None, error: Exception | None, raw: bool) -> dict[str, Any]:
    result = {
        "path": key,
        "content": content,
        "byte_range": byte_range.as_tuple() if byte_range else (None, None),
        "error": error,
        "compress": encoding,
        "raw": raw,
    }
    if isinstance(item, dict) and "tags" in item:
        result["tags"] = item["tags"]  # passed through untouched, for the caller's bookkeeping
    return result


def read_result(store: Store, item: Any, raw: bool = False) -> dict[str, Any]:
    """The result dict of one get request; failures land in its 'error' field."""
    return _counted_result(store, item, raw)[0]


def _counted_result(store: Store, item: Any, raw: bool) -> tuple[dict[str, Any], int]:
    """(read_result of item, bytes received as stored)."""
    key, byte_range, content, encoding, error, received = item, None, None, None, None, 0
    try:
        key, byte_range = parse_get_request(item)
        stored = _fetch(store, key, _to_fetch(store, key, byte_range, raw))
        byte_range = _asked(byte_range)
        received = 0 if stored is None else _size(stored.content)
        content, encoding = _content(store, key, byte_range, stored, raw)
    except Exception as exc:  # noqa: BLE001 - reported per file, never dropped
        error = exc
    return _result(item, key, byte_range, content, encoding, error, raw), received


def read_many(store: Store, items: Iterable[Any], raw: bool = False, total: int | None = None,
              progress: bool | None = None,
              recorder: Recorder = NOT_RECORDING) -> Iterator[dict[str, Any]]:
    """Result dicts for many get requests, as they finish; `recorder` times each transfer."""
    if not store.drives_ops:
        def recorded(item: Any) -> dict[str, Any]:
            recorder.started(item)
            result, received = _counted_result(store, item, raw)
            recorder.finished(item, received, result["error"] is not None)
            return result

        schedule = store.batch_schedule(progress)
        return schedule.run(recorded, items, total, "Downloading")
    return _read_driven(store, items, raw, total, progress, recorder)


def _size(content: Any) -> int:
    return 0 if content is None else len(byte_view(content))


def _read_driven(store: Store, items: Iterable[Any], raw: bool, total: int | None,
                 progress: bool | None, recorder: Recorder) -> Iterator[dict[str, Any]]:
    """read_many over an engine batch: the storage's get operations all in flight together.

    Encoded bodies are decoded on a few threads while the engine keeps receiving (libdeflate,
    brotli and zstd release the GIL), at most 2 per decoder waiting, so memory stays bounded.
    """
    def request(item: Any) -> tuple[str, ByteRange | None]:
        key, byte_range = parse_get_request(item)
        return key, _asked(byte_range)

    def requested(item: Any) -> tuple[str, ByteRange | None]:
        key, byte_range = parse_get_request(item)
        recorder.started(item)
        return key, _to_fetch(store, key, byte_range, raw)

    def finish(item: Any, stored: StoredObject | None, error: Exception | None) -> dict:
        key, byte_range, content, encoding = item, None, None, None
        try:
            key, byte_range = request(item)
            if error is not None:
                raise error
            content, encoding = _content(store, key, byte_range, stored, raw)
        except Exception as exc:  # noqa: BLE001 - reported per file, never dropped
            error, content, encoding = exc, None, None
        return _result(item, key, byte_range, content, encoding, error, raw)

    outcomes = store.do_many("get", items, requested, total, progress, "Downloading")
    decoding: deque[Future] = deque()
    with ThreadPoolExecutor(DECODERS, thread_name_prefix="cloudfiles-decode") as decoders:
        for item, stored, error in outcomes:
            recorder.finished(item, 0 if stored is None else _size(stored.content),
                              error is not None)
            if raw or error is not None or stored is None or stored.encoding is None:
                yield finish(item, stored, error)
            else:
                decoding.append(decoders.submit(finish, item, stored, error))
            while decoding and (decoding[0].done() or len(decoding) > 2 * DECODERS):
                yield decoding.popleft().result()
        while decoding:
            yield decoding.popleft().result()

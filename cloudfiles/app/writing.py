"""Put: turn the many accepted input shapes into encoded objects and store them."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson
from attrs import evolve, frozen

from ..domain.buffers import byte_view
from ..domain.encodings import normalize_encoding
from ..domain.objects import DEFAULT_CONTENT_TYPE, PutOptions
from ..domain.streams import ByteSource
from .recording import NOT_RECORDING, Recorder
from .store import Store

JSON_CONTENT_TYPE = "application/json"


@frozen
class PutDefaults:
    """Call-level arguments of put/puts; fields of a dict input override them."""

    content_type: str | None = None
    compress: Any = None
    compression_level: int | None = None
    cache_control: str | None = None
    storage_class: str | None = None
    raw: bool = False


def as_bytes(content: Any, key: str) -> bytes:
    """Content as bytes: any bytes-like object (bytearray, memoryview, numpy array: its raw
    buffer in memory order, so a Fortran-ordered array keeps its layout), str as UTF-8;
    anything else is refused."""
    if isinstance(content, bytes):
        return content
    if isinstance(content, str):
        return content.encode("utf8")
    try:
        return bytes(byte_view(content))
    except TypeError:
        raise TypeError(
            f"Content of {key!r} must be bytes-like or str, not {type(content).__name__}"
            " (use put_json for JSON-serializable objects)."
        ) from None


def as_json_bytes(content: Any, **kwargs: Any) -> bytes:
    """JSON of content as put_json(s) store it (orjson, as cloud-files: numpy scalars and
    arrays serialize, and non-str dict keys become strings)."""
    option = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS | kwargs.pop("option", 0)
    try:
        return orjson.dumps(content, option=option, **kwargs)
    except TypeError as error:
        raise TypeError(f"put_json content is not JSON-serializable: {error}") from error


def is_single_put(files: Any) -> bool:
    """Whether puts() input is one file ((path, content) or a dict) rather than many."""
    if isinstance(files, dict):
        return True
    return isinstance(files, tuple) and len(files) == 2 and isinstance(files[0], str) and \
        not isinstance(files[1], (tuple, dict))


def parse_put(item: Any, defaults: PutDefaults) -> tuple[str, Any, PutDefaults]:
    """(key, content, settings) of one file given as (path, content) or a dict."""
    if isinstance(item, dict):
        if "path" not in item or "content" not in item:
            raise ValueError(f"A file dict needs 'path' and 'content' fields, got {sorted(item)}.")
        fields = {
            name: item[name] for name in
            ("content_type", "compress", "compression_level", "cache_control",
             "storage_class", "raw") if name in item
        }
        return item["path"], item["content"], evolve(defaults, **fields)
    if isinstance(item, (tuple, list)) and len(item) == 2:
        return item[0], item[1], defaults
    raise TypeError(f"Cannot put {item!r}: give (path, content) or a dict with path and content.")


def encode_put(store: Store, key: str, content: Any,
               settings: PutDefaults) -> tuple[bytes, PutOptions]:
    """The bytes to store and their options; raw content is trusted to be in `compress`."""
    if not isinstance(key, str) or not key:
        raise TypeError(f"A path must be a non-empty str, got {key!r}.")
    encoding = normalize_encoding(settings.compress)
    if isinstance(content, ByteSource):
        if encoding is None or settings.raw:
            store.codecs.codec(encoding)  # an unknown encoding fails here, not on read
            return _streamable(store, content), _put_options(encoding, settings)
        with content:  # compressed whole: codecs take bytes
            content = content.read_all()
    data = as_bytes(content, key)
    if not settings.raw:
        data = store.codecs.encode(data, encoding, settings.compression_level)
    else:
        store.codecs.codec(encoding)  # an unknown encoding fails here, not on read
    if data is not content and encoding is None and store.storage.keeps_buffers and \
            not isinstance(content, (str, bytearray, memoryview)):
        data = content  # e.g. a numpy array on mem://, handed back as itself on get
    return data, _put_options(encoding, settings)


def _put_options(encoding: str | None, settings: PutDefaults) -> PutOptions:
    return PutOptions(
        content_type=settings.content_type or DEFAULT_CONTENT_TYPE,
        encoding=encoding,
        cache_control=settings.cache_control,
        storage_class=settings.storage_class,
    )


def _streamable(store: Store, source: ByteSource) -> Any:
    """The source itself where the storage uploads in parts, else its bytes."""
    if store.uploads_in_parts:
        return source
    with source:
        return source.read_all()


def write(store: Store, key: str, content: Any, settings: PutDefaults) -> int:
    """Encode and store one object (a ByteSource streams where the storage can); returns the
    bytes stored."""
    data, options = encode_put(store, key, content, settings)
    try:
        store.do("put", key, data, options)
    finally:
        if isinstance(data, ByteSource):
            data.close()
    return len(data) if isinstance(data, ByteSource) else len(byte_view(data))


def write_result(store: Store, item: Any, defaults: PutDefaults) -> dict[str, Any]:
    """Store one file of a batch; failures land in the result's 'error' field."""
    key = None
    try:
        key, content, settings = parse_put(item, defaults)
        stored = write(store, key, content, settings)
        return {"path": key, "error": None, "bytes": stored}
    except Exception as error:  # noqa: BLE001 - reported per file
        return {"path": key, "error": error, "bytes": 0}


def write_many(store: Store, files: Iterable[Any], defaults: PutDefaults,
               total: int | None = None, progress: bool | None = None,
               recorder: Recorder = NOT_RECORDING) -> Iterator[dict]:
    """Store many files; yields {'path', 'error'} per file as they finish.

    On a network storage driven over an engine, each file is encoded as its turn comes and
    its upload joins the others in one engine batch; elsewhere files go through threads.
    """
    if not store.drives_ops:
        def recorded(item: Any) -> dict:
            recorder.started(item)
            result = write_result(store, item, defaults)
            recorder.finished(item, result.pop("bytes", 0), result["error"] is not None)
            return result

        schedule = store.batch_schedule(progress)
        return schedule.run(recorded, files, total, "Uploading")
    return _write_driven(store, files, defaults, total, progress, recorder)


def _write_driven(store: Store, files: Iterable[Any], defaults: PutDefaults,
                  total: int | None, progress: bool | None,
                  recorder: Recorder) -> Iterator[dict]:
    sizes: dict[int, int] = {}

    def put_args(item: Any) -> tuple[str, Any, PutOptions]:
        key, content, settings = parse_put(item, defaults)
        data, options = encode_put(store, key, content, settings)
        if recorder is not NOT_RECORDING:
            sizes[id(item)] = len(byte_view(data))
            recorder.started(item)
        return key, data, options

    def key_of(item: Any) -> Any:
        try:
            return parse_put(item, defaults)[0]
        except Exception:  # noqa: BLE001 - the item's own error says why
            return None

    for item, _, error in store.do_many("put", files, put_args, total, progress, "Uploading"):
        recorder.finished(item, sizes.pop(id(item), 0), error is not None)
        yield {"path": key_of(item), "error": error}

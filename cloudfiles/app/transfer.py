"""Transfer: copy objects between any two storages, raw when encodings allow, streaming."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from attrs import frozen

from ..domain.encodings import normalize_encoding
from ..domain.objects import DEFAULT_CONTENT_TYPE, PutOptions
from .store import Store
from .transcode import recode


@frozen
class TransferItem:
    """One object to copy: its key at the source and at the destination."""

    source: str
    dest: str

    @classmethod
    def parse(cls, item: Any) -> TransferItem:
        """From 'key', {'path': key, 'dest_path': other_key} or a (key, other_key) pair."""
        if isinstance(item, str):
            return cls(item, item)
        if isinstance(item, dict) and "path" in item:
            return cls(item["path"], item.get("dest_path") or item["path"])
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


class MissingSourceError(FileNotFoundError):
    """A file asked for in a transfer does not exist at the source."""


def copy_one(source: Store, dest: Store, item: TransferItem,
             options: TransferOptions = TransferOptions()) -> int:
    """Copy one object; returns the number of bytes written (0 for a server-side copy)."""
    if options.reencode is None and options.content_type is None and \
            dest.do("copy_from", source.storage, item.source, item.dest):
        return 0
    stored = source.do("get", item.source, None)
    if stored is None:
        raise MissingSourceError(f"{item.source!r} does not exist at the source.")
    content, encoding = stored.content, stored.encoding
    if options.reencode is not None:
        target = normalize_encoding(options.reencode)
        content = recode(source.codecs, content, encoding, target, name=item.source)
        encoding = target
    content_type = options.content_type or stored.content_type or DEFAULT_CONTENT_TYPE
    dest.do("put", item.dest, content, PutOptions(content_type=content_type, encoding=encoding))
    return len(content)


def _copy_result(source: Store, dest: Store, raw_item: Any,
                 options: TransferOptions) -> dict[str, Any]:
    path = raw_item
    try:
        item = TransferItem.parse(raw_item)
        path = item.source
        return {"path": path, "bytes": copy_one(source, dest, item, options), "error": None}
    except MissingSourceError as error:
        if not options.allow_missing:
            return {"path": path, "bytes": 0, "error": error}
        try:  # as cloud-files does: an empty file stands for the missing one
            dest.do("put", item.dest, b"", PutOptions(options.content_type or
                                                      DEFAULT_CONTENT_TYPE))
            return {"path": path, "bytes": 0, "error": None}
        except Exception as failure:  # noqa: BLE001 - reported per file
            return {"path": path, "bytes": 0, "error": failure}
    except Exception as error:  # noqa: BLE001 - reported per file
        return {"path": path, "bytes": 0, "error": error}


def transfer(source: Store, dest: Store, items: Iterable[Any],
             options: TransferOptions = TransferOptions(), total: int | None = None,
             progress: bool | None = None) -> Iterator[dict[str, Any]]:
    """Copy every item; each result says its path, bytes written and error (None if fine);
    under allow_missing a missing source becomes an empty file at the destination.

    At most `block_size` files are in flight at once, so memory stays bounded by
    block_size x file size whatever the number of files.
    """
    schedule = max(source.batch_schedule(progress), dest.batch_schedule(progress),
                   key=lambda s: s.num_threads)  # threads if either end is remote
    return schedule.run(lambda item: _copy_result(source, dest, item, options), items, total,
                        "Transferring", max_in_flight=max(1, options.block_size))

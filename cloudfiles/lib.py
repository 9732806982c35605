"""Small helpers under their cloud-files 3.x names."""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from .app.writing import as_json_bytes
from .domain.paths import toabs


def mkdir(path: str) -> str:
    """Create a directory and its parents if missing; returns the path."""
    if path:
        os.makedirs(path, exist_ok=True)
    return path


def touch(path: str) -> None:
    """Create an empty file (and its directory) if missing, else update its time."""
    mkdir(os.path.dirname(toabs(path)))
    with open(path, "a"):
        os.utime(path, None)


def sip(iterable: Iterable[Any], block_size: int) -> Iterator[list[Any]]:
    """Lists of up to block_size items from iterable, lazily."""
    iterator = iter(iterable)
    while block := list(islice(iterator, block_size)):
        yield block


def first(iterable: Iterable[Any]) -> Any:
    """The first item, or None."""
    return next(iter(iterable), None)


def jsonify(obj: Any, **kwargs: Any) -> bytes:
    """JSON bytes of obj, as cloud-files' jsonify (orjson; numpy values serialize)."""
    return as_json_bytes(obj, **kwargs)


def totalfn(files: Any, total: int | None) -> int | None:
    """The length of files when known, else total."""
    if total is not None:
        return total
    try:
        return len(files)
    except TypeError:
        return None

"""Transcode: change the encoding of get() results, skipping work when it already matches."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from tqdm import tqdm

from ..domain.codecs import CodecRegistry
from ..domain.encodings import normalize_encoding
from .writing import is_single_put


def recode(codecs: CodecRegistry, content: Any, current: str | None, target: str | None,
           level: int | None = None, name: str = "") -> Any:
    """content re-encoded from `current` to `target`; untouched when they are the same."""
    if current == target:
        return content
    return codecs.encode(codecs.decode(content, current, name), target, level)


def as_result(file: Any, copy: bool) -> dict[str, Any]:
    """A get() result dict for a transcode input: a dict (copied unless in place) or a
    (path, content) pair of unencoded content."""
    if isinstance(file, dict):
        return dict(file) if copy else file
    if isinstance(file, (tuple, list)) and len(file) == 2:
        return {"path": file[0], "content": file[1], "compress": None, "raw": False}
    raise TypeError(
        f"Cannot transcode {file!r}: give get() result dicts or (path, content) pairs."
    )


def transcode(codecs: CodecRegistry, files: Iterable[Any] | dict | tuple, encoding: Any,
              level: int | None = None, in_place: bool = False,
              progress: bool = False) -> Iterator[dict[str, Any]]:
    """get() results with content in `encoding`, lazily; raw results are decoded from their
    'compress'. files: result dicts, one result dict, or (path, content) pairs (or one pair).

    The encoding is checked now; files are read as the iterator is consumed. Each yielded dict
    is marked raw (content is stored bytes) with 'compress' set to the canonical encoding.
    """
    target = normalize_encoding(encoding)
    if is_single_put(files):
        files = [files]
    return _transcoded(codecs, files, target, level, in_place, progress)


def _transcoded(codecs: CodecRegistry, files: Iterable[Any], target: str | None,
                level: int | None, in_place: bool, progress: bool) -> Iterator[dict[str, Any]]:
    for file in tqdm(files, disable=not progress, desc="Transcoding", unit="file"):
        result = as_result(file, copy=not in_place)
        content = result.get("content")
        if content is not None:
            current = normalize_encoding(result.get("compress")) if result.get("raw") else None
            result["content"] = recode(codecs, content, current, target, level,
                                       result.get("path") or "")
        result["compress"] = target
        result["raw"] = True
        yield result

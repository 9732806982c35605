"""Transcode: change the encoding of get() results, skipping work when it already matches."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from tqdm import tqdm

from ..domain.codecs import CodecRegistry
from ..domain.encodings import normalize_encoding


def recode(codecs: CodecRegistry, content: bytes, current: str | None, target: str | None,
           level: int | None = None, name: str = "") -> bytes:
    """content re-encoded from `current` to `target`; untouched when they are the same."""
    if current == target:
        return content
    return codecs.encode(codecs.decode(content, current, name), target, level)


def transcode(codecs: CodecRegistry, files: Iterable[dict[str, Any]], encoding: Any,
              level: int | None = None, in_place: bool = False,
              progress: bool = False) -> Iterator[dict[str, Any]]:
    """get() results with content in `encoding`; raw results are decoded from their 'compress'.

    Each yielded dict is marked raw (content is stored bytes) with 'compress' set to encoding.
    """
    target = normalize_encoding(encoding)
    for file in tqdm(files, disable=not progress, desc="Transcoding", unit="file"):
        result = file if in_place else dict(file)
        content = result.get("content")
        if content is not None:
            current = normalize_encoding(result.get("compress")) if result.get("raw") else None
            result["content"] = recode(codecs, content, current, target, level,
                                       result.get("path") or "")
        result["compress"] = target
        result["raw"] = True
        yield result

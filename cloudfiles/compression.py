"""compress / decompress / transcode under their cloud-files 3.x names."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .app.transcode import transcode as _transcode
from .domain.encodings import normalize_encoding
from .entrypoints.wiring import codecs

COMPRESSION_TYPES = [None, False, True, "", "gzip", "br", "zstd"]


def compress(content: bytes, method: Any = "gzip", compress_level: int | None = None) -> bytes:
    """content encoded with method (None/False/'' leave it as is; True means gzip)."""
    return codecs().encode(content, method, compress_level)


def decompress(content: bytes, encoding: Any, filename: str = "N/A") -> bytes:
    """content decoded from encoding; DecompressionError names the file when corrupt."""
    return codecs().decode(content, encoding, filename)


def transcode(files: Iterable[dict], encoding: Any, level: int | None = None,
              progress: bool = False, in_place: bool = False) -> Iterator[dict]:
    """get() results re-encoded to `encoding`, lazily, without work where it already matches."""
    return _transcode(codecs(), files, encoding, level, in_place, progress)


__all__ = ["COMPRESSION_TYPES", "compress", "decompress", "normalize_encoding", "transcode"]

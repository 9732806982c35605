"""compress / decompress / transcode under their cloud-files names (3.1.1 and later releases).

Content may be any bytes-like object. Unknown methods raise UnsupportedCompressionType, a
ValueError as in cloud-files.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .app.transcode import transcode as _transcode
from .domain.encodings import BROTLI, GZIP, ZSTD, normalize_encoding
from .domain.errors import CompressionError, DecompressionError
from .entrypoints.wiring import codecs

#: The `compress=` values cloud-files lists (every alias in domain.encodings is accepted too).
COMPRESSION_TYPES = [None, False, True, "", "bz2", "bzip2", "gzip", "br", "zstd", "xz", "lzma"]


def compress(content: Any, method: Any = "gzip", compress_level: int | None = None) -> Any:
    """content encoded with method (None/False/''/'raw' leave it as is; True means gzip)."""
    return codecs().encode(content, method, compress_level)


def decompress(content: Any, encoding: Any, filename: str = "N/A") -> Any:
    """content decoded from encoding; DecompressionError names the file when corrupt."""
    return codecs().decode(content, encoding, filename)


def transcode(files: Any, encoding: Any, level: int | None = None,
              progress: bool = False, in_place: bool = False) -> Iterator[dict]:
    """get() results re-encoded to `encoding`, lazily, without work where it already matches.

    files: result dicts (path, content, compress, raw), one such dict, or (path, content)
    tuples of unencoded content. Each yielded dict is raw content in `encoding`.
    """
    return _transcode(codecs(), files, encoding, level, in_place, progress)


def gzip_compress(content: Any, compresslevel: int | None = None) -> bytes:
    """content gzipped (cloud-files' helper)."""
    return compress(content, GZIP, compresslevel)


def gunzip(content: Any) -> bytes:
    """content gunzipped, every member of a multi-member stream (cloud-files' helper)."""
    return decompress(content, GZIP)


def brotli_compress(content: Any, quality: int | None = None) -> bytes:
    """content brotli-compressed (cloud-files' helper)."""
    return compress(content, BROTLI, quality)


def brotli_decompress(content: Any) -> bytes:
    """content brotli-decompressed (cloud-files' helper)."""
    return decompress(content, BROTLI)


def zstd_compress(content: Any, level: int | None = None) -> bytes:
    """content zstd-compressed (cloud-files' helper)."""
    return compress(content, ZSTD, level)


def zstd_decompress(content: Any) -> bytes:
    """content zstd-decompressed (cloud-files' helper)."""
    return decompress(content, ZSTD)


__all__ = [
    "COMPRESSION_TYPES",
    "CompressionError",
    "DecompressionError",
    "brotli_compress",
    "brotli_decompress",
    "compress",
    "decompress",
    "gunzip",
    "gzip_compress",
    "normalize_encoding",
    "transcode",
    "zstd_compress",
    "zstd_decompress",
]

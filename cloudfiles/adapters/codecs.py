"""Codecs for gzip (libdeflate, zlib where libdeflate cannot), brotli and zstd.

Like httpx's decoders: a codec whose library fails to import is left out of the registry,
and asking for it gives a clear UnsupportedCompressionType instead of an ImportError.
"""
from __future__ import annotations

import gzip
import zlib

from ..domain.codecs import CodecRegistry
from ..domain.ports import Codec

_GZIP_MAGIC = b"\x1f\x8b\x08"


def _has_second_member(data: bytes) -> bool:
    """Whether a gzip stream may hold several members, which libdeflate would truncate.

    libdeflate decodes only the first member. A real member boundary is followed by a gzip
    header: magic, method 8, flags with reserved bits clear and XFL 0, 2 or 4. Matching that
    inside compressed data by chance is rare; when it happens we merely take the zlib path.
    """
    at = data.find(_GZIP_MAGIC, 1)
    while at != -1:
        header = data[at:at + 10]
        if len(header) == 10 and header[3] & 0xE0 == 0 and header[8] in (0, 2, 4):
            return True
        at = data.find(_GZIP_MAGIC, at + 1)
    return False


class GzipCodec(Codec):
    """gzip through libdeflate (the `deflate` package); zlib for levels or streams it lacks."""

    name = "gzip"

    def __init__(self) -> None:
        try:
            import deflate
        except ImportError:  # pragma: no cover - deflate is a hard dependency
            deflate = None
        self._deflate = deflate

    def compress(self, data: bytes, level: int | None = None) -> bytes:
        level = 6 if level is None else level
        if self._deflate is not None and 1 <= level <= 12:
            return bytes(self._deflate.gzip_compress(bytes(data), level))
        return gzip.compress(data, compresslevel=max(0, min(level, 9)), mtime=0)

    def decompress(self, data: bytes) -> bytes:
        if self._deflate is not None and not _has_second_member(data):
            try:
                return bytes(self._deflate.gzip_decompress(bytes(data)))
            except Exception:  # noqa: BLE001, S110 - zlib below gives the authoritative answer
                pass
        return _zlib_gunzip(data)


def _zlib_gunzip(data: bytes) -> bytes:
    """Decode every member of a gzip stream; raise on truncation or trailing garbage."""
    out = []
    view = memoryview(data)
    while view:
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out.append(decoder.decompress(view))
        if not decoder.eof:
            raise zlib.error("gzip stream is truncated")
        view = memoryview(decoder.unused_data)
    if not out:
        raise zlib.error("empty input is not a gzip stream")
    return b"".join(out)


class BrotliCodec(Codec):
    """Brotli (`br`)."""

    name = "br"

    def __init__(self) -> None:
        import brotli

        self._brotli = brotli

    def compress(self, data: bytes, level: int | None = None) -> bytes:
        quality = 11 if level is None else level
        return self._brotli.compress(bytes(data), quality=quality)

    def decompress(self, data: bytes) -> bytes:
        return self._brotli.decompress(bytes(data))


class ZstdCodec(Codec):
    """Zstandard (`zstd`); frames without a content size are decoded by streaming."""

    name = "zstd"

    def __init__(self) -> None:
        import zstandard

        self._zstd = zstandard

    def compress(self, data: bytes, level: int | None = None) -> bytes:
        level = 3 if level is None else level
        return self._zstd.ZstdCompressor(level=level).compress(bytes(data))

    def decompress(self, data: bytes) -> bytes:
        decompressor = self._zstd.ZstdDecompressor()
        try:
            return decompressor.decompress(bytes(data))
        except self._zstd.ZstdError as error:
            if "content size" not in str(error):
                raise
        decoder = decompressor.decompressobj()
        out = decoder.decompress(bytes(data))
        if not decoder.eof:
            raise self._zstd.ZstdError("zstd stream is truncated")
        return out


def available_codecs() -> CodecRegistry:
    """A registry of every codec whose library imports here."""
    codecs: dict[str, Codec] = {}
    for factory in (GzipCodec, BrotliCodec, ZstdCodec):
        try:
            codec = factory()
        except ImportError:
            continue
        codecs[codec.name] = codec
    return CodecRegistry(codecs)

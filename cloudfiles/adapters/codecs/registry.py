"""Codecs for gzip (libdeflate, zlib where libdeflate cannot), brotli, zstd, bzip2 and xz.

Every codec takes bytes or a flat byte memoryview (the registry hands it one) without copying.

Like httpx's decoders: a codec whose library fails to import is left out of the registry,
and asking for it gives a clear UnsupportedCompressionType instead of an ImportError.
"""
from __future__ import annotations

import gzip
import platform
import zlib
from collections.abc import Callable

from ...domain.codecs import CodecRegistry
from ...domain.ports import Codec

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
        self._direct = _direct_gunzip(deflate)

    def compress(self, data: bytes, level: int | None = None) -> bytes:
        level = 6 if level is None else level
        if self._deflate is not None and 1 <= level <= 12:
            return bytes(self._deflate.gzip_compress(data, level))
        return gzip.compress(data, compresslevel=max(0, min(level, 9)), mtime=0)

    def decompress(self, data: bytes) -> bytes:
        if type(data) is not bytes:  # the member scan and the direct path search bytes
            data = bytes(data)
        if self._direct is not None:
            decoded = self._direct(data)
            if decoded is not None:
                return decoded
        if self._deflate is not None and not _has_second_member(data):
            try:
                return bytes(self._deflate.gzip_decompress(data))
            except Exception:  # noqa: BLE001, S110 - zlib below gives the authoritative answer
                pass
        return _zlib_gunzip(data)


_LIBDEFLATE_SUCCESS = 0
_MAX_RATIO = 1100  # DEFLATE cannot expand more than ~1032:1


def _direct_gunzip(deflate) -> Callable[[bytes], bytes | None] | None:
    """libdeflate's gzip decoder called through ctypes, writing straight into the bytes object
    returned (the `deflate` package returns a bytearray, and bytes() of it copies every byte),
    and telling how much input it used, so a multi-member stream is seen without scanning.

    The function returns None whenever the answer is not plainly a single whole member (the
    caller's slower paths then decide); None instead of it where ctypes or the symbols are
    missing (not CPython, another build of the package).
    """
    if platform.python_implementation() != "CPython":
        return None
    try:
        import ctypes

        library = ctypes.CDLL(deflate._deflate.__file__)
        alloc = library.libdeflate_alloc_decompressor
        alloc.restype, alloc.argtypes = ctypes.c_void_p, []
        free = library.libdeflate_free_decompressor
        free.restype, free.argtypes = None, [ctypes.c_void_p]
        gunzip = library.libdeflate_gzip_decompress_ex
        size_p = ctypes.POINTER(ctypes.c_size_t)
        gunzip.restype = ctypes.c_int
        gunzip.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p,
                           ctypes.c_size_t, size_p, size_p]
        new_bytes = ctypes.pythonapi.PyBytes_FromStringAndSize
        new_bytes.restype, new_bytes.argtypes = ctypes.py_object, [ctypes.c_void_p,
                                                                   ctypes.c_ssize_t]
    except (ImportError, OSError, AttributeError):
        return None

    def decode(data: bytes) -> bytes | None:
        if type(data) is not bytes or len(data) < 18 or data[:2] != b"\x1f\x8b":
            return None
        size = int.from_bytes(data[-4:], "little")  # ISIZE: the size mod 2**32
        if size == 0 or size > _MAX_RATIO * len(data):
            return None
        out = new_bytes(None, size)  # fresh and unshared until returned
        used, made = ctypes.c_size_t(), ctypes.c_size_t()
        decompressor = alloc()
        if not decompressor:
            return None
        try:  # ctypes releases the GIL for the call
            status = gunzip(decompressor, data, len(data), out, size, ctypes.byref(used),
                            ctypes.byref(made))
        finally:
            free(decompressor)
        if status != _LIBDEFLATE_SUCCESS or used.value != len(data) or made.value != size:
            return None
        return out

    return decode


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
        return self._brotli.compress(data, quality=quality)

    def decompress(self, data: bytes) -> bytes:
        return self._brotli.decompress(data)


class ZstdCodec(Codec):
    """Zstandard (`zstd`); frames without a content size are decoded by streaming."""

    name = "zstd"

    def __init__(self) -> None:
        import zstandard

        self._zstd = zstandard

    def compress(self, data: bytes, level: int | None = None) -> bytes:
        level = 3 if level is None else level
        return self._zstd.ZstdCompressor(level=level).compress(data)

    def decompress(self, data: bytes) -> bytes:
        decompressor = self._zstd.ZstdDecompressor()
        try:
            return decompressor.decompress(data)
        except self._zstd.ZstdError as error:
            if "content size" not in str(error):
                raise
        decoder = decompressor.decompressobj()
        out = decoder.decompress(data)
        if not decoder.eof:
            raise self._zstd.ZstdError("zstd stream is truncated")
        return out


class Bzip2Codec(Codec):
    """bzip2 (`bzip2`, alias `bz2`) from the standard library; concatenated streams decode whole."""

    name = "bzip2"

    def __init__(self) -> None:
        import bz2  # some Python builds lack _bz2

        self._bz2 = bz2

    def compress(self, data: bytes, level: int | None = None) -> bytes:
        return self._bz2.compress(data, compresslevel=9 if level is None else level)

    def decompress(self, data: bytes) -> bytes:
        return self._bz2.decompress(data)


class XzCodec(Codec):
    """xz (`xz`, alias `lzma`) from the standard library; legacy .lzma streams decode too."""

    name = "xz"

    def __init__(self) -> None:
        import lzma  # some Python builds lack _lzma

        self._lzma = lzma

    def compress(self, data: bytes, level: int | None = None) -> bytes:
        return self._lzma.compress(data, preset=level)

    def decompress(self, data: bytes) -> bytes:
        return self._lzma.decompress(data)


def available_codecs() -> CodecRegistry:
    """A registry of every codec whose library imports here."""
    codecs: dict[str, Codec] = {}
    for factory in (GzipCodec, BrotliCodec, ZstdCodec, Bzip2Codec, XzCodec):
        try:
            codec = factory()
        except ImportError:
            continue
        codecs[codec.name] = codec
    return CodecRegistry(codecs)

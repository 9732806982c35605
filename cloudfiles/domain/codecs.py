"""Dispatch of encode/decode to the codecs available, with errors that name the problem."""
from __future__ import annotations

from collections.abc import Mapping

from attrs import frozen

from .encodings import ENCODINGS, normalize_encoding
from .errors import CompressionError, DecompressionError, UnsupportedCompressionType
from .ports import Codec


@frozen
class CodecRegistry:
    """The codecs this process can use, by canonical encoding name."""

    codecs: Mapping[str, Codec]

    def codec(self, encoding: object) -> Codec | None:
        """The codec for an encoding (None for identity); unknown or unloaded ones raise."""
        name = normalize_encoding(encoding)
        if name is None:
            return None
        try:
            return self.codecs[name]
        except KeyError:
            raise UnsupportedCompressionType(
                f"Compression {name!r} is known but its library could not be loaded here. "
                f"Available: {', '.join(sorted(self.codecs)) or 'none'} (all known: {ENCODINGS})."
            ) from None

    def encode(self, data: bytes, encoding: object, level: int | None = None) -> bytes:
        """data compressed with encoding (unchanged for identity)."""
        codec = self.codec(encoding)
        if codec is None:
            return data
        _require_bytes(data)
        try:
            return codec.compress(data, level)
        except Exception as error:
            raise CompressionError(
                f"Could not compress with {codec.name} at level {level!r}: {error}"
            ) from error

    def decode(self, data: bytes, encoding: object, name: str = "") -> bytes:
        """data decompressed from encoding (unchanged for identity); corrupt data raises."""
        codec = self.codec(encoding)
        if codec is None:
            return data
        try:
            return codec.decompress(data)
        except Exception as error:
            where = f" of {name!r}" if name else ""
            raise DecompressionError(
                f"Corrupt data: could not decode {len(data)} bytes{where} as {codec.name}: {error}"
            ) from error


def _require_bytes(data: object) -> None:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"Content must be bytes, got {type(data).__name__}.")

"""Dispatch of encode/decode to the codecs available, with errors that name the problem."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import frozen

from .buffers import byte_view
from .encodings import ENCODINGS, normalize_encoding
from .errors import CompressionError, DecompressionError, UnsupportedCompressionType
from .ports import Codec


@frozen
class CodecRegistry:
    """The codecs this process can use, by canonical encoding name.

    Content may be any bytes-like object; codecs receive bytes or a flat byte memoryview.
    """

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

    def encode(self, data: Any, encoding: object, level: int | None = None) -> Any:
        """data compressed with encoding (returned unchanged for identity)."""
        codec = self.codec(encoding)
        if codec is None:
            return data
        view = byte_view(data)
        try:
            return codec.compress(view, level)
        except Exception as error:
            raise CompressionError(
                f"Could not compress with {codec.name} at level {level!r}: {error}"
            ) from error

    def decode(self, data: Any, encoding: object, name: str = "") -> Any:
        """data decompressed from encoding (returned unchanged for identity); corrupt data raises.

        Empty data is corrupt for every encoding: each one writes a header even for no bytes.
        """
        codec = self.codec(encoding)
        if codec is None:
            return data
        view = byte_view(data)
        where = f" of {name!r}" if name else ""
        if not len(view):
            raise DecompressionError(f"Corrupt data: zero bytes{where} cannot be {codec.name}.")
        try:
            return codec.decompress(view)
        except Exception as error:
            raise DecompressionError(
                f"Corrupt data: could not decode {len(view)} bytes{where} as {codec.name}: {error}"
            ) from error

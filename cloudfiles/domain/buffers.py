"""Bytes-like content (bytes, bytearray, memoryview, array.array, numpy arrays) as flat bytes."""
from __future__ import annotations

from pickle import PickleBuffer
from typing import Any


def byte_view(content: Any) -> bytes | memoryview:
    """content's bytes, copied only when they are not contiguous in memory.

    bytes come back as they are; any other buffer as a one-dimensional unsigned-byte
    memoryview of its memory (so len() counts bytes), in memory order: a Fortran-ordered
    numpy array keeps its Fortran layout, as its raw encoding expects. A non-contiguous buffer
    (a strided slice) is copied in C order. Anything else raises TypeError.
    """
    if type(content) is bytes:
        return content
    try:
        return PickleBuffer(content).raw()
    except TypeError:
        raise TypeError(
            f"Content must be bytes-like (bytes, bytearray, memoryview, a numpy array...), "
            f"got {type(content).__name__}."
        ) from None
    except BufferError:  # neither C- nor Fortran-contiguous
        return memoryview(memoryview(content).tobytes())

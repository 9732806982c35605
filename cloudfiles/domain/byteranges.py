"""Byte ranges: half-open [start, end) requests on an object's bytes."""
from __future__ import annotations

import operator

from attrs import field, frozen

from .errors import CloudFilesError


class InvalidByteRangeError(CloudFilesError, ValueError):
    """A byte range that cannot be served (e.g. end before start, a step)."""


def _as_bound(value: object) -> int | None:
    """A bound as a plain int: any integer type (numpy's too) is accepted, bools are not."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidByteRangeError(f"Byte range bounds must be ints, got {value!r}.")
    try:
        return operator.index(value)
    except TypeError:
        raise InvalidByteRangeError(f"Byte range bounds must be ints, got {value!r}.") from None


@frozen
class ByteRange:
    """Half-open range [start, end); None on either side means open-ended.

    A negative start with no end means "the last -start bytes", as in Python slicing.
    """

    start: int | None = field(default=None, converter=lambda v: _as_bound(v))
    end: int | None = field(default=None, converter=lambda v: _as_bound(v))

    def __attrs_post_init__(self) -> None:
        if self.end is not None and self.end < 0:
            raise InvalidByteRangeError(f"A negative end is not supported: {self.end}.")
        if self.start is not None and self.start < 0 and self.end is not None:
            raise InvalidByteRangeError("A negative start cannot be combined with an end.")
        if self.start is not None and self.end is not None and self.end < self.start:
            raise InvalidByteRangeError(f"Byte range end {self.end} is before start {self.start}.")

    @classmethod
    def from_slice(cls, sl: slice) -> ByteRange:
        """ByteRange of a slice like `0:30`; steps are refused."""
        if sl.step not in (None, 1):
            raise InvalidByteRangeError("Byte ranges cannot have a step.")
        return cls(sl.start, sl.stop)

    @property
    def is_whole(self) -> bool:
        """True when the range asks for the whole object."""
        return self.start in (None, 0) and self.end is None

    @property
    def is_empty(self) -> bool:
        """True when the range asks for no bytes at all."""
        return self.start is not None and self.end is not None and self.end <= self.start

    def as_tuple(self) -> tuple[int | None, int | None]:
        """The `byte_range` field of a get result."""
        return (self.start, self.end)

    def http_header(self) -> str | None:
        """The HTTP `Range` header value (inclusive end), or None for a whole read."""
        if self.is_whole:
            return None
        if self.start is not None and self.start < 0:
            return f"bytes={self.start}"
        start = self.start or 0
        if self.end is None:
            return f"bytes={start}-"
        return f"bytes={start}-{self.end - 1}"

    def slice(self, data: bytes) -> bytes:
        """The range's bytes taken out of a whole object."""
        if self.is_whole:
            return data
        return data[self.start:self.end]

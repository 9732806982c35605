"""Byte ranges."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudfiles.domain.byteranges import ByteRange, InvalidByteRangeError

BOUND = st.one_of(st.none(), st.integers(0, 50))


@given(st.binary(max_size=40), BOUND, BOUND)
def test_slice_matches_python_slicing(data, start, end):
    if start is not None and end is not None and end < start:
        with pytest.raises(InvalidByteRangeError):
            ByteRange(start, end)
        return
    assert ByteRange(start, end).slice(data) == data[start:end]


@given(st.binary(min_size=1, max_size=40), st.integers(0, 39), st.integers(1, 40))
def test_http_header_selects_the_same_bytes(data, start, length):
    header = ByteRange(start, start + length).http_header()
    first, last = header.removeprefix("bytes=").split("-")
    assert data[int(first):int(last) + 1] == data[start:start + length]


def test_headers_and_flags():
    assert ByteRange().http_header() is None and ByteRange(0, None).is_whole
    assert ByteRange(5, None).http_header() == "bytes=5-"
    assert ByteRange(-10, None).http_header() == "bytes=-10"
    assert ByteRange(3, 3).is_empty
    assert ByteRange.from_slice(slice(0, 30)) == ByteRange(0, 30)


@pytest.mark.parametrize("args", [(5, 2), (0, -1), (-3, 5), ("a", None)])
def test_invalid_ranges_are_refused(args):
    with pytest.raises(InvalidByteRangeError):
        ByteRange(*args)


def test_steps_are_refused():
    with pytest.raises(InvalidByteRangeError):
        ByteRange.from_slice(slice(0, 10, 2))

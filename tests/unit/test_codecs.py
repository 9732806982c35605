"""Codecs: round trips at every level, corrupt data, multi-member gzip."""
from __future__ import annotations

import gzip

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudfiles.compression import compress, decompress, transcode
from cloudfiles.exceptions import (
    CompressionError,
    DecompressionError,
    UnsupportedCompressionType,
)

LEVELS = {"gzip": range(1, 10), "br": range(12), "zstd": range(1, 20)}
METHOD_LEVEL = st.sampled_from(sorted(LEVELS)).flatmap(
    lambda m: st.tuples(st.just(m), st.sampled_from(list(LEVELS[m]))))


@settings(max_examples=150)
@given(st.binary(max_size=2000), METHOD_LEVEL)
def test_round_trip_every_method_and_level(data, method_level):
    method, level = method_level
    assert decompress(compress(data, method, level), method) == data


@given(st.binary(max_size=200), st.sampled_from([None, False, "", True, "gzip", "brotli"]))
def test_aliases(data, method):
    assert decompress(compress(data, method), method) == data


@pytest.mark.parametrize("method", ["gzip", "br", "zstd"])
def test_corrupt_or_truncated_input_raises(method):
    packed = compress(b"some content " * 100, method)
    for broken in (b"not compressed at all", packed[: len(packed) // 2]):
        with pytest.raises(DecompressionError) as info:
            decompress(broken, method, "f.bin")
        assert "'f.bin'" in str(info.value) and method in str(info.value)


def test_multi_member_gzip_is_fully_decoded():
    first, second = b"a" * 5000, b"b" * 5000
    assert decompress(gzip.compress(first) + gzip.compress(first), "gzip") == first * 2
    assert decompress(gzip.compress(first) + gzip.compress(second), "gzip") == first + second


def test_unknown_compression_is_named():
    with pytest.raises(UnsupportedCompressionType) as info:
        compress(b"x", "lzma")
    assert "'lzma'" in str(info.value)


def test_non_bytes_cannot_be_compressed():
    with pytest.raises(TypeError):
        compress(12345, "gzip")
    with pytest.raises(CompressionError):
        compress(b"x", "zstd", 99)


def test_transcode_skips_work_when_encoding_matches():
    packed = compress(b"hello", "gzip")
    files = [{"path": "a", "content": packed, "raw": True, "compress": "gzip"},
             {"path": "b", "content": b"plain", "raw": False, "compress": None},
             {"path": "c", "content": None, "raw": False}]
    out = list(transcode(files, "gzip"))
    assert out[0]["content"] is packed
    assert decompress(out[1]["content"], "gzip") == b"plain"
    assert out[2]["content"] is None
    assert files[1]["content"] == b"plain"  # not in place
    brotli = list(transcode(out, "br", in_place=True))
    assert [decompress(f["content"], "br") for f in brotli[:2]] == [b"hello", b"plain"]
    assert out[0]["compress"] == "br"

"""Codecs: round trips at every level, corrupt data, multi-member gzip, bytes-like input,
the one naming rule for encodings, transcode's input shapes."""
from __future__ import annotations

import array
import bz2
import gzip
import inspect
import lzma

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudfiles import compression
from cloudfiles.compression import compress, decompress, normalize_encoding, transcode
from cloudfiles.domain.encodings import ENCODINGS, encoding_from_header
from cloudfiles.exceptions import (
    CompressionError,
    DecompressionError,
    UnsupportedCompressionType,
)

LEVELS = {"gzip": range(1, 10), "br": range(12), "zstd": range(1, 20), "bzip2": range(1, 10),
          "xz": range(10)}
METHOD_LEVEL = st.sampled_from(sorted(LEVELS)).flatmap(
    lambda m: st.tuples(st.just(m), st.sampled_from(list(LEVELS[m]))))


@settings(max_examples=150)
@given(st.binary(max_size=2000), METHOD_LEVEL)
def test_round_trip_every_method_and_level(data, method_level):
    method, level = method_level
    assert decompress(compress(data, method, level), method) == data


@given(st.binary(max_size=200), st.sampled_from(
    [None, False, "", True, 0, 1, "raw", "gzip", "gz", "GZIP", "brotli", "zstandard", "bz2",
     "bzip2", "xz", "lzma"]))
def test_aliases(data, method):
    assert decompress(compress(data, method), method) == data


@pytest.mark.parametrize("method, canonical", [
    (None, None), (False, None), (0, None), ("", None), ("raw", None), ("RAW", None),
    ("identity", None), ("none", None), ("None", None),
    (True, "gzip"), (1, "gzip"), ("gzip", "gzip"), ("gz", "gzip"), ("x-gzip", "gzip"),
    ("br", "br"), ("Brotli", "br"), ("zstd", "zstd"), ("zstandard", "zstd"),
    ("bz2", "bzip2"), ("bzip2", "bzip2"), ("xz", "xz"), ("lzma", "xz"), (" XZ ", "xz"),
])
def test_normalize_encoding_is_the_one_naming_rule(method, canonical):
    assert normalize_encoding(method) == canonical
    assert encoding_from_header(method if isinstance(method, str) else None) == \
        (canonical if isinstance(method, str) else None)


@pytest.mark.parametrize("method", ["snappy", 2, 1.5, b"gzip", object()])
def test_normalize_encoding_refuses_unknown_names(method):
    with pytest.raises(UnsupportedCompressionType) as info:
        normalize_encoding(method)
    assert repr(method) in str(info.value) and "'bzip2'" in str(info.value)


def test_headers_pass_unknown_encodings_through_lowercased():
    assert encoding_from_header(" AWS-Chunked ") == "aws-chunked"
    assert encoding_from_header("bz2") == "bzip2" and encoding_from_header(None) is None


def test_every_listed_compression_type_is_accepted():
    assert compression.COMPRESSION_TYPES == [
        None, False, True, "", "bz2", "bzip2", "gzip", "br", "zstd", "xz", "lzma"]
    for method in compression.COMPRESSION_TYPES:
        assert decompress(compress(b"abc", method), method) == b"abc"
    assert {normalize_encoding(m) for m in compression.COMPRESSION_TYPES} == {None, *ENCODINGS}


def test_stdlib_codecs_read_what_others_write():
    data = b"written by a newer cloud-files " * 50
    assert decompress(bz2.compress(data), "bzip2") == data
    assert decompress(bz2.compress(data) + bz2.compress(data), "bz2") == data * 2
    assert decompress(lzma.compress(data), "xz") == data
    assert decompress(lzma.compress(data, format=lzma.FORMAT_ALONE), "lzma") == data
    assert bz2.decompress(compress(data, "bz2")) == data
    assert lzma.decompress(compress(data, "lzma")) == data


def test_signatures_match_cloud_files():
    def params(fn):
        return [(p.name, p.default) for p in inspect.signature(fn).parameters.values()]

    empty = inspect.Parameter.empty
    assert params(compress) == [("content", empty), ("method", "gzip"),
                                ("compress_level", None)]
    assert params(decompress) == [("content", empty), ("encoding", empty),
                                  ("filename", "N/A")]
    assert params(transcode) == [("files", empty), ("encoding", empty), ("level", None),
                                 ("progress", False), ("in_place", False)]
    assert compress(b"x", compress_level=1) == compress(b"x", "gzip", 1)
    assert decompress(content=compress(b"x"), encoding="gzip", filename="f") == b"x"


def test_named_helpers_of_3_1_1():
    data = b"helper " * 100
    assert compression.gunzip(compression.gzip_compress(data, compresslevel=3)) == data
    assert gzip.decompress(compression.gzip_compress(data)) == data
    assert compression.brotli_decompress(compression.brotli_compress(data, quality=4)) == data
    assert compression.zstd_decompress(compression.zstd_compress(data, level=5)) == data


@pytest.mark.parametrize("method", ENCODINGS)
def test_bytes_like_content_is_compressed_as_its_bytes(method):
    numbers = array.array("I", range(1000))
    expected = numbers.tobytes()
    for content in (numbers, bytearray(expected), memoryview(expected),
                    memoryview(expected).cast("I", [10, 100])):
        packed = compress(content, method)
        assert decompress(packed, method) == expected
        assert decompress(memoryview(packed), method) == expected
        assert decompress(bytearray(packed), method) == expected


def test_strided_buffers_are_compressed_in_logical_order():
    numbers = memoryview(array.array("B", range(200)))[::3]
    assert decompress(compress(numbers, "zstd"), "zstd") == bytes(range(0, 200, 3))


def test_fortran_ordered_arrays_keep_their_memory_layout():
    numpy = pytest.importorskip("numpy")
    block = numpy.asfortranarray(numpy.arange(24, dtype=numpy.uint16).reshape(2, 3, 4))
    assert decompress(compress(block, "gzip"), "gzip") == block.tobytes("F")


@pytest.mark.parametrize("method", ENCODINGS)
def test_zero_bytes_are_never_valid_compressed_data(method):
    with pytest.raises(DecompressionError) as info:
        decompress(b"", method, "empty.bin")
    assert "'empty.bin'" in str(info.value) and "zero bytes" in str(info.value)
    assert decompress(compress(b"", method), method) == b""


@pytest.mark.parametrize("method", ENCODINGS)
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
        compress(b"x", "snappy")
    assert "'snappy'" in str(info.value)
    with pytest.raises(ValueError):  # cloud-files raises ValueError here
        decompress(b"x", "lz4")


def test_non_bytes_cannot_be_compressed():
    for content in (12345, "text", None):
        with pytest.raises(TypeError) as info:
            compress(content, "gzip")
        assert "bytes-like" in str(info.value)
    with pytest.raises(CompressionError):
        compress(b"x", "zstd", 99)
    with pytest.raises(CompressionError):
        compress(b"x", "bzip2", 10)


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


def test_transcode_takes_one_result_dict():
    result = {"path": "a", "content": compress(b"one", "zstd"), "raw": True, "compress": "zstd"}
    (out,) = transcode(result, "bz2")
    assert out["compress"] == "bzip2" and out["raw"] is True
    assert bz2.decompress(out["content"]) == b"one"
    assert result["compress"] == "zstd"  # copied, not in place
    (same,) = transcode(result, "xz", in_place=True)
    assert same is result and lzma.decompress(result["content"]) == b"one"


def test_transcode_takes_path_content_tuples():
    out = list(transcode([("a", b"plain a"), ("b", b"plain b")], "gzip"))
    assert [(f["path"], gzip.decompress(f["content"]), f["compress"], f["raw"]) for f in out] \
        == [("a", b"plain a", "gzip", True), ("b", b"plain b", "gzip", True)]
    (single,) = transcode(("c", b"plain c"), None)
    assert single == {"path": "c", "content": b"plain c", "compress": None, "raw": True}
    with pytest.raises(TypeError):
        list(transcode([12], "gzip"))


def test_transcode_is_lazy_but_checks_the_encoding_at_once():
    consumed = []

    def results():
        for i in range(3):
            consumed.append(i)
            yield {"path": f"f{i}", "content": b"x", "raw": False, "compress": None}

    stream = transcode(results(), "br")
    assert consumed == []
    assert next(stream)["path"] == "f0" and consumed == [0]
    with pytest.raises(UnsupportedCompressionType):
        transcode(results(), "snappy")
    assert consumed == [0]

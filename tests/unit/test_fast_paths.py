"""The hot paths behave exactly like the plain ones they shortcut."""
from __future__ import annotations

import gzip
import os
import threading

import pytest

from cloudfiles import CloudFiles
from cloudfiles.adapters.codecs.registry import GzipCodec
from cloudfiles.adapters.local.file import TEMP_MARK
from cloudfiles.app.processes import MAX_CHUNK, MIN_CHUNK, chunk_size_for
from cloudfiles.app.scheduler import Schedule

ONE = gzip.compress(b"hello " * 1000)
TWO = gzip.compress(b"world" * 10)


@pytest.mark.parametrize("data", [ONE, ONE + ONE, ONE + TWO, TWO + ONE, gzip.compress(b""),
                                  gzip.compress(os.urandom(70000) + b"z" * 300000)])
def test_gzip_decodes_like_the_standard_library(data):
    decoded = GzipCodec().decompress(data)
    assert decoded == gzip.decompress(data) and type(decoded) is bytes


def test_gzip_direct_path_declines_what_is_not_one_whole_member():
    direct = GzipCodec()._direct
    if direct is None:
        pytest.skip("no ctypes path on this interpreter")
    assert direct(ONE) == b"hello " * 1000
    for data in (ONE + ONE, ONE + b"junk", ONE[:-3], bytearray(ONE), b"", b"\x1f\x8b" + b"\0" * 30):
        assert direct(data) is None


def test_file_get_reads_whole_files_of_any_size(tmp_path):
    cf = CloudFiles(f"file://{tmp_path}")
    for size in (0, 1, 4096, 3 * 1024 * 1024 + 7):
        data = os.urandom(size)
        cf.put(f"f{size}", data)
        assert cf.get(f"f{size}") == data
    (tmp_path / "adir").mkdir()
    assert cf.get("adir") is None


def test_file_put_makes_directories_and_leaves_no_temporary_file(tmp_path):
    cf = CloudFiles(f"file://{tmp_path}")
    cf.puts([(f"a/b/c/{i}", b"x" * i) for i in range(50)])
    cf.put("a/b/c/1", b"y", compress="gzip")  # replaces the plain variant
    names = [name for _, _, files in os.walk(tmp_path) for name in files]
    assert not [name for name in names if TEMP_MARK in name]
    assert sorted(cf.list("a/b/c/")) == sorted(f"a/b/c/{i}" for i in range(50))
    assert cf.get("a/b/c/1") == b"y" and not (tmp_path / "a/b/c/1").exists()


def test_threaded_schedule_stops_early_and_reraises():
    started = []

    def work(item):
        started.append(item)
        if item == 3:
            raise ValueError("three")
        return item

    with pytest.raises(ValueError, match="three"):
        list(Schedule(4).run(work, range(1000), max_in_flight=8))
    assert len(started) < 100  # the rest of the input was never pulled
    assert not [t for t in threading.enumerate() if t.name.startswith("cloudfiles-")]


def test_chunks_are_about_two_per_process_within_bounds():
    assert chunk_size_for(None, 2) == MIN_CHUNK
    assert chunk_size_for(2000, 2) == 500
    assert chunk_size_for(10, 2) == MIN_CHUNK
    assert chunk_size_for(10**6, 4) == MAX_CHUNK

"""The storage contract, run on mem:// and file://, plus what local storages add to it."""
from __future__ import annotations

import array

import pytest

from cloudfiles import CloudFiles
from cloudfiles.compression import decompress, normalize_encoding
from cloudfiles.testing import StorageContract, unique_prefix

PAYLOAD = b"newer cloud-files releases write these " * 40


class LocalEncodings:
    """xz and bzip2 objects (written by newer cloud-files) behave like gzip/br/zstd ones."""

    @pytest.mark.parametrize("compress", ["xz", "lzma", "bzip2", "bz2"])
    def test_stdlib_encodings_round_trip(self, new_cloudpath, compress):
        cf = CloudFiles(new_cloudpath())
        cf.put("dir/obj", PAYLOAD, compress=compress)
        raw = cf.get("dir/obj", raw=True)
        assert raw != PAYLOAD and decompress(raw, compress) == PAYLOAD
        assert cf.get("dir/obj") == PAYLOAD
        assert cf["dir/obj", 10:20] == PAYLOAD[10:20]
        assert [r["content"] for r in cf.get(["dir/obj"])] == [PAYLOAD]
        assert list(cf.list()) == ["dir/obj"] and cf.exists("dir/obj")
        assert cf.size("dir/obj") == len(raw)
        assert cf.head("dir/obj")["Content-Encoding"] == normalize_encoding(compress)
        cf.delete("dir/obj")
        assert cf.get("dir/obj") is None and list(cf.list()) == []

    def test_bytes_like_content_is_stored_as_its_bytes(self, new_cloudpath):
        cf = CloudFiles(new_cloudpath())
        numbers = array.array("I", range(50))
        cf.puts([("array", numbers), ("view", memoryview(PAYLOAD)),
                 ("mutable", bytearray(PAYLOAD))], compress="xz")
        cf.put("raw-view", memoryview(PAYLOAD), raw=True)
        assert cf.get("array") == numbers.tobytes()
        assert cf.get("view") == cf.get("mutable") == cf.get("raw-view") == PAYLOAD


class TestMemContract(StorageContract, LocalEncodings):
    @pytest.fixture
    def new_cloudpath(self):
        return lambda: f"mem://contract/{unique_prefix()}"


class TestFileContract(StorageContract, LocalEncodings):
    @pytest.fixture
    def new_cloudpath(self, tmp_path):
        return lambda: f"file://{tmp_path / unique_prefix()}"

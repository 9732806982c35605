"""Bad input gets a clear, documented error, and never a partial file."""
from __future__ import annotations

import os

import pytest

from cloudfiles import CloudFiles
from cloudfiles.exceptions import (
    BatchError,
    DecompressionError,
    InvalidKeyError,
    StorageError,
    UnsupportedCompressionType,
    UnsupportedProtocolError,
)


def test_unknown_compression(tmp_path):
    cf = CloudFiles(f"file://{tmp_path}")
    with pytest.raises(UnsupportedCompressionType, match="'lz4'"):
        cf.put("f", b"x", compress="lz4")
    with pytest.raises(BatchError) as info:
        cf.puts([("ok", b"1"), {"path": "bad", "content": b"2", "compress": "lz4"}])
    assert list(info.value.errors) == ["bad"] and cf.get("ok") == b"1"
    assert sorted(os.listdir(tmp_path)) == ["ok"]


def test_non_bytes_content(tmp_path):
    cf = CloudFiles(f"file://{tmp_path}")
    with pytest.raises(TypeError, match="'f'.*dict"):
        cf.put("f", {"not": "bytes"})
    with pytest.raises(TypeError):
        cf.put("", b"no name")
    assert os.listdir(tmp_path) == []


def test_missing_file(tmp_path):
    cf = CloudFiles(f"file://{tmp_path}")
    assert cf.get("nope") is None and cf.size("nope") is None and cf.head("nope") is None
    with pytest.raises(BatchError, match="does not exist"):
        cf.transfer_to(f"file://{tmp_path}/out", paths=["nope"])
    assert not (tmp_path / "out").exists()


def test_malformed_paths():
    for bad in ("ftp://x/y", "gs://", "s3://https://"):
        with pytest.raises(UnsupportedProtocolError, match="PROTOCOL://BUCKET/PATH"):
            CloudFiles(bad)


def test_keys_cannot_escape_the_root(tmp_path):
    cf = CloudFiles(f"file://{tmp_path}/root")
    for key in ("../outside", "a/../../outside", "/etc/passwd"):
        with pytest.raises(InvalidKeyError, match="outside|segment"):
            cf.put(key, b"x")
        with pytest.raises(InvalidKeyError):
            cf.get(key)
    assert not (tmp_path / "outside").exists()


def test_corrupt_data_is_named(tmp_path):
    (tmp_path / "bad.gz").write_bytes(b"this is not gzip")
    cf = CloudFiles(f"file://{tmp_path}")
    with pytest.raises(DecompressionError, match="'bad'"):
        cf.get("bad")
    result = cf.get(["bad"], raise_errors=False)[0]
    assert isinstance(result["error"], DecompressionError) and result["content"] is None
    assert cf.get("bad", raw=True) == b"this is not gzip"


def test_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    cf = CloudFiles(f"file://{tmp_path}")
    cf.put("f", b"old content")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(StorageError, match="No space left"):
        cf.put("f", b"new content that never lands")
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["f"]
    assert cf.get("f") == b"old content"


def test_unreadable_directory(tmp_path, monkeypatch):
    cf = CloudFiles(f"file://{tmp_path}")
    cf.put("d/f", b"x")
    real_scandir = os.scandir

    def denied(path):
        if str(path).endswith("/d"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", denied)
    with pytest.raises(StorageError, match="Permission denied"):
        list(cf.list())


def test_writing_over_a_directory_is_a_clear_error(tmp_path):
    cf = CloudFiles(f"file://{tmp_path}")
    cf.put("d/f", b"x")
    with pytest.raises(StorageError, match="directory"):
        cf.put("d", b"x")


def test_compressed_files_keep_suffixes_and_plain_names(tmp_path):
    cf = CloudFiles(f"file://{tmp_path}")
    cf.puts([("a", b"1"), ("b", b"2"), ("c", b"3"), ("d", b"4")], compress=None)
    for key, method, suffix in (("a", "gzip", ".gz"), ("b", "br", ".br"), ("c", "zstd", ".zstd")):
        cf.put(key, b"new", compress=method)
        assert os.path.exists(tmp_path / f"{key}{suffix}")
        assert not os.path.exists(tmp_path / key)  # the old plain variant is gone
    assert sorted(cf) == ["a", "b", "c", "d"]
    assert cf.exists("a") and cf.size("a") > 0
    cf.delete(["a", "b", "c"])
    assert os.listdir(tmp_path) == ["d"]


def test_symlinked_directories_are_listed_through_and_cycles_are_skipped(tmp_path):
    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    (real / "sub" / "f").write_bytes(b"x")
    root = tmp_path / "root"
    root.mkdir()
    (root / "linked").symlink_to(real)
    (root / "loop").symlink_to(root)
    cf = CloudFiles(f"file://{root}")
    assert sorted(cf.list()) == ["linked/sub/f"]
    assert cf.get("linked/sub/f") == b"x"

"""Bad input gets a clear, documented error, and never a partial file."""
from __future__ import annotations

import os

import pytest

from cloudfiles import CloudFiles
from cloudfiles.adapters.http_errors import raise_for_status
from cloudfiles.domain.ports import HttpResponse
from cloudfiles.exceptions import (
    BatchError,
    CredentialsError,
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
        with pytest.raises(InvalidKeyError, match="outside|segment|starts with '/'"):
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


@pytest.mark.parametrize("blank", ["", "   "])
def test_an_empty_cloud_path_says_so_and_what_is_accepted(blank):
    with pytest.raises(UnsupportedProtocolError) as caught:
        CloudFiles(blank)
    message = str(caught.value)
    assert message.startswith(f"An empty cloud path was given ({blank!r}).")
    assert "gs://bucket/dir" in message and "./data" in message and "mem" in message


@pytest.mark.parametrize("key, says", [
    ("dirlike/", ("ends with '/', a directory marker: file:// stores only files and makes "
                  "their directories as needed. Drop the trailing '/' to name a file, or put "
                  "files below it ('dirlike/name').")),
    ("", "An empty key names no file"),
    ("/etc/passwd", "starts with '/': keys are relative to file://"),
    ("a//b", "has an empty segment ('//')"),
    ("a/./b", "has a '.' or '..' segment"),
])
def test_unstorable_file_keys_say_why_and_what_to_give(tmp_path, key, says):
    cf = CloudFiles(f"file://{tmp_path}")
    for attempt in (lambda: cf.get(key), lambda: cf.exists(key), lambda: cf.delete(key)):
        with pytest.raises(InvalidKeyError) as caught:
            attempt()
        assert says in str(caught.value)
    if key:  # put refuses an empty key itself, as a TypeError (see test_non_bytes_content)
        with pytest.raises(InvalidKeyError, match=f"Key {key!r}"):
            cf.put(key, b"x")
    assert os.listdir(tmp_path) == []


def test_a_directory_marker_key_is_a_file_on_cloud_like_storages():
    cf = CloudFiles("mem://bad-input/markers")
    cf.put("dirlike/", b"")
    assert list(cf.list()) == ["dirlike/"]


def test_a_refused_credentials_message_has_one_full_stop_per_sentence():
    response = HttpResponse(403)
    with pytest.raises(CredentialsError) as caught:
        raise_for_status(response, "GET s3://bucket/key", "InvalidAccessKeyId",
                         "The AWS Access Key Id you provided does not exist in our records.",
                         "credentials from env")
    assert str(caught.value) == (
        "GET s3://bucket/key: HTTP 403 InvalidAccessKeyId: The AWS Access Key Id you provided "
        "does not exist in our records. Access refused (credentials from env).")
    with pytest.raises(CredentialsError, match=r"^GET x: HTTP 401\. Access refused\.$"):
        raise_for_status(HttpResponse(401), "GET x")


@pytest.mark.parametrize("paths, named", [(5, "int"), (None, "NoneType"), (b"x", "bytes")])
def test_get_names_what_is_not_a_path(tmp_path, paths, named):
    with pytest.raises(TypeError, match=f"got {named}"):
        CloudFiles(f"file://{tmp_path}").get(paths)

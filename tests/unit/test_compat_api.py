"""cloud-files 3.1.1 behaviours and the later API that real programs (CloudVolume) call."""
from __future__ import annotations

import os
import uuid

import numpy as np
import pytest

import cloudfiles
from cloudfiles import CloudFile, CloudFiles
from cloudfiles.exceptions import BatchError, DecompressionError


@pytest.fixture(params=["mem", "file"])
def cf(request, tmp_path):
    if request.param == "mem":
        return CloudFiles(f"mem://compat-{uuid.uuid4().hex}/dir")
    return CloudFiles(f"file://{tmp_path}/dir")


def test_scalar_get_with_return_dict_is_a_dict(cf):
    cf.put("one/path", b"content")
    assert cf.get("one/path", return_dict=True) == {"one/path": b"content"}
    assert cf.get(["one/path"], return_dict=True) == {"one/path": b"content"}


def test_get_raises_the_first_error_by_default(cf):
    cf.put("good", b"ok")
    cf.put("bad", b"not gzip", raw=True, compress="gzip")
    with pytest.raises(DecompressionError):
        cf.get(["good", "bad"])
    with pytest.raises(DecompressionError):
        cf.get(["good", "bad"], raise_errors=False, return_dict=True)
    results = {r["path"]: r for r in cf.get(["good", "bad"], raise_errors=False)}
    assert results["good"]["content"] == b"ok" and results["good"]["error"] is None
    assert isinstance(results["bad"]["error"], DecompressionError)


def test_get_refuses_a_non_path_naming_it(cf):
    with pytest.raises(TypeError, match="int"):
        cf.get(5)


def test_tags_pass_through_get_results(cf):
    cf.put("a", b"123456")
    [result] = cf.get([{"path": "a", "start": 1, "end": 3, "tags": {"id": 7}}])
    assert result["content"] == b"23" and result["tags"] == {"id": 7}
    [plain] = cf.get(["a"])
    assert "tags" not in plain


def test_numpy_content_and_numpy_range_bounds(cf):
    array = np.arange(24, dtype=np.uint16).reshape(2, 3, 4)
    cf.put("arr", array, raw=True)
    if cf.protocol == "mem":  # raw arrays come back as arrays, as CloudVolume expects
        assert np.array_equal(cf.get("arr"), array) and cf.size("arr") == array.nbytes
    else:
        assert cf.get("arr") == array.tobytes()
    cf.puts([("fortran", np.asfortranarray(array))], compress="gzip")
    assert cf.get("fortran") == array.tobytes(order="F")  # memory order, encoded as bytes
    assert cf.get({"path": "arr", "start": np.int64(2), "end": np.uint32(6)}) == \
        array.tobytes()[2:6]
    assert cf["arr", np.int32(0):np.int8(4)] == array.tobytes()[:4]
    cf.put("view", memoryview(b"abcdef")[1:4])
    assert cf.get("view") == b"bcd"


def test_compression_is_an_alias_of_compress(cf):
    cf.puts([("a", b"x" * 100)], compression="gzip")
    cf.put("b", b"y" * 100, compression="br")
    cf.put_json("c", {"k": 1}, compression="zstd")
    heads = cf.head(["a", "b", "c"])
    assert [heads[k]["Content-Encoding"] for k in "abc"] == ["gzip", "br", "zstd"]
    with pytest.raises(TypeError, match="disagree"):
        cf.put("d", b"", compress="gzip", compression="br")


def test_unknown_keyword_options_are_refused_by_name(tmp_path):
    with pytest.raises(TypeError, match="lockign"):
        CloudFiles(f"file://{tmp_path}", lockign=True)
    with pytest.raises(TypeError, match="bogus"):
        CloudFiles("mem://b/x", bogus=1)
    CloudFiles(f"file://{tmp_path}", locking=True, lock_dir=str(tmp_path / "locks"),
               composite_upload_threshold=10, no_sign_request=True)


def test_path_helpers_follow_the_storage(tmp_path):
    local = CloudFiles(f"file://{tmp_path}")
    remote = CloudFiles("mem://bucket/dir")
    assert local.sep == os.sep and remote.sep == "/"
    assert local.join("a", "b") == os.path.join("a", "b") and remote.join("a", "b") == "a/b"
    assert remote.dirname("a/b/c") == "a/b" and remote.basename("a/b/c") == "c"
    assert local.basename(os.path.join("x", "y")) == "y"
    assert remote._path.protocol == "mem"
    assert CloudFiles("gs://bkt/dir")._path[:5] == ("precomputed", "gs", "bkt", "dir", None)
    assert local._path.protocol == "file" and local._path.path == str(tmp_path)


def test_sizes_subtrees_and_sized_listing(cf):
    cf.puts([("a", b"12"), ("d/b", b"345"), ("d/e/c", b"6789")])
    assert cf.size(["a", "d/b", "missing"], return_sum=True) == 5
    assert cf.size("d/e/c", return_sum=True) == 4
    assert cf.subtree_size("d/") == {"N": 2, "num_bytes": 7}
    assert cf.subtree_size(["a", "d/e/"]) == {"N": 2, "num_bytes": 6}
    assert sorted(cf.list(size=True)) == [("a", 2), ("d/b", 3), ("d/e/c", 4)]
    assert sorted(cf.list("d/", flat=True, size=True)) == [("d/b", 3)]
    assert sorted(cf.list("d/", flat=True, dirs=True, size=True)) == [("d/b", 3), ("d/e/", None)]


def test_transfer_content_type_and_allow_missing(cf, tmp_path):
    cf.puts([("a", b"1"), ("b", b"2")], content_type="text/plain")
    dest = CloudFiles(f"plug://transfer-{uuid.uuid4().hex}/dest")  # keeps types
    assert cf.transfer_to(dest, ["a", "missing", "b"], allow_missing=True,
                          content_type="application/x-test") == 3
    assert dest.get(["a", "b", "missing"], return_dict=True) == \
        {"a": b"1", "b": b"2", "missing": b""}  # an empty file stands for the missing one
    assert dest.head("a")["Content-Type"] == "application/x-test"
    with pytest.raises(BatchError) as caught:
        dest.transfer_from(cf, ["missing"])
    assert list(caught.value.errors) == ["missing"]
    assert dest.transfer_from(cf, [("a", "renamed")]) == 1
    assert dest.get("renamed") == b"1"


def test_move_and_moves(cf, tmp_path):
    cf.puts([("a", b"1"), ("b", b"2"), ("c", b"3")])
    other = CloudFiles(f"file://{tmp_path}/moved")
    assert cf.moves(other, ["a", ("b", "bee")]) == 2
    assert other.get(["a", "bee"], return_dict=True) == {"a": b"1", "bee": b"2"}
    assert not cf.exists("a") and not cf.exists("b")
    cf.move("c", "sub/c2")
    assert cf.get("sub/c2") == b"3" and not cf.exists("c")
    cf.move("sub/c2", f"file://{tmp_path}/elsewhere/c3")
    assert CloudFiles(f"file://{tmp_path}/elsewhere").get("c3") == b"3"


def test_cloudfile_single_file_api(tmp_path):
    path = f"file://{tmp_path}/d/info"
    file = CloudFile(path)
    assert not file.exists() and file.get() is None
    file.put_json({"a": 1})
    assert file.get_json() == {"a": 1} and file.exists()
    assert file.head()["Content-Length"] == len(b'{"a":1}')
    file.put(b"0123456789", compress="gzip")
    assert file.get() == b"0123456789" and file[2:5] == b"234"
    assert [r["content"] for r in file.get([slice(0, 2), {"start": 8}])] in \
        ([b"01", b"89"], [b"89", b"01"])
    assert file.size() == len(file.get(raw=True)) and len(file) == file.size()
    assert file.protocol == "file" and file.sep == os.sep
    assert file.join("a", "b") == os.path.join("a", "b")
    local = tmp_path / "saved"
    file.save(str(local))
    assert CloudFile(str(local)).get() == b"0123456789"
    file.transfer_to(f"mem://cloudfile-{os.getpid()}/copy")
    assert CloudFile(f"mem://cloudfile-{os.getpid()}/copy").get() == b"0123456789"
    file.move(f"file://{tmp_path}/d/renamed")
    assert not file.exists() and CloudFile(f"file://{tmp_path}/d/renamed").exists()
    file.touch()
    assert file.get() == b""
    file.delete()
    assert not file.exists()
    with pytest.raises(ValueError, match="directory"):
        CloudFile(f"file://{tmp_path}/d/")


def test_cloudfile_https_and_caching():
    file = CloudFile("gs://bucket/dir/file", use_https=True, cache_meta=True)
    assert file.protocol == "https" and file.filename == "file"


def test_clear_memory_and_reset_connection_pools():
    cf = CloudFiles(f"mem://clear-{os.getpid()}/x")
    cf.put("a", b"1")
    cloudfiles.clear_memory()
    assert list(cf.list()) == [] and cf.get("a") is None
    cloudfiles.reset_connection_pools()  # safe at any time, and again
    cloudfiles.reset_connection_pools()

"""The CloudFiles API as the cloud-files 3.x README shows it, on mem:// and file://."""
from __future__ import annotations

import gzip
import os

import pytest

from cloudfiles import CloudFiles, dl
from cloudfiles.compression import decompress
from cloudfiles.testing import unique_prefix


@pytest.fixture(params=["mem", "file"])
def cf(request, tmp_path):
    if request.param == "mem":
        return CloudFiles(f"mem://api/{unique_prefix()}")
    return CloudFiles(f"file://{tmp_path}")


def test_get_shapes(cf):
    cf.put("filename", b"hello world")
    assert cf.get("filename") == b"hello world" == cf["filename"]
    assert cf.get("missing") is None
    assert cf.get({"path": "filename", "start": 0, "end": 5}) == b"hello"
    assert cf["filename", 0:5] == b"hello" == cf["filename"][0:5]
    assert cf["filename", 6:] == b"world"
    results = cf.get(["filename", "missing"])
    assert sorted((r["path"], r["content"], r["byte_range"], r["error"]) for r in results) == [
        ("filename", b"hello world", (None, None), None), ("missing", None, (None, None), None)]
    ranged = cf.get([{"path": "filename", "start": 6, "end": 11}])
    assert ranged[0]["content"] == b"world" and ranged[0]["byte_range"] == (6, 11)
    assert cf.get(iter(["filename"]), total=1)[0]["content"] == b"hello world"
    assert cf.get((p for p in ["filename"]), return_dict=True) == {"filename": b"hello world"}


def test_put_shapes_and_dict_fields_override(cf):
    cf.puts([("a", b"1"), {"path": "b", "content": b"2", "compress": "br"}], compress="gzip")
    assert cf.get("a") == b"1" and cf.get("b") == b"2"
    assert decompress(cf.get("a", raw=True), "gzip") == b"1"
    assert decompress(cf.get("b", raw=True), "br") == b"2"
    cf.puts(("single", b"s"))
    cf.puts({"path": "single2", "content": b"s2", "cache_control": "no-cache"})
    cf.puts((f"g{i}", b"x") for i in range(5))
    cf["set"] = b"item"
    assert cf["single"] == b"s" and cf["single2"] == b"s2" and cf["set"] == b"item"
    assert sorted(cf) == sorted(["a", "b", "single", "single2", "set"] +
                                [f"g{i}" for i in range(5)])
    cf.put("pre", gzip.compress(b"already"), compress="gzip", raw=True)
    assert cf.get("pre") == b"already"
    cf.put("txt", "unicode ✓")
    assert cf.get("txt") == "unicode ✓".encode()


def test_json(cf):
    cf.put_json("digits", [1, 2, 3])
    cf.put_jsons([("x", {"k": 1}), {"path": "y", "content": None, "compress": "zstd"}])
    assert cf.get_json("digits") == [1, 2, 3]
    assert cf.get_json(["y", "digits", "x", "nope"]) == [None, [1, 2, 3], {"k": 1}, None]
    assert cf.head("digits")["Content-Type"] in ("application/json", None)


def test_exists_size_delete(cf):
    cf.puts([("file1", b"12345"), ("empty", b"")])
    assert cf.exists("file1") is True and cf.exists("nope") is False
    assert cf.exists(["file1", "nope"]) == {"file1": True, "nope": False}
    assert cf.size(["file1", "nope", "empty"]) == {"file1": 5, "nope": None, "empty": 0}
    assert cf.size("file1") == 5
    del cf["file1"]
    cf.delete(["empty", "never-existed"])
    assert list(cf) == []


def test_list_and_slices(cf):
    cf.puts([(f"d/{i:03d}", bytes([i])) for i in range(12)] + [("top", b"t")])
    assert list(cf.list(prefix="d/", flat=True))[:2] == ["d/000", "d/001"]
    assert sorted(cf.list(flat=True)) == ["top"]
    assert sorted(cf.list(flat=True, dirs=True)) == ["d/", "top"]
    first = cf[:3]
    assert sorted(r["path"] for r in first) == ["d/000", "d/001", "d/002"]
    assert sorted(r["path"] for r in cf[10:12]) == ["d/010", "d/011"]
    assert cf.isdir("d") and not cf.isdir("top") and cf.isdir()
    del cf[:12]
    assert list(cf) == ["top"]


def test_touch_and_join(cf):
    cf.put("kept", b"data")
    cf.touch(["kept", "new"])
    assert cf.get("kept") == b"data" and cf.get("new") == b""
    assert cf.join("a", "b", "c") == "a/b/c"


def test_transfer_keeps_encoding_and_can_reencode(tmp_path):
    src = CloudFiles(f"mem://transfer/{unique_prefix()}")
    src.puts([(f"f{i}", b"payload %d" % i) for i in range(20)], compress="gzip")
    dest = CloudFiles(f"file://{tmp_path}/dest")
    dest.transfer_from(src, block_size=4)
    assert sorted(os.listdir(tmp_path / "dest")) == sorted(f"f{i}.gz" for i in range(20))
    assert dest.get("f3") == b"payload 3"
    src.transfer_to(f"file://{tmp_path}/br", reencode="br")
    assert CloudFiles(f"file://{tmp_path}/br").get("f7") == b"payload 7"
    assert (tmp_path / "br" / "f7.br").exists()
    plain = CloudFiles(f"mem://transfer/{unique_prefix()}")
    plain[:] = dest
    assert plain.get("f11") == b"payload 11"
    assert plain.get("f11", raw=True)[:2] == b"\x1f\x8b"  # bytes travelled raw
    dest.transfer_to(f"file://{tmp_path}/none", paths=["f1"], reencode=None)
    dest.transfer_to(f"file://{tmp_path}/dec", paths=["f1", {"path": "f2", "dest_path": "two"}],
                     reencode="none")
    assert sorted(os.listdir(tmp_path / "dec")) == ["f1", "two"]


def test_threads_green_and_processes_give_the_same_answers(tmp_path):
    paths = [f"k{i}" for i in range(60)]
    base = CloudFiles(f"file://{tmp_path}", num_threads=8)
    base.puts([(p, p.encode()) for p in paths], compress="zstd", parallel=2)
    expected = {p: p.encode() for p in paths}
    for cf in (CloudFiles(f"file://{tmp_path}", num_threads=0),
               CloudFiles(f"file://{tmp_path}", green=True),
               CloudFiles(f"file://{tmp_path}", parallel=2, progress=True)):
        assert {r["path"]: r["content"] for r in cf.get(paths)} == expected
        assert cf.exists(paths) == {p: True for p in paths}
    CloudFiles(f"file://{tmp_path}").delete(paths, parallel=2)
    assert list(base) == []


def test_dl_across_roots(tmp_path):
    a, b = CloudFiles(f"file://{tmp_path}/a"), CloudFiles(f"mem://dl/{unique_prefix()}")
    a.put("x", b"from a")
    b.put("y", b"from b", compress="br")
    results = dl([f"file://{tmp_path}/a/x", f"{b.cloudpath}/y"])
    assert sorted(r["content"] for r in results) == [b"from a", b"from b"]
    assert dl(f"file://{tmp_path}/a/x") == b"from a"


def test_mem_is_shared_by_bucket():
    name = unique_prefix()
    CloudFiles(f"mem://{name}/dir").put("f", b"shared")
    assert CloudFiles(f"mem://{name}").get("dir/f") == b"shared"
    assert CloudFiles(f"mem://{name}/dir").get("f") == b"shared"
    assert CloudFiles(f"mem://{unique_prefix()}/dir").get("f") is None

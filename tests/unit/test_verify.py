"""`cloudfiles verify` and `cloudfiles.entrypoints.comparing.verify` on file:// and mem://.

Local storages state no checksum: without --md5 same-size pairs stay unchecked; with it their
md5s are computed from the stored bytes.
"""
from __future__ import annotations

import gzip

import pytest

from cloudfiles import CloudFiles
from cloudfiles.app import digests
from cloudfiles.app.compare import CompareOptions, Side, compare
from cloudfiles.domain.checksum_rules import Checksums
from cloudfiles.entrypoints.comparing import (
    NotComparableError,
    SourceNotFoundError,
    verify,
)
from tests.local_files import write_files
from tests.unit.sync_trees import FILES, tree

pytest_plugins = ["tests.unit.cli_fixtures"]  # the `run` and `mem` fixtures


@pytest.mark.parametrize(("src_kind", "dest_kind"),
                         [("file", "file"), ("file", "mem"), ("mem", "file"), ("mem", "mem")])
def test_equal_trees_verify_with_md5(run, tmp_path, mem, src_kind, dest_kind):
    src = tree(src_kind, tmp_path, mem, "src")
    dest = tree(dest_kind, tmp_path, mem, "dest")
    comparison = verify(src, dest, md5=True)
    assert comparison.equal and comparison.matching == len(FILES)
    result = run("verify", "--md5", src, dest)
    assert result.stdout == f"success. {len(FILES)} file(s) matching.\n"


def test_without_md5_local_files_of_the_same_size_stay_unchecked(run, tmp_path, mem):
    src, dest = tree("file", tmp_path, mem, "src"), tree("mem", tmp_path, mem, "dest")
    comparison = verify(src, dest)
    assert not comparison.equal
    assert comparison.unchecked == ("a/b", "a/c/d.bin", "a-1", "a.txt", "z")  # tree order
    out = run("verify", src, dest, code=1).stdout
    assert "unchecked (5)" in out and "--md5" in out and "a/b" not in out
    assert "  a/b\n" in run("verify", "-v", src, dest, code=1).stdout


def test_every_differing_path_is_named_in_its_group(run, tmp_path, mem):
    src = tree("file", tmp_path, mem, "src")
    changed = {**FILES, "a/b": b"IN A", "z": b"longer than before", "new/x": b"x"}
    del changed["a.txt"]
    dest = tree("mem", tmp_path, mem, "dest", changed)

    comparison = verify(src, dest, md5=True)
    assert comparison.missing == ("a.txt",)
    assert comparison.extra == ("new/x",)
    assert [(d.key, d.reason) for d in comparison.different] == [("a/b", "checksum"),
                                                                 ("z", "size")]
    assert comparison.matching == 2

    out = run("verify", "--md5", src, dest, code=1).stdout
    assert out == (
        f"missing (in file://{tmp_path}/src, not in {dest}) (1):\n  a.txt\n"
        f"extra (in {dest}, not in file://{tmp_path}/src) (1):\n  new/x\n"
        "different (2):\n  a/b  (checksum)\n  z  (size 8 != 18)\n"
        "failed. 1 missing, 1 extra, 2 different; 2 matching.\n")
    verbose = run("verify", "--md5", "-v", src, dest, code=1).stdout
    assert f"source: md5:{Checksums(md5=None).describe()}" not in verbose
    assert "    source: md5:" in verbose and "    dest:   md5:" in verbose


def test_only_matching_ignores_missing_and_extra_files(run, tmp_path, mem):
    src = tree("mem", tmp_path, mem, "src")
    fewer = {key: value for key, value in FILES.items() if key != "z"}
    dest = tree("mem", tmp_path, mem, "dest", {**fewer, "extra": b"e"})
    assert run("verify", "--md5", "-m", src, dest).stdout == \
        "success. 4 file(s) matching. 2 ignored.\n"
    run("verify", "--md5", src, dest, code=1)
    CloudFiles(dest).put("a/b", b"IN A")
    out = run("verify", "--md5", "--only-matching", src, dest, code=1).stdout
    assert "missing" not in out and "a/b  (checksum)" in out
    assert out.endswith("failed. 1 different; 3 matching.\n")


def test_two_files_compare_whatever_their_names(run, tmp_path, mem):
    write_files(tmp_path, {"one": b"same", "two": b"same", "three": b"diff"})
    CloudFiles(mem).put("copy", b"same")
    assert run("verify", "--md5", str(tmp_path / "one"), f"{mem}/copy").stdout == \
        "success. 1 file(s) matching.\n"
    assert verify(str(tmp_path / "one"), str(tmp_path / "two"), md5=True).equal
    comparison = verify(str(tmp_path / "one"), str(tmp_path / "three"), md5=True)
    assert [d.key for d in comparison.different] == ["one"]
    comparison = verify(str(tmp_path / "one"), f"{mem}/absent", md5=True)
    assert comparison.missing == ("one",)
    run("verify", str(tmp_path / "one"), f"{mem}/absent", code=1)


def test_a_file_against_a_directory_is_refused_clearly(run, tmp_path, mem):
    src = tree("file", tmp_path, mem, "src")
    with pytest.raises(NotComparableError, match="is a file and .* is a directory"):
        verify(f"{src}/z", src)
    result = run("verify", src, f"{src}/z", code=1)
    assert "is a directory and" in result.stderr and "is a file" in result.stderr
    assert "give two files or two directories" in result.stderr
    # a destination spelled as a directory is one, even when nothing is there yet
    assert "is a directory" in run("verify", f"{src}/z", f"{mem}/nothing/", code=1).stderr


def test_a_missing_source_is_refused_clearly(run, tmp_path, mem):
    with pytest.raises(SourceNotFoundError, match="no such file or directory"):
        verify(f"{mem}/nothing", f"{mem}/else")
    result = run("verify", str(tmp_path / "absent"), f"{mem}/x", code=1)
    assert f"file://{tmp_path}/absent: no such file or directory" in result.stderr


def test_a_missing_destination_tree_misses_everything(tmp_path, mem):
    src = tree("mem", tmp_path, mem, "src")
    comparison = verify(src, str(tmp_path / "none"), md5=True)
    assert sorted(comparison.missing) == sorted(FILES) and comparison.matching == 0


def test_stored_bytes_are_compared_encodings_included(tmp_path, mem):
    """A gzip file on disk ('x.gz') and a gzip-encoded mem:// object of the same bytes are
    equal; the same content stored unencoded is not."""
    packed = gzip.compress(b"content " * 100, mtime=0)
    write_files(tmp_path / "src", {"x.gz": packed, "y": b"plain"})
    CloudFiles(f"{mem}/gz").puts([("x", packed), ("y", b"plain")], raw=True,
                                 compress="gzip")  # raw: stored as given, marked gzip
    assert CloudFiles(f"{mem}/gz").head("x")["Content-Encoding"] == "gzip"
    assert verify(str(tmp_path / "src"), f"{mem}/gz", md5=True).equal
    CloudFiles(f"{mem}/plain").puts([("x", b"content " * 100), ("y", b"plain")])
    comparison = verify(str(tmp_path / "src"), f"{mem}/plain", md5=True)
    assert [d.key for d in comparison.different] == ["x"]


@pytest.mark.parametrize("kind", ["file", "mem"])
def test_big_files_are_read_a_chunk_at_a_time(monkeypatch, tmp_path, mem, kind):
    monkeypatch.setattr(digests, "CHUNK", 1000)
    reads = []
    real = digests._read

    def counted(store, key, byte_range):
        reads.append((key, byte_range.start))
        return real(store, key, byte_range)

    monkeypatch.setattr(digests, "_read", counted)
    big = bytes(range(256)) * 40  # 10,240 bytes: 11 chunks
    src = tree(kind, tmp_path, mem, "src", {"big": big, "small": b"s"})
    dest = tree(kind, tmp_path, mem, "dest", {"big": big, "small": b"s"})
    assert verify(src, dest, md5=True).equal
    assert [start for key, start in reads if key == "big"] == list(range(0, 11000, 1000)) * 2
    changed = big[:-1] + b"!"
    CloudFiles(f"{dest}" if kind == "mem" else f"file://{dest}").put("big", changed)
    assert [d.key for d in verify(src, dest, md5=True).different] == ["big"]


def test_a_big_encoded_file_is_read_whole(monkeypatch, tmp_path):
    monkeypatch.setattr(digests, "CHUNK", 100)
    packed = gzip.compress(bytes(range(256)) * 20, mtime=0)
    assert len(packed) > 100
    write_files(tmp_path / "a", {"x.gz": packed})
    write_files(tmp_path / "b", {"x.gz": packed})
    assert verify(str(tmp_path / "a"), str(tmp_path / "b"), md5=True).equal
    flipped = packed[:50] + bytes([packed[50] ^ 1]) + packed[51:]
    write_files(tmp_path / "b", {"x.gz": flipped})
    assert not verify(str(tmp_path / "a"), str(tmp_path / "b"), md5=True).equal


def test_listings_too_far_out_of_order_are_sorted_whole(tmp_path, mem):
    """mem:// lists 'a-0'.. before 'a/x'; with a window of 2 the comparison starts over
    sorting both listings in memory, and finds the same."""
    files = {f"a-{i}": b"v" for i in range(6)} | {"a/x": b"x", "b": b"b"}
    src, dest = (tree("mem", tmp_path, mem, name, files) for name in ("s", "d"))
    ours, theirs = (Side(CloudFiles(path)._store) for path in (src, dest))
    small = compare(ours, theirs, CompareOptions(compute=True, window=2))
    assert small.equal and small.matching == len(files)


def test_a_file_that_cannot_be_read_is_an_error_not_a_match(monkeypatch, run, mem):
    src, dest = f"{mem}/s", f"{mem}/d"
    for path in (src, dest):
        CloudFiles(path).puts([("ok", b"1"), ("bad", b"2")])
    storage = type(CloudFiles(src)._store.storage)
    real_get = storage.get

    def failing(self, key, byte_range=None):
        if key.endswith("bad"):
            raise PermissionError("denied")
        return real_get(self, key, byte_range)

    monkeypatch.setattr(storage, "get", failing)
    comparison = verify(src, dest, md5=True)
    assert [key for key, _ in comparison.errors] == ["bad"]
    assert comparison.matching == 1 and not comparison.equal
    out = run("verify", "--md5", src, dest, code=1).stdout
    assert "errors (1):\n  bad: denied\n" in out

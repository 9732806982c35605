"""verify and sync against S3 (a moto server): ETags, multipart ETags, and syncs that copy
nothing the second time.

S3 states an md5 ETag for objects uploaded whole and "<md5 of part md5s>-<parts>" for
multipart uploads; local files are compared to them by computing from their bytes.
"""
from __future__ import annotations

import os

import pytest

from cloudfiles import CloudFiles
from cloudfiles.domain.checksum_rules import parse_multipart_etag
from cloudfiles.entrypoints.comparing import compare_pair, pair_of, sync, sync_pair, verify
from tests.local_files import disk_files, write_files

pytest_plugins = ["tests.unit.cli_fixtures"]  # the `run` fixture

MiB = 1024 * 1024
FILES = {"a.txt": b"alpha", "a/b": b"in a", "a/c/d.bin": bytes(range(256)) * 3, "z": b"zed"}


@pytest.fixture
def opened(spied):
    """An opener for pair_of whose CloudFiles record their S3 requests in `opened.requests`."""
    class Opener:
        def __init__(self):
            self.requests = []

        def __call__(self, cloudpath: str) -> CloudFiles:
            if not cloudpath.startswith("s3://"):
                return CloudFiles(cloudpath)
            cf, transport = spied(cloudpath)
            transport.requests = self.requests  # one list for every CloudFiles
            return cf

    return Opener()


def test_local_tree_to_s3_syncs_once_then_only_lists_and_heads(moto_s3, tmp_path, opened, run):
    write_files(tmp_path / "src", FILES)
    dest = moto_s3.path()
    report = sync(str(tmp_path / "src"), dest)
    assert report.copied == len(FILES)
    assert CloudFiles(dest).get(list(FILES), return_dict=True) == FILES

    pair = pair_of(str(tmp_path / "src"), dest, opened)
    opened.requests.clear()  # finding out that dest is a directory took a listing
    again = sync_pair(pair)
    assert (again.copied, again.unchanged) == (0, len(FILES))
    methods = {request.method for request in opened.requests}
    assert methods == {"GET", "HEAD"}  # one listing GET; no object read, nothing written
    assert sum(r.method == "GET" for r in opened.requests) == 1

    # the ETags are md5s: verify reads only the local side, and only with --md5
    assert len(verify(str(tmp_path / "src"), dest).unchecked) == len(FILES)
    assert run("verify", "--md5", str(tmp_path / "src"), dest).stdout == \
        f"success. {len(FILES)} file(s) matching.\n"
    write_files(tmp_path / "src", {"a/b": b"IN A"})
    assert "  a/b  (checksum)" in run("verify", "--md5", str(tmp_path / "src"), dest,
                                      code=1).stdout


def test_s3_trees_compare_by_etag_without_reading(moto_s3, opened):
    src, dest = moto_s3.path(), moto_s3.path()
    CloudFiles(src).puts(list(FILES.items()))
    CloudFiles(dest).puts(list({**FILES, "a/b": b"IN A"}.items()))
    pair = pair_of(src, dest, opened)
    opened.requests.clear()
    comparison = compare_pair(pair)
    assert [(d.key, d.reason) for d in comparison.different] == [("a/b", "checksum")]
    assert comparison.matching == len(FILES) - 1
    assert {request.method for request in opened.requests} == {"GET", "HEAD"}
    assert sum(r.method == "GET" for r in opened.requests) == 2  # the two listings


def test_s3_to_local_sync_with_delete(moto_s3, tmp_path, run):
    src = moto_s3.path()
    CloudFiles(src).puts(list(FILES.items()))
    write_files(tmp_path / "dest", {"a/b": b"IN A", "old": b"o"})
    out = run("sync", "--delete", src, str(tmp_path / "dest")).stdout
    assert out == "sync: copied 4, deleted 1, 0 unchanged.\n"  # a/b differs
    assert disk_files(tmp_path / "dest") == FILES
    assert run("sync", src, str(tmp_path / "dest")).stdout == \
        f"sync: copied 0, deleted 0, {len(FILES)} unchanged.\n"
    CloudFiles(src).delete("z")
    run("sync", "--delete", str(tmp_path / "dest"), src)  # and back, to S3
    assert sorted(CloudFiles(src).list()) == sorted(FILES)


def test_multipart_etags_are_recomputed_with_their_part_size(moto_s3, tmp_path, run, opened):
    """Objects uploaded in 6 MiB parts: the part size of 11.5 MiB in 2 parts is found from
    size/parts; that of 13 MiB in 3 parts only from --part-size, else the S3 object is read
    for its md5."""
    found = os.urandom(11 * MiB + MiB // 2)
    hinted = os.urandom(13 * MiB)
    s3 = moto_s3.path()
    CloudFiles(s3, multipart_threshold=5 * MiB, multipart_part_size=6 * MiB).puts(
        [("found", found), ("hinted", hinted), ("small", b"s")])
    heads = CloudFiles(s3).head(["found", "hinted"])
    assert parse_multipart_etag(heads["found"]["ETag"])[1] == 2
    assert parse_multipart_etag(heads["hinted"]["ETag"])[1] == 3
    write_files(tmp_path / "local", {"found": found, "hinted": hinted, "small": b"s"})
    local = str(tmp_path / "local")

    def objects_read(**options) -> set[str]:
        pair = pair_of(s3, local, opened)
        opened.requests.clear()
        assert compare_pair(pair, md5=True, **options).equal
        return {r.url.rsplit("/", 1)[1] for r in opened.requests
                if r.method == "GET" and "list-type" not in r.url}

    assert objects_read() == {"hinted"}  # 6 MiB is no common size: its md5 was needed
    assert objects_read(part_size=6 * MiB) == set()
    assert run("verify", "--md5", "--part-size", str(6 * MiB), s3, local).stdout == \
        "success. 3 file(s) matching.\n"

    flipped = bytearray(found)
    flipped[7 * MiB] ^= 1  # in the second part
    write_files(tmp_path / "local", {"found": bytes(flipped)})
    out = run("verify", "--md5", "-v", s3, local, code=1).stdout
    assert "  found  (checksum)" in out and f"etag:{heads['found']['ETag']}" in out

    # another S3 copy uploaded whole: its md5 against the multipart ETag needs the bytes
    whole = moto_s3.path()
    CloudFiles(whole).puts([("found", found), ("small", b"s")])
    assert verify(f"{s3}/found", f"{whole}/found").unchecked == ("found",)
    assert verify(f"{s3}/found", f"{whole}/found", md5=True).equal


def test_sync_to_a_multipart_copy_copies_nothing_the_second_time(moto_s3, tmp_path):
    big = os.urandom(11 * MiB + 3)
    write_files(tmp_path / "src", {"big": big, "small": b"s"})
    dest = CloudFiles(moto_s3.path(), multipart_threshold=5 * MiB,
                      multipart_part_size=8 * MiB)
    assert sync(str(tmp_path / "src"), dest).copied == 2
    assert parse_multipart_etag(dest.head("big")["ETag"])[1] == 2
    again = sync(str(tmp_path / "src"), dest)
    assert (again.copied, again.unchanged) == (0, 2)

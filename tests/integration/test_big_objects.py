"""Big objects in bounded memory: uploads from local files in parts (S3 multipart on moto,
GCS resumable on the emulator, file:// through a temp file) and downloads into local files as
parallel ranged GETs (http, s3 and gs adapters against a loopback server that honours ranges
and corrupts or drops parts on demand). Thresholds are lowered so a few MiB stream."""
from __future__ import annotations

import gzip
import os
import random

import pytest

from cloudfiles import CloudFiles
from cloudfiles.adapters.local.file import TEMP_MARK
from cloudfiles.app.big_objects import StreamPlan
from cloudfiles.app.transfer import TransferOptions, transfer
from cloudfiles.domain.errors import MD5IntegrityError

from .fault_server import FaultServer, serve

MiB = 1024 * 1024
PLAN = StreamPlan(threshold=1 * MiB, part=256 * 1024)
BIG = random.Random(7).randbytes(3 * MiB + 12345)  # 13 parts, the last one short
SMALL = b"small file"


def copy(source: CloudFiles, dest: CloudFiles, items: list, **options) -> list[dict]:
    """transfer() with the lowered stream plan; the per-file results."""
    opts = TransferOptions(stream_plan=PLAN, **options)
    return list(transfer(source._store, dest._store, items, opts, progress=False))


def no_temp_files(directory) -> bool:
    return not [name for name in os.listdir(directory) if TEMP_MARK in name]


@pytest.fixture
def never_whole(monkeypatch):
    """Fail any attempt to read a big object whole: streaming must not need it."""
    from cloudfiles.adapters.local.file import FileStorage
    from cloudfiles.domain.op_storage import OpStorage

    for cls in (FileStorage, OpStorage):
        original = cls.get

        def guarded(self, key, byte_range=None, _original=original):
            raise AssertionError(f"read whole: {key}")
        monkeypatch.setattr(cls, "get", guarded)
    original_op = OpStorage.get_op

    def guarded_op(self, key, byte_range=None):
        if byte_range is None and key.startswith("big"):
            raise AssertionError(f"GET of the whole of {key} into memory")
        return original_op(self, key, byte_range)
    monkeypatch.setattr(OpStorage, "get_op", guarded_op)


# -- uploads and local copies ------------------------------------------------------------------
def test_a_big_local_file_is_copied_in_chunks_and_small_ones_as_usual(tmp_path, never_whole):
    source = CloudFiles(f"file://{tmp_path}/src")
    source.put("big.bin", BIG, compress="gzip")  # stored as big.bin.gz: the suffix follows
    source.put("big.raw", BIG)
    (tmp_path / "src" / "small.txt").write_bytes(SMALL)
    dest = CloudFiles(f"file://{tmp_path}/dest")
    results = copy(source, dest, ["big.bin", "big.raw", "small.txt"])
    assert [r["error"] for r in results] == [None, None, None]
    assert sorted(os.listdir(tmp_path / "dest")) == ["big.bin.gz", "big.raw", "small.txt"]
    assert (tmp_path / "dest" / "big.raw").read_bytes() == BIG
    assert gzip.decompress((tmp_path / "dest" / "big.bin.gz").read_bytes()) == BIG
    assert no_temp_files(tmp_path / "dest")


def test_put_of_an_open_file_streams_it_to_file_storage(tmp_path):
    path = tmp_path / "big.bin"
    path.write_bytes(BIG)
    dest = CloudFiles(f"file://{tmp_path}/dest")
    with open(path, "rb") as handle:
        dest.put("copy.bin", handle)
    assert (tmp_path / "dest" / "copy.bin").read_bytes() == BIG


def test_a_big_local_file_goes_to_s3_as_a_multipart_upload(tmp_path, moto_s3):
    (tmp_path / "big.bin").write_bytes(BIG * 4)  # 12+ MiB: 3 parts of 5 MiB
    source = CloudFiles(f"file://{tmp_path}")
    dest = CloudFiles(moto_s3.path(), multipart_threshold=5 * MiB, multipart_part_size=5 * MiB)
    results = copy(source, dest, ["big.bin"])
    assert results[0]["error"] is None and results[0]["bytes"] == len(BIG) * 4
    bucket, root = moto_s3.location(dest.cloudpath)
    head = moto_s3.boto().head_object(Bucket=bucket, Key=root + "big.bin")
    assert head["ETag"].strip('"').endswith("-3")  # uploaded in parts
    assert dest.get("big.bin") == BIG * 4


def test_put_of_an_open_file_streams_it_to_s3(tmp_path, moto_s3):
    (tmp_path / "big.bin").write_bytes(BIG * 4)
    dest = CloudFiles(moto_s3.path(), multipart_threshold=5 * MiB, multipart_part_size=5 * MiB)
    with open(tmp_path / "big.bin", "rb") as handle:
        dest.put("big.bin", handle)
    assert dest.get("big.bin") == BIG * 4


def test_a_big_local_file_goes_to_gcs_as_a_resumable_upload(tmp_path, gcs_emulator, gcs_env):
    (tmp_path / "big.bin").write_bytes(BIG)
    source = CloudFiles(f"file://{tmp_path}")
    dest = CloudFiles(gcs_emulator.path(gcs_emulator.create_bucket("bigobjects"), "up"),
                      resumable_threshold=MiB, resumable_chunk_size=MiB)
    results = copy(source, dest, ["big.bin"])
    assert results[0]["error"] is None
    assert dest.get("big.bin") == BIG


# -- downloads as parallel ranged GETs -----------------------------------------------------------
@pytest.fixture(scope="module")
def module_server():
    files = {"data/big.bin": BIG, "data/small.bin": SMALL, "data/other.bin": BIG[::-1]}
    with serve(FaultServer(files=files)) as state:
        yield state


@pytest.fixture
def server(module_server):
    module_server.clear()
    module_server.honor_range = True
    module_server.checksums = True
    yield module_server
    module_server.clear()


@pytest.fixture(params=["http", "s3", "gs"])
def remote(request, server, no_backoff):
    """A CloudFiles on bucket 'data' of the loopback server, through each adapter."""
    if request.param == "s3":
        request.getfixturevalue("no_aws_credentials")
    elif request.param == "gs":
        request.getfixturevalue("gcs_env")
    if request.param == "http":
        return CloudFiles(f"{server.url}/data")
    return CloudFiles(f"{request.param}://{server.url}/data")


def test_a_big_object_downloads_as_parallel_ranged_gets(tmp_path, server, remote, never_whole):
    dest = CloudFiles(f"file://{tmp_path}")
    results = copy(remote, dest, [{"path": "big.bin", "size": len(BIG)},
                                  {"path": "small.bin", "size": len(SMALL)}])
    assert [r["error"] for r in results] == [None, None]
    assert (tmp_path / "big.bin").read_bytes() == BIG
    assert (tmp_path / "small.bin").read_bytes() == SMALL
    ranged = [r for r in server.requests if r[0] == "GET" and "Range" in r[2]]
    assert len(ranged) == 13  # every 256 KiB part of big.bin, nothing read whole
    assert no_temp_files(tmp_path)


def test_a_server_ignoring_ranges_still_gives_the_whole_file(tmp_path, server, remote):
    server.honor_range = False
    dest = CloudFiles(f"file://{tmp_path}")
    results = copy(remote, dest, [{"path": "big.bin", "size": len(BIG)}])
    assert results[0]["error"] is None
    assert (tmp_path / "big.bin").read_bytes() == BIG


def test_a_dropped_part_is_sent_again(tmp_path, server, remote):
    server.fault("data/big.bin", "drop", times=2)
    dest = CloudFiles(f"file://{tmp_path}")
    assert copy(remote, dest, [{"path": "big.bin", "size": len(BIG)}])[0]["error"] is None
    assert (tmp_path / "big.bin").read_bytes() == BIG


def test_a_corrupted_part_downloads_the_object_again(tmp_path, server, remote):
    server.fault("data/big.bin", "flip", times=1)
    dest = CloudFiles(f"file://{tmp_path}")
    assert copy(remote, dest, [{"path": "big.bin", "size": len(BIG)}])[0]["error"] is None
    assert (tmp_path / "big.bin").read_bytes() == BIG


@pytest.mark.parametrize("remote", ["s3", "gs"], indirect=True)  # http states no checksum
def test_corruption_that_persists_fails_the_file_and_leaves_nothing(tmp_path, server, remote):
    server.fault("data/big.bin", "flip")
    dest = CloudFiles(f"file://{tmp_path}")
    result = copy(remote, dest, [{"path": "big.bin", "size": len(BIG)}])[0]
    assert isinstance(result["error"], MD5IntegrityError)
    assert not [name for name in os.listdir(tmp_path) if "big" in name]


@pytest.mark.parametrize("remote", ["http"], indirect=True)  # s3/gs: no bucket API here
def test_a_missing_big_object_is_reported_missing(tmp_path, server, remote):
    dest = CloudFiles(f"file://{tmp_path}")
    result = copy(remote, dest, [{"path": "gone.bin", "size": len(BIG)}])[0]
    assert isinstance(result["error"], FileNotFoundError)
    assert os.listdir(tmp_path) == []


def test_cloudfile_save_writes_the_object_into_its_file_as_it_arrives(tmp_path, server, remote):
    from cloudfiles import CloudFile

    CloudFile(f"{remote.cloudpath}/big.bin").save(str(tmp_path / "saved.bin"))
    assert (tmp_path / "saved.bin").read_bytes() == BIG
    gets = [r for r in server.requests if r[0] == "GET" and r[1] == "data/big.bin"]
    # one GET, its body written into the file (3 MiB < one part); gs heads by GET too
    assert len(gets) == (2 if remote.protocol == "gs" else 1)


def test_cli_cp_of_one_file_streams_it_into_the_local_file(tmp_path, server):
    from click.testing import CliRunner

    from cloudfiles.entrypoints.cli import main

    result = CliRunner().invoke(main, ["cp", f"{server.url}/data/big.bin", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "big.bin").read_bytes() == BIG
    assert any(r[0] == "HEAD" for r in server.requests)  # sized first: a big one streams


def test_a_big_s3_object_on_moto_downloads_in_ranges_into_its_file(tmp_path, moto_s3):
    source = CloudFiles(moto_s3.path())
    source.put("big.bin", BIG)
    dest = CloudFiles(f"file://{tmp_path}")
    sized = list(source.list(size=True))
    assert sized == [("big.bin", len(BIG))]
    results = copy(source, dest, [{"path": key, "size": size} for key, size in sized])
    assert results[0]["error"] is None and results[0]["bytes"] == len(BIG)
    assert (tmp_path / "big.bin").read_bytes() == BIG


def test_a_big_local_file_into_mem_is_stored_whole(tmp_path):
    (tmp_path / "big.bin").write_bytes(BIG)
    dest = CloudFiles(f"mem://big-objects/{tmp_path.name}")
    results = copy(CloudFiles(f"file://{tmp_path}"), dest, ["big.bin"])
    assert results[0]["error"] is None
    assert dest.get("big.bin") == BIG

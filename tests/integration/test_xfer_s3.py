"""Resumable transfer jobs to and from S3 (a moto server on loopback)."""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

from click.testing import CliRunner

from cloudfiles.entrypoints.cli import main
from cloudfiles.entrypoints.cloudfiles import CloudFiles
from cloudfiles.entrypoints.resumable import ResumableTransfer
from tests.local_files import disk_files, write_files

FILES = {f"p{i % 4}/obj{i:03d}": os.urandom(i * 13 % 700) for i in range(60)}


def test_s3_to_file_lists_sizes_and_copies_block_by_block(moto_s3, tmp_path):
    src = moto_s3.path()
    CloudFiles(src).puts(FILES.items(), compress=None)
    job = ResumableTransfer(str(tmp_path / "job.db"))
    assert job.init(src, str(tmp_path / "dest")) == 60
    assert job.status().pending.bytes == sum(map(len, FILES.values()))
    assert job.execute(block_size=7) == 60
    assert disk_files(tmp_path / "dest") == FILES
    assert job.status().finished


def test_file_to_s3_reencoded_on_a_process_pool(moto_s3, tmp_path):
    write_files(tmp_path / "src", FILES)
    dest = moto_s3.path()
    job = ResumableTransfer(str(tmp_path / "job.db"))
    job.init(str(tmp_path / "src"), dest, reencode="gzip")
    with ProcessPoolExecutor(2) as pool:
        assert job.execute(block_size=16, executor=pool) == 60
    cf = CloudFiles(dest)
    assert {r["path"]: r["content"] for r in cf.get(list(FILES))} == FILES
    assert cf.head("p1/obj001")["Content-Encoding"] == "gzip"


def test_cli_job_from_s3_with_a_key_list_and_a_missing_key(moto_s3, tmp_path):
    src = moto_s3.path()
    CloudFiles(src).puts(FILES.items())
    listing = tmp_path / "keys.txt"
    listing.write_text("p0/obj000\np1/obj001\np2/gone\n")
    db = str(tmp_path / "job.db")
    runner = CliRunner()
    result = runner.invoke(main, ["xfer", "init", src, f"{src}-copy", "--db", db,
                                  "--txt", str(listing)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["xfer", "execute", db, "--lease-msec", "60000"])
    assert result.exit_code == 1 and f"{src}/p2/gone: no such file" in result.stderr
    copy = CloudFiles(f"{src}-copy")
    assert sorted(copy.list()) == ["p0/obj000", "p1/obj001"]
    assert copy.get("p1/obj001") == FILES["p1/obj001"]
    status = ResumableTransfer(db).status()
    assert (status.done.files, status.leased.files, status.pending.files) == (2, 0, 1)

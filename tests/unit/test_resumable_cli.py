"""`cloudfiles xfer init|execute|status` in this process (click's runner) on mem:// and file://."""
from __future__ import annotations

import errno

from cloudfiles.adapters.local.file import FileStorage
from cloudfiles.entrypoints.cloudfiles import CloudFiles
from cloudfiles.entrypoints.resumable import ResumableTransfer
from tests.local_files import disk_files, write_files

pytest_plugins = ["tests.unit.cli_fixtures"]

FILES = {f"dir{i % 2}/file{i}.txt": f"content {i}\n".encode() * i for i in range(1, 41)}


def test_init_execute_status_copy_a_tree_and_report_it(run, tmp_path):
    write_files(tmp_path / "src", FILES)
    db = str(tmp_path / "job.db")
    out = run("xfer", "init", str(tmp_path / "src"), str(tmp_path / "dest"), "--db", db).stdout
    assert "40 file(s) to copy" in out
    status = run("xfer", "status", db).stdout
    assert f"source   file://{tmp_path}/src" in status and "encoding same" in status
    assert "pending            40 files 100.0%" in status
    run("xfer", "execute", db, "-b", "7")
    assert disk_files(tmp_path / "dest") == FILES
    status = run("xfer", "status", db).stdout
    assert "done               40 files 100.0%" in status
    assert "pending             0 files   0.0%" in status


def test_a_key_list_and_a_compression(run, tmp_path, mem):
    CloudFiles(mem).puts(FILES.items())
    listing = tmp_path / "keys.txt"
    listing.write_text("dir1/file1.txt\n\ndir0/file2.txt\r\n")
    db = str(tmp_path / "job.db")
    run("xfer", "init", mem, str(tmp_path / "dest"), "--db", db, "--txt", str(listing),
        "-c", "gzip")
    assert "(2 file(s) of unknown size" in run("xfer", "status", db).stdout
    run("xfer", "execute", db)
    assert set(disk_files(tmp_path / "dest")) == {"dir1/file1.txt.gz", "dir0/file2.txt.gz"}
    assert CloudFiles(f"file://{tmp_path}/dest").get("dir0/file2.txt") == FILES["dir0/file2.txt"]


def test_failed_files_are_named_stay_pending_and_exit_non_zero(run, tmp_path, mem):
    CloudFiles(mem).puts(FILES.items())
    listing = tmp_path / "keys.txt"
    listing.write_text("dir1/file1.txt\nmissing.txt\n")
    db = str(tmp_path / "job.db")
    run("xfer", "init", mem, f"{mem}-copy", "--db", db, "--txt", str(listing))
    result = run("xfer", "execute", db, code=1)
    assert f"xfer execute: {mem}/missing.txt: no such file" in result.stderr
    assert "failed files stay pending" in result.stderr
    assert "1 of 2 file(s) failed" in result.stderr
    assert ResumableTransfer(db).status().pending.files == 1


def test_bad_input_gets_one_clear_line(run, tmp_path, mem):
    db = str(tmp_path / "job.db")
    result = run("xfer", "init", str(tmp_path / "nowhere"), mem, "--db", db, code=1)
    assert result.stderr.strip() == (f"cloudfiles: xfer init: Source file://{tmp_path}/nowhere"
                                     " does not exist.")
    result = run("xfer", "init", mem, f"{mem}-2", "--db", db, code=1)
    assert f"Source {mem} holds no files" in result.stderr
    result = run("xfer", "execute", db, code=1)
    assert "No journal at" in result.stderr
    (tmp_path / "junk.db").write_bytes(b"\x00garbage" * 1000)
    for command in ("execute", "status"):
        result = run("xfer", command, str(tmp_path / "junk.db"), code=1)
        assert "is corrupt or not an sqlite file" in result.stderr
    result = run("xfer", "init", mem, mem, "--db", str(tmp_path / "junk.db"), code=1)
    assert "left as it is" in result.stderr
    assert (tmp_path / "junk.db").read_bytes() == b"\x00garbage" * 1000
    result = run("xfer", "execute", db, "--lease-msec", "-5", code=2)
    assert "--lease-msec" in result.stderr


def test_disk_full_exits_non_zero_and_the_next_execute_finishes(run, tmp_path, mem,
                                                                monkeypatch):
    CloudFiles(mem).puts(FILES.items())
    db = str(tmp_path / "job.db")
    run("xfer", "init", mem, str(tmp_path / "dest"), "--db", db)
    real_put = FileStorage.put
    puts = iter(range(1000))

    def put(self, key, content, options):
        if next(puts) >= 12:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_put(self, key, content, options)

    monkeypatch.setattr(FileStorage, "put", put)
    result = run("xfer", "execute", db, "-b", "5", code=1)
    assert "out of space" in result.stderr and "28 key(s) stay pending" in result.stderr
    monkeypatch.undo()
    run("xfer", "execute", db)
    assert disk_files(tmp_path / "dest") == FILES


def test_parallel_runs_blocks_in_processes(run, tmp_path):
    write_files(tmp_path / "src", FILES)
    db = str(tmp_path / "job.db")
    run("xfer", "init", str(tmp_path / "src"), str(tmp_path / "dest"), "--db", db)
    run("-p", "2", "xfer", "execute", db, "-b", "6")
    assert disk_files(tmp_path / "dest") == FILES
    assert ResumableTransfer(db).status().finished


def test_execute_prints_the_summary_and_draws_the_plot(run, tmp_path):
    write_files(tmp_path / "src", FILES)
    db = str(tmp_path / "job.db")
    run("xfer", "init", str(tmp_path / "src"), str(tmp_path / "dest"), "--db", db)
    plot = tmp_path / "xfer.png"
    result = run("xfer", "execute", db, "-b", "9", "--summary", "--plot", str(plot))
    assert result.stderr.startswith(f"cloudfiles: xfer execute: {len(FILES)} files, ")
    assert result.stderr.rstrip().endswith(" 0 errors")
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert disk_files(tmp_path / "dest") == FILES

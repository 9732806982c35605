"""`cloudfiles xfer execute` as real processes: killed with SIGKILL and run again, several at
once on one journal, and a lease left by a killed executor going back to the pool.

The console script runs unchanged; a sitecustomize on PYTHONPATH slows each file://
rename (the moment a copied file appears) when asked, so that a kill lands mid-job, and logs
which process wrote which file.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from cloudfiles.adapters.local.file import TEMP_MARK
from cloudfiles.entrypoints.cloudfiles import CloudFiles
from cloudfiles.entrypoints.resumable import ResumableTransfer
from tests.local_files import disk_files, write_files

SCRIPT = os.path.join(os.path.dirname(sys.executable), "cloudfiles")
CLI = [SCRIPT] if os.path.exists(SCRIPT) else [sys.executable, "-m", "cloudfiles"]

HOOK = '''
import os, time
_delay = float(os.environ.get("XFER_TEST_RENAME_DELAY", "0"))
_log = os.environ.get("XFER_TEST_RENAME_LOG")
_replace = os.replace
def _slow_replace(src, dst, *args, **kwargs):
    time.sleep(_delay)
    _replace(src, dst, *args, **kwargs)
    if _log:
        with open(_log, "a") as log:
            log.write(f"{os.getpid()} {dst}\\n")
if _delay or _log:
    os.replace = _slow_replace
'''


def tree(count: int) -> dict[str, bytes]:
    return {f"d{i % 7}/s{i % 3}/f{i:04d}.bin": os.urandom(i * 37 % 3000) for i in range(count)}


@pytest.fixture
def job(tmp_path):
    """(db, src dir, dest dir, files, env): a listed job and the environment of its runs."""
    files = tree(300)
    write_files(tmp_path / "src", files)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(HOOK)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(hooks), *filter(None, [os.environ.get("PYTHONPATH")])])}
    db = str(tmp_path / "job.db")
    ResumableTransfer(db).init(str(tmp_path / "src"), str(tmp_path / "dest"))
    return db, tmp_path / "src", tmp_path / "dest", files, env


def start(db: str, env: dict, *options: str, delay: float = 0.0,
          log=None) -> subprocess.Popen:
    env = {**env, "XFER_TEST_RENAME_DELAY": str(delay),
           "XFER_TEST_RENAME_LOG": str(log or "")}
    return subprocess.Popen([*CLI, "xfer", "execute", db, *options], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen, code: int = 0) -> str:
    _, err = process.communicate(timeout=60)
    assert process.returncode == code, err
    assert "Traceback" not in err, err
    return err


def done_count(db: str) -> int:
    with ResumableTransfer(db) as job:
        return job.status().done.files


def kill_when_done(process: subprocess.Popen, db: str, at_least: int) -> int:
    """SIGKILL the process once `at_least` keys are done; returns how many were then."""
    deadline = time.monotonic() + 30
    while (count := done_count(db)) < at_least:
        assert process.poll() is None, "finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return count


def assert_exact_copy(src, dest, files) -> None:
    """Every file there and whole; the only extras are temp files of killed writes."""
    on_disk = disk_files(dest)
    debris = {name for name in on_disk if TEMP_MARK in name}
    assert {k: v for k, v in on_disk.items() if k not in debris} == files
    assert set(CloudFiles(f"file://{dest}").list()) == set(files)


def test_sigkill_at_any_moment_then_running_again_ends_in_an_exact_copy(job):
    db, src, dest, files, env = job
    counts = []
    for at_least in (40, 150):
        process = start(db, env, "-b", "6", delay=0.002)
        counts.append(kill_when_done(process, db, at_least))
    assert 40 <= counts[0] < counts[1] < 300
    finish(start(db, env, "-b", "6"))
    assert ResumableTransfer(db).status().finished
    assert_exact_copy(src, dest, files)


def test_two_executors_with_leases_share_one_job(job, tmp_path):
    db, src, dest, files, env = job
    log = tmp_path / "renames.log"
    runs = [start(db, env, "--lease-msec", "20000", "-b", "5", delay=0.003, log=log)
            for _ in range(2)]
    for process in runs:
        finish(process)
    writers: dict[str, set[str]] = {}
    for line in log.read_text().splitlines():
        pid, path = line.split(" ", 1)
        writers.setdefault(pid, set()).add(path)
    assert len(writers) == 2  # both did work
    assert {os.path.relpath(p, dest) for paths in writers.values() for p in paths} == set(files)
    status = ResumableTransfer(db).status()
    assert status.finished and status.done.files == 300
    assert_exact_copy(src, dest, files)


def test_a_killed_executors_lease_returns_to_the_pool_when_it_ends(job, tmp_path):
    db, src, dest, files, env = job
    log = tmp_path / "renames.log"
    killed = start(db, env, "--lease-msec", "3000", "-b", "50", delay=0.01, log=log)
    deadline = time.monotonic() + 30
    while not (log.exists() and log.read_text().count("\n") >= 3):
        assert killed.poll() is None and time.monotonic() < deadline
        time.sleep(0.002)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    killed_at = time.monotonic()
    other = ResumableTransfer(db, lease_msec=3000)  # another executor, at once
    report = other.run(block_size=50)
    assert time.monotonic() - killed_at < 2.5, "too slow to see the lease still held"
    assert (report.copied, report.status.leased.files) == (250, 50)
    time.sleep(max(0.0, killed_at + 3.05 - time.monotonic()))
    assert other.execute(block_size=50) == 50  # the lease ended: back in the pool
    assert other.status().finished
    assert_exact_copy(src, dest, files)


def test_file_writes_are_atomic_a_write_killed_midway_leaves_no_torn_file(tmp_path):
    """What the resumable jobs rely on: a file:// put is a temp file renamed into place, so
    a process killed while writing leaves the old state (plus a temp file listings skip)."""
    code = f'''
import os, signal
from cloudfiles import CloudFiles
cf = CloudFiles("file://{tmp_path}/dest")
cf.put("before", b"whole")
real_write = os.write
def dying_write(fd, data):
    real_write(fd, bytes(data)[: len(data) // 2])
    os.kill(os.getpid(), signal.SIGKILL)
os.write = dying_write
cf.put("torn", b"x" * 100000)
'''
    process = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True,
                             timeout=60)
    assert process.returncode == -signal.SIGKILL, process.stderr
    on_disk = disk_files(tmp_path / "dest")
    assert on_disk.pop("before") == b"whole"
    assert len(on_disk) == 1 and TEMP_MARK in next(iter(on_disk))  # half written, unnamed
    assert len(next(iter(on_disk.values()))) == 50000
    cf = CloudFiles(f"file://{tmp_path}/dest")
    assert list(cf.list()) == ["before"] and cf.get("torn") is None

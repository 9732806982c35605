"""ResumableTransfer: init a job into a journal, execute it (again after failures), status;
on mem:// and file://, in this process or through an Executor."""
from __future__ import annotations

import errno
import os
import pickle
import uuid
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor

import pytest

from cloudfiles.adapters.local.file import FileStorage
from cloudfiles.domain.errors import BatchError, StorageError, UnsupportedOperationError
from cloudfiles.domain.journal import EmptySourceError, JobStoppedError, JournalError
from cloudfiles.entrypoints.cloudfiles import CloudFiles
from cloudfiles.entrypoints.resumable import ResumableTransfer
from tests.local_files import disk_files, write_files


def tree(count: int) -> dict[str, bytes]:
    """count files over a few directories, of different sizes (one empty)."""
    return {f"d{i % 3}/f{i:04d}": os.urandom(i % 50) for i in range(count)}


def mem_path() -> str:
    return f"mem://resumable/{uuid.uuid4().hex[:10]}"


def stored(cloudpath: str) -> dict[str, bytes]:
    """{key: stored bytes} of every file under a cloud path."""
    cf = CloudFiles(cloudpath)
    keys = list(cf.list())
    return {r["path"]: r["content"] for r in cf.get(keys, raw=True)}


@pytest.fixture
def db(tmp_path) -> str:
    return str(tmp_path / "job.db")


def test_a_job_on_mem_copies_everything_once_and_a_second_run_copies_nothing(db):
    files = tree(120)
    src, dest = mem_path(), mem_path()
    CloudFiles(src).puts(files.items())
    with ResumableTransfer(db) as job:
        assert job.init(src, dest) == 120
        assert len(job) == 120
        assert job.execute(block_size=16) == 120
        status = job.status()
        assert status.done.files == 120 and status.unknown_sizes == 120  # mem lists no sizes
        assert status.finished and len(job) == 0
        assert job.execute() == 0
    assert stored(dest) == files


def test_the_journal_records_the_job_and_reencodes_as_asked(tmp_path, db):
    files = tree(30)
    write_files(tmp_path / "src", files)
    with ResumableTransfer(db) as job:
        job.init(str(tmp_path / "src") + "/", str(tmp_path / "dest"), reencode="gzip")
        spec = job.status().spec
        assert (spec.source, spec.dest, spec.encoding) == (
            f"file://{tmp_path}/src", f"file://{tmp_path}/dest", "gzip")
    with ResumableTransfer(db) as job:  # a new handle executes what the journal says
        job.execute()
    assert set(disk_files(tmp_path / "dest")) == {key + ".gz" for key in files}
    copied = CloudFiles(f"file://{tmp_path}/dest").get(list(files))
    assert {r["path"]: r["content"] for r in copied} == files


def test_given_keys_only_those_are_copied_and_missing_ones_fail_and_stay_pending(db):
    files = tree(10)
    src, dest = mem_path(), mem_path()
    CloudFiles(src).puts(files.items())
    wanted = ["d0/f0000", "d1/f0001", "not/there"]
    with ResumableTransfer(db) as job:
        job.init(src, dest, paths=wanted)
        with pytest.raises(BatchError) as caught:
            job.execute()
        assert list(caught.value.errors) == ["not/there"]
        status = job.status()
        assert (status.done.files, status.pending.files) == (2, 1)
        assert status.unknown_sizes == 3  # a key list gives no sizes
    assert stored(dest) == {key: files[key] for key in wanted[:2]}


def test_a_journal_for_another_source_or_destination_is_refused(db):
    src, dest = mem_path(), mem_path()
    CloudFiles(src).put("a", b"1")
    ResumableTransfer(db).init(src, dest)
    with pytest.raises(JournalError, match=f"holds another job \\({src} -> {dest}"):
        ResumableTransfer(db).init(mem_path(), dest)
    with pytest.raises(JournalError, match="holds another job"):
        ResumableTransfer(db).init(src, mem_path())
    with pytest.raises(JournalError, match="already holds this job"):
        ResumableTransfer(db).init(src, dest)


def test_an_empty_or_missing_source_is_an_error_and_leaves_no_journal(tmp_path, db):
    with pytest.raises(EmptySourceError, match="holds no files"):
        ResumableTransfer(db).init(mem_path(), mem_path())
    with pytest.raises(EmptySourceError, match="does not exist"):
        ResumableTransfer(db).init(str(tmp_path / "nowhere"), mem_path())
    with pytest.raises(EmptySourceError, match="list of keys to transfer is empty"):
        ResumableTransfer(db).init(mem_path(), mem_path(), paths=[])
    assert not os.path.exists(db)
    with pytest.raises(JournalError, match="No journal"):
        ResumableTransfer(db).execute()


def _disk_fills_after(monkeypatch, count: int) -> None:
    """file:// puts fail with ENOSPC (as the adapter reports it) after `count` of them."""
    real_put = FileStorage.put
    puts = iter(range(10**9))

    def put(self, key, content, options):
        if next(puts) >= count:
            raise StorageError(f"file:///{key}: No space left on device",
                               code="ENOSPC") from OSError(errno.ENOSPC, "No space left")
        return real_put(self, key, content, options)

    monkeypatch.setattr(FileStorage, "put", put)


def test_disk_full_stops_the_run_and_the_job_resumes_once_there_is_room(tmp_path, db,
                                                                        monkeypatch):
    files = tree(100)
    src = mem_path()
    CloudFiles(src).puts(files.items())
    dest = f"file://{tmp_path}/dest"
    job = ResumableTransfer(db)
    job.init(src, dest)
    _disk_fills_after(monkeypatch, 25)
    with pytest.raises(JobStoppedError, match="out of space .*25 file\\(s\\) were copied.*"
                                              "75 key\\(s\\) stay pending"):
        job.execute(block_size=10)
    status = job.status()
    assert (status.done.files, status.leased.files, status.pending.files) == (25, 0, 75)
    monkeypatch.undo()
    assert job.execute(block_size=10) == 75
    assert disk_files(tmp_path / "dest") == files


def test_a_run_that_dies_midway_resumes_to_an_exact_copy(tmp_path, db, monkeypatch):
    files = tree(80)
    write_files(tmp_path / "src", files)
    real_put = FileStorage.put
    puts = iter(range(10**9))

    def dying_put(self, key, content, options):
        if next(puts) == 33:
            raise KeyboardInterrupt  # the process is told to stop, mid-block
        return real_put(self, key, content, options)

    monkeypatch.setattr(FileStorage, "put", dying_put)
    job = ResumableTransfer(db)
    job.init(str(tmp_path / "src"), str(tmp_path / "dest"))
    with pytest.raises(KeyboardInterrupt):
        job.execute(block_size=8)
    assert job.status().done.files == 32  # four whole blocks; the fifth is not marked
    job.close()
    monkeypatch.undo()
    assert ResumableTransfer(db).execute(block_size=8) == 48
    assert disk_files(tmp_path / "dest") == files


class Recording(Executor):
    """An Executor that runs tasks on another one, keeping what it was handed."""

    def __init__(self, inner: Executor):
        self.inner = inner
        self.tasks: list[tuple] = []

    def submit(self, fn, /, *args, **kwargs) -> Future:
        self.tasks.append((fn, args, kwargs))
        return self.inner.submit(fn, *args, **kwargs)


def test_blocks_run_on_a_process_pool_as_tasks_of_keys(tmp_path, db):
    files = tree(90)
    write_files(tmp_path / "src", files)
    job = ResumableTransfer(db)
    job.init(str(tmp_path / "src"), str(tmp_path / "dest"), reencode="none")
    with ProcessPoolExecutor(2) as pool:
        executor = Recording(pool)
        assert job.execute(block_size=20, executor=executor) == 90
    assert disk_files(tmp_path / "dest") == files
    assert len(executor.tasks) == 5  # 20 + 20 + 20 + 20 + 10 keys
    for fn, args, kwargs in executor.tasks:
        assert not kwargs and len(args) == 1 and all(isinstance(k, str) for k in args[0])
        assert len(pickle.dumps(fn)) < 2000  # constructor arguments, no file contents
    assert job.status().finished


def test_a_block_whose_task_fails_stays_pending(tmp_path, db):
    files = tree(30)
    src, dest = f"file://{tmp_path}/src", f"file://{tmp_path}/dest"
    write_files(tmp_path / "src", files)

    class FailsSecond(Executor):
        calls = 0

        def submit(self, fn, /, *args, **kwargs) -> Future:
            future: Future = Future()
            FailsSecond.calls += 1
            if FailsSecond.calls == 2:
                future.set_exception(RuntimeError("worker lost"))
            else:
                future.set_result(fn(*args, **kwargs))
            return future

    job = ResumableTransfer(db)
    job.init(src, dest)
    with pytest.raises(BatchError) as caught:
        job.execute(block_size=10, executor=FailsSecond())
    assert len(caught.value.errors) == 10
    assert all("worker lost" in str(e) for e in caught.value.errors.values())
    assert job.status().pending.files == 10
    assert job.execute(block_size=10) == 10
    assert disk_files(tmp_path / "dest") == files


def test_options_are_checked(db):
    with pytest.raises(ValueError, match="lease_msec cannot be negative"):
        ResumableTransfer(db, lease_msec=-1)
    src = mem_path()
    CloudFiles(src).put("a", b"1")
    job = ResumableTransfer(db)
    job.init(src, mem_path())
    with pytest.raises(ValueError, match="block_size must be at least 1"):
        job.execute(block_size=0)
    with pytest.raises(TypeError, match="keys are non-empty str"):
        ResumableTransfer(str(db) + "2").init(src, mem_path(), paths=["a", 3])


def test_a_key_listed_twice_is_copied_and_done_twice_here_and_on_an_executor(tmp_path):
    files = tree(12)
    src = f"file://{tmp_path}/src"
    write_files(tmp_path / "src", files)
    keys = list(files) * 2
    for name, executor in (("here", None), ("pool", ProcessPoolExecutor(2))):
        db = str(tmp_path / f"{name}.db")
        with ResumableTransfer(db) as job:
            job.init(src, f"file://{tmp_path}/{name}", paths=keys)
            assert job.execute(block_size=5, executor=executor) == 24
            assert job.status().finished
        assert disk_files(tmp_path / name) == files
        if executor is not None:
            executor.shutdown()


def test_mem_is_refused_for_an_executor_in_other_processes_but_fine_on_threads(db):
    files = tree(20)
    src, dest = mem_path(), mem_path()
    CloudFiles(src).puts(files.items())
    job = ResumableTransfer(db)
    job.init(src, dest)
    with ProcessPoolExecutor(1) as pool, \
            pytest.raises(UnsupportedOperationError, match="lives in this process only"):
        job.execute(executor=pool)
    with ThreadPoolExecutor(2) as threads:
        assert job.execute(block_size=6, executor=threads) == 20
    assert stored(dest) == files

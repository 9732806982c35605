"""Batches on any concurrent.futures Executor: app.processes.run_chunks, and
CloudFiles.transfer_to / transfer_from / transfer_results(executor=...) on thread and
process pools (Dask clusters: tests/integration/test_dask.py)."""
from __future__ import annotations

import os
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest

from cloudfiles import CloudFiles
from cloudfiles.app.processes import DEFAULT_WORKERS, run_chunks, worker_count
from cloudfiles.app.transfer import MissingSourceError
from cloudfiles.exceptions import BatchError
from cloudfiles.testing import unique_prefix


def _doubled(chunk: list[int]) -> list[int]:
    return [2 * x for x in chunk]


def _pid_of_each(chunk: list[int]) -> list[tuple[int, int]]:
    return [(x, os.getpid()) for x in chunk]


class _Watched:
    """Items 0..n-1, remembering how many were taken so far."""

    def __init__(self, n: int):
        self.n, self.taken = n, 0

    def __iter__(self):
        for x in range(self.n):
            self.taken += 1
            yield x


def test_run_chunks_streams_every_result_while_reading_the_items_lazily():
    items = _Watched(1000)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = run_chunks(pool, _doubled, items, chunk_size=10, queued=3)
        first = next(results)
        assert items.taken <= 2 * 3 * 10  # 3 queued and as many refills, not all 1000
        rest = list(results)
    assert sorted([first, *rest]) == [2 * x for x in range(1000)]


def test_run_chunks_runs_in_other_processes_of_a_process_pool():
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(run_chunks(pool, _pid_of_each, range(40), chunk_size=5))
    assert sorted(x for x, _ in results) == list(range(40))
    assert os.getpid() not in {pid for _, pid in results}


def test_a_task_that_raises_stops_the_batch_and_cancels_what_is_queued():
    started = []
    lock = threading.Lock()

    def task(chunk: list[int]) -> list[int]:
        with lock:
            started.append(chunk[0])
        if chunk[0] == 0:
            raise RuntimeError("worker lost")
        return chunk

    with ThreadPoolExecutor(max_workers=1) as pool, pytest.raises(RuntimeError, match="lost"):
        list(run_chunks(pool, task, range(100), chunk_size=10, queued=2))
    assert len(started) < 10  # the rest were never run


def test_worker_count_reads_pools_and_assumes_a_default_for_others():
    with ThreadPoolExecutor(max_workers=3) as pool:
        assert worker_count(pool) == 3

    class Plain(ThreadPoolExecutor):
        def __init__(self):
            super().__init__(max_workers=1)
            del self._max_workers

    plain = Plain()
    assert worker_count(plain) == DEFAULT_WORKERS
    plain.shutdown()


@pytest.fixture
def tree(tmp_path):
    """A file:// source with 300 files of different sizes (one gzipped), and its contents."""
    source = CloudFiles(f"file://{tmp_path}/src")
    files = {f"d{i % 4}/f{i}": os.urandom(i % 97) * (1 + i % 5) for i in range(300)}
    source.puts(files.items())
    source.puts([("z/packed", b"z" * 5000)], compress="gzip")
    files["z/packed"] = b"z" * 5000
    return source, files


@pytest.mark.parametrize("make_pool", [lambda: ThreadPoolExecutor(max_workers=3),
                                       lambda: ProcessPoolExecutor(max_workers=2)],
                         ids=["threads", "processes"])
def test_transfer_on_an_executor_copies_every_file_byte_exact(tree, tmp_path, make_pool):
    source, files = tree
    dest = CloudFiles(f"file://{tmp_path}/dest")
    with make_pool() as pool:
        assert source.transfer_to(dest, executor=pool) == len(files)
    assert dest.get(list(files), return_dict=True) == files
    assert dest.head("z/packed")["Content-Encoding"] == "gzip"  # stored bytes untouched


def test_per_file_errors_come_back_from_the_executor_as_a_batch_error(tree, tmp_path):
    source, files = tree
    paths = ["d0/f0", {"path": "d1/f1", "dest_path": "renamed"}, "missing/one"]
    with ProcessPoolExecutor(max_workers=2) as pool, pytest.raises(BatchError) as caught:
        CloudFiles(f"file://{tmp_path}/other").transfer_from(source, paths, executor=pool)
    assert list(caught.value.errors) == ["missing/one"]
    assert isinstance(caught.value.errors["missing/one"], MissingSourceError)
    assert CloudFiles(f"file://{tmp_path}/other").get(["d0/f0", "renamed"], return_dict=True) \
        == {"d0/f0": files["d0/f0"], "renamed": files["d1/f1"]}


def test_transfer_results_stream_each_file_with_its_bytes_error_and_finish_time(tree, tmp_path):
    source, files = tree
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(source.transfer_results(f"file://{tmp_path}/dest",
                                               [*files, "missing"], reencode="gzip",
                                               executor=pool))
    by_path = {r["path"]: r for r in results}
    assert set(by_path) == {*files, "missing"}
    assert isinstance(by_path["missing"]["error"], MissingSourceError)
    assert all(by_path[key]["error"] is None and by_path[key]["bytes"] > 0
               for key in files if files[key])
    assert all(isinstance(r["finished"], float) for r in results)
    assert CloudFiles(f"file://{tmp_path}/dest").get("z/packed") == files["z/packed"]


def test_mem_storage_lives_in_this_process_so_its_transfers_run_here(tmp_path):
    mem = CloudFiles(f"mem://{unique_prefix()}")
    mem.puts([("a", b"1"), ("b", b"22")])
    with ProcessPoolExecutor(max_workers=1) as pool:
        assert mem.transfer_to(f"file://{tmp_path}/m", executor=pool) == 2
        assert CloudFiles(f"file://{tmp_path}/m").transfer_to(mem, ["a"], executor=pool) == 1
    assert CloudFiles(f"file://{tmp_path}/m").get(["a", "b"], return_dict=True) == \
        {"a": b"1", "b": b"22"}


def test_an_executor_must_be_an_executor(tmp_path):
    with pytest.raises(TypeError, match="concurrent.futures.Executor"):
        CloudFiles(f"file://{tmp_path}").transfer_to(f"file://{tmp_path}/x", executor=4)

"""The batch scheduler: serial, threads, green threads, bounded in-flight work."""
from __future__ import annotations

import threading
import time

import pytest

from cloudfiles.app.processes import chunked, run_in_processes
from cloudfiles.app.scheduler import Schedule


def _square(x: int) -> int:
    return x * x


def _squares(chunk: list[int]) -> list[int]:
    return [x * x for x in chunk]


@pytest.mark.parametrize("schedule", [Schedule(0), Schedule(1), Schedule(8), Schedule(8, True)])
def test_every_mode_returns_every_result(schedule):
    assert sorted(schedule.run(_square, range(100))) == [x * x for x in range(100)]


def test_threads_really_run_concurrently():
    barrier = threading.Barrier(4, timeout=5)

    def wait(_):
        barrier.wait()  # deadlocks unless 4 calls run at once
        return threading.get_ident()

    assert len(set(Schedule(4).run(wait, range(4)))) == 4


def test_generators_are_consumed_lazily():
    pulled = []

    def source():
        for i in range(1000):
            pulled.append(i)
            yield i

    results = Schedule(4).run(lambda x: time.sleep(0.001) or x, source(), max_in_flight=8)
    first = next(iter(results))
    assert first in range(16) and len(pulled) <= 16


def test_progress_bar_counts_files(capsys):
    list(Schedule(2, progress=True).run(_square, [1, 2, 3], desc="Squaring"))
    assert "Squaring" in capsys.readouterr().err


def test_processes_run_every_chunk():
    assert list(chunked(range(5), 2)) == [[0, 1], [2, 3], [4]]
    assert sorted(run_in_processes(_squares, range(50), parallel=2, chunk_size=7)) == \
        [x * x for x in range(50)]

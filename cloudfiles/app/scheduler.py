"""Runs one function over a batch: serially, on threads, on gevent green threads, with progress.

Inputs may be generators: at most a bounded number of items are in flight, so memory stays
flat however long the batch. Results come back as they finish (order not guaranteed).
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TypeVar

from attrs import frozen
from tqdm import tqdm

T = TypeVar("T")
R = TypeVar("R")


@frozen
class Schedule:
    """How a batch runs: `num_threads` 0 means serially in the caller."""

    num_threads: int = 20
    green: bool = False
    progress: bool | str = False

    def run(self, fn: Callable[[T], R], items: Iterable[T], total: int | None = None,
            desc: str | None = None, max_in_flight: int | None = None,
            files_in: Callable[[R], int] | None = None) -> Iterator[R]:
        """fn over items; fn must not raise (wrap per-item errors into its result).

        The progress bar counts files: one per item, or `files_in(result)` where an item
        is a block of files (then `total` counts files too).
        """
        if total is None and hasattr(items, "__len__") and files_in is None:
            total = len(items)  # type: ignore[arg-type]
        bar = progress_bar(self.progress, total, desc)
        try:
            for result in self._results(fn, items, max_in_flight):
                bar.update(1 if files_in is None else files_in(result))
                yield result
        finally:
            bar.close()

    def _results(self, fn, items, max_in_flight) -> Iterator:
        if self.num_threads <= 1 and not self.green:
            return map(fn, items)
        limit = max_in_flight or self.num_threads * 4
        if self.green:
            return _green_results(fn, items, self.num_threads)
        return _threaded_results(fn, items, self.num_threads, limit)


def progress_bar(progress: bool | str | None, total: int | None, desc: str | None) -> tqdm:
    """The one progress bar style: files as the unit, on stderr; a str progress is the label."""
    label = progress if isinstance(progress, str) else desc
    return tqdm(total=total, desc=label, disable=not progress, unit="file")


_STOP = object()


def _threaded_results(fn, items, num_threads: int, limit: int) -> Iterator:
    """fn over items on `num_threads` threads, at most `limit` items queued or running.

    Items are pulled from the caller's iterator on the caller's thread; results come back
    through one queue, so each costs the caller O(1) however many are in flight.
    """
    iterator = iter(items)
    todo: queue.SimpleQueue = queue.SimpleQueue()
    done: queue.SimpleQueue = queue.SimpleQueue()

    def work() -> None:
        while (item := todo.get()) is not _STOP:
            try:
                done.put((fn(item), None))
            except BaseException as error:  # noqa: BLE001 - re-raised on the caller's thread
                done.put((None, error))

    in_flight = 0
    for item in islice(iterator, limit):
        todo.put(item)
        in_flight += 1
    threads = [threading.Thread(target=work, name=f"cloudfiles-{i}", daemon=True)
               for i in range(min(num_threads, in_flight))]
    for thread in threads:
        thread.start()
    try:
        while in_flight:
            result, error = done.get()
            in_flight -= 1
            if error is not None:
                raise error
            for item in islice(iterator, 1):  # keep the threads fed before handing back
                todo.put(item)
                in_flight += 1
            yield result
    finally:
        for _ in threads:
            todo.put(_STOP)
        for thread in threads:
            thread.join()


def _green_results(fn, items, num_threads: int) -> Iterator:
    import gevent.pool

    pool = gevent.pool.Pool(max(1, num_threads))
    yield from pool.imap_unordered(fn, items)

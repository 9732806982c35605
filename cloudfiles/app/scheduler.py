"""Runs one function over a batch: serially, on threads, on gevent green threads, with progress.

Inputs may be generators: at most a bounded number of items are in flight, so memory stays
flat however long the batch. Results come back as they finish (order not guaranteed).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent import futures
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
            desc: str | None = None, max_in_flight: int | None = None) -> Iterator[R]:
        """fn over items; fn must not raise (wrap per-item errors into its result)."""
        if total is None and hasattr(items, "__len__"):
            total = len(items)  # type: ignore[arg-type]
        label = self.progress if isinstance(self.progress, str) else desc
        bar = tqdm(total=total, desc=label, disable=not self.progress, unit="file")
        try:
            for result in self._results(fn, items, max_in_flight):
                bar.update(1)
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


def _threaded_results(fn, items, num_threads: int, limit: int) -> Iterator:
    iterator = iter(items)
    with futures.ThreadPoolExecutor(max_workers=num_threads) as pool:
        pending = {pool.submit(fn, item) for item in islice(iterator, limit)}
        while pending:
            done, pending = futures.wait(pending, return_when=futures.FIRST_COMPLETED)
            for future in done:
                yield future.result()
            for item in islice(iterator, len(done)):
                pending.add(pool.submit(fn, item))


def _green_results(fn, items, num_threads: int) -> Iterator:
    import gevent.pool

    pool = gevent.pool.Pool(max(1, num_threads))
    yield from pool.imap_unordered(fn, items)

"""Runs a batch in chunks on an executor (local processes, threads, a Dask cluster...).

A task takes one chunk of items (keys, never file contents) and returns a list of results;
results stream back as chunks finish, and only a few chunks are queued at a time, so a lazy
listing is never drained up front and memory stays bounded whatever the batch size.
"""
from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from itertools import islice
from typing import Any

#: Tasks an executor is assumed to run at once when it does not say (see worker_count).
DEFAULT_WORKERS = 4

#: Chunks queued per worker: one running, one ready to start when it ends.
QUEUED_PER_WORKER = 2


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of up to `size` items, lazily."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


MIN_CHUNK, MAX_CHUNK = 250, 1000


def chunk_size_for(total: int | None, parallel: int) -> int:
    """Items per chunk: about two chunks per process when the batch size is known (fewer
    start-ups and drained tails per process), within [MIN_CHUNK, MAX_CHUNK] so results
    stream back and memory stays bounded."""
    if not total:
        return MIN_CHUNK
    return max(MIN_CHUNK, min(MAX_CHUNK, -(-total // (2 * max(1, parallel)))))


def worker_count(executor: Executor) -> int:
    """How many tasks `executor` runs at once, as far as it tells: a process or thread
    pool's max_workers, or the worker threads of a Dask client's executor at this moment;
    DEFAULT_WORKERS for an executor that says nothing."""
    client = getattr(executor, "_client", None)  # distributed's ClientExecutor
    if client is not None and hasattr(client, "nthreads"):
        return max(1, sum(client.nthreads().values()))
    count = getattr(executor, "_max_workers", None)
    return count if isinstance(count, int) and count > 0 else DEFAULT_WORKERS


def run_chunks(executor: Executor, task: Callable[[list[Any]], list[Any]],
               items: Iterable[Any], chunk_size: int = MIN_CHUNK,
               queued: int | None = None) -> Iterator[Any]:
    """task(chunk) for each chunk of items on `executor`; results flattened as chunks finish.

    `task` must be picklable for an executor in other processes or machines (a module-level
    function or a partial of one). At most `queued` chunks (default: QUEUED_PER_WORKER per
    worker of the executor) are submitted and not yet collected; each finished chunk makes
    room for the next. A task that raises stops the batch: the error is raised here and the
    queued chunks are cancelled (per-item failures belong in the results instead).
    """
    if queued is None:
        queued = QUEUED_PER_WORKER * worker_count(executor)
    chunks = chunked(items, chunk_size)
    pending: set[Future] = {executor.submit(task, chunk)
                            for chunk in islice(chunks, max(1, queued))}
    try:
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            pending |= {executor.submit(task, chunk) for chunk in islice(chunks, len(done))}
            for future in done:
                yield from future.result()
    finally:
        for future in pending:
            future.cancel()


def run_in_processes(task: Callable[[list[Any]], list[Any]], items: Iterable[Any],
                     parallel: int, chunk_size: int = MIN_CHUNK) -> Iterator[Any]:
    """run_chunks on a pool of `parallel` new processes, shut down when the batch ends."""
    with ProcessPoolExecutor(max_workers=parallel, mp_context=_context()) as pool:
        yield from run_chunks(pool, task, items, chunk_size, QUEUED_PER_WORKER * parallel)

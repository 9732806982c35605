"""Runs a batch across N processes, each handling chunks of items with its own threads."""
from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from typing import Any


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


def run_in_processes(task: Callable[[list[Any]], list[Any]], items: Iterable[Any],
                     parallel: int, chunk_size: int = MIN_CHUNK) -> Iterator[Any]:
    """task(chunk) for each chunk of items on `parallel` processes; results flattened.

    `task` must be picklable (a module-level function or a partial of one).
    At most 2 chunks per process are queued, so a generator input is not drained up front.
    """
    chunks = chunked(items, chunk_size)
    with ProcessPoolExecutor(max_workers=parallel, mp_context=_context()) as pool:
        pending = [pool.submit(task, chunk) for chunk in islice(chunks, parallel * 2)]
        while pending:
            future = pending.pop(0)
            yield from future.result()
            nxt = next(chunks, None)
            if nxt is not None:
                pending.append(pool.submit(task, nxt))

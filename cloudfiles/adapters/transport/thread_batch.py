"""A Batch for blocking transports: `concurrency` threads each sending one request at a time."""
from __future__ import annotations

import queue
import threading
from typing import Any

from ...domain.ports import Batch, Completion, HttpRequest, Transport

_STOP = object()


class ThreadBatch(Batch):
    """Requests sent by up to `concurrency` worker threads, started as work arrives."""

    def __init__(self, transport: Transport, concurrency: int):
        self._transport = transport
        self._limit = max(1, concurrency)
        self._todo: queue.SimpleQueue = queue.SimpleQueue()
        self._done: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._in_flight = 0

    def submit(self, tag: Any, request: HttpRequest) -> None:
        self._in_flight += 1
        self._todo.put((tag, request))
        if len(self._threads) < min(self._limit, self._in_flight):
            thread = threading.Thread(target=self._work, daemon=True,
                                      name=f"cloudfiles-send-{len(self._threads)}")
            thread.start()
            self._threads.append(thread)

    def _work(self) -> None:
        while (job := self._todo.get()) is not _STOP:
            tag, request = job
            try:
                self._done.put((tag, self._transport.send(request)))
            except Exception as error:  # noqa: BLE001 - handed back with its tag
                self._done.put((tag, error))

    def collect(self, timeout: float | None = None) -> list[Completion]:
        if not self._in_flight:
            return []
        try:
            finished = [self._done.get(timeout=timeout)]
        except queue.Empty:
            return []
        while True:
            try:
                finished.append(self._done.get_nowait())
            except queue.Empty:
                break
        self._in_flight -= len(finished)
        return finished

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def close(self) -> None:
        for _ in self._threads:
            self._todo.put(_STOP)
        self._threads = []

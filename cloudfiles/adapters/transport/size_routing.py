"""Each GET on the engine that moves its body fastest: big bodies on threads, the rest on curl.

libcurl's multi interface sends thousands of small requests from one Python thread, far
faster than threads can; but every byte it receives passes through that one thread (pycurl
hands each chunk to a Python callback, which copies it). Bodies of megabytes arrive faster on
the requests engine, whose threads receive and copy in parallel. Body sizes are not known
before a request, so they are learnt: a GET goes to threads once recent GETs from the same
directory brought big bodies back, and to curl otherwise.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from ...domain.ports import Batch, Completion, HttpRequest, HttpResponse, Transport

#: Bodies at least this big (on average, lately, in a directory) are received on threads.
BIG_BODY = 1024 * 1024
#: Bodies smaller than this, from a directory not followed yet, are not recorded.
_SMALL = BIG_BODY // 16
#: Weight of the newest body in a directory's running average.
_ALPHA = 0.5
#: Directories remembered.
_REMEMBERED = 4096
#: Seconds one sub-batch is polled while the other also has requests in flight.
_POLL = 0.002


def _directory(url: str) -> str:
    """The URL up to its last '/', without the query: objects there tend to be alike."""
    return url.split("?", 1)[0].rpartition("/")[0]


class BodySizes:
    """A running average of response body sizes per directory, bounded, thread-safe."""

    def __init__(self) -> None:
        self._sizes: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def note(self, request: HttpRequest, answer: HttpResponse | Exception) -> None:
        """Learn from a GET's answer."""
        if request.method != "GET" or not isinstance(answer, HttpResponse) or \
                not 200 <= answer.status < 300:
            return
        length = answer.header("Content-Length")
        size = int(length) if length and length.isdigit() else len(answer.content)
        if size < _SMALL and not self._sizes:
            return  # nothing big seen anywhere: small bodies cost no bookkeeping
        where = _directory(request.url)
        if size < _SMALL and where not in self._sizes:
            return  # only directories that brought a sizeable body are followed
        with self._lock:
            before = self._sizes.pop(where, None)
            self._sizes[where] = size if before is None else \
                _ALPHA * size + (1 - _ALPHA) * before
            if len(self._sizes) > _REMEMBERED:
                self._sizes.popitem(last=False)

    def expects_big(self, request: HttpRequest) -> bool:
        """Whether this GET's body will likely be big."""
        if not self._sizes or request.method != "GET":
            return False
        return self._sizes.get(_directory(request.url), 0.0) >= BIG_BODY


class SizeRoutedTransport(Transport):
    """GETs expected to bring big bodies go to `threaded`, everything else to `engine`."""

    def __init__(self, engine: Transport, threaded: Transport):
        self.engine = engine
        self.threaded = threaded
        self.sizes = BodySizes()
        self.name = engine.name

    def _for(self, request: HttpRequest) -> Transport:
        return self.threaded if self.sizes.expects_big(request) else self.engine

    def send(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self._for(request).send(request)
        except Exception as error:
            self.sizes.note(request, error)
            raise
        self.sizes.note(request, response)
        return response

    def batch(self, concurrency: int) -> Batch:
        return RoutedBatch(self, concurrency)

    def close(self) -> None:
        self.engine.close()
        self.threaded.close()


class RoutedBatch(Batch):
    """One batch over both engines' batches (each opened on first use)."""

    def __init__(self, transport: SizeRoutedTransport, concurrency: int):
        self._transport = transport
        self._concurrency = concurrency
        self._batches: dict[Transport, Batch] = {}
        self._requests: dict[int, HttpRequest] = {}
        self._next = 0

    def submit(self, tag: Any, request: HttpRequest) -> None:
        target = self._transport._for(request)
        batch = self._batches.get(target)
        if batch is None:
            batch = self._batches[target] = target.batch(self._concurrency)
        ticket = self._next
        self._next += 1
        self._requests[ticket] = request
        batch.submit((ticket, tag), request)

    def collect(self, timeout: float | None = None) -> list[Completion]:
        busy = [batch for batch in self._batches.values() if batch.in_flight]
        if not busy:
            return []
        if len(busy) == 1:
            return self._learnt(busy[0].collect(timeout))
        waited = 0.0
        while True:  # both engines busy (the estimate just changed): poll each in turn
            found = [done for batch in busy for done in batch.collect(_POLL)]
            waited += _POLL * len(busy)
            if found or (timeout is not None and waited >= timeout):
                return self._learnt(found)

    def _learnt(self, completions: list[Completion]) -> list[Completion]:
        finished = []
        for (ticket, tag), answer in completions:
            self._transport.sizes.note(self._requests.pop(ticket), answer)
            finished.append((tag, answer))
        return finished

    @property
    def in_flight(self) -> int:
        return sum(batch.in_flight for batch in self._batches.values())

    def close(self) -> None:
        for batch in self._batches.values():
            batch.close()
        self._batches.clear()


_ROUTED: dict[tuple[int, int], SizeRoutedTransport] = {}


def size_routed_transport(engine: Transport, threaded: Transport) -> SizeRoutedTransport:
    """One SizeRoutedTransport per pair of shared engines, so what it learns is shared by
    every CloudFiles with the same settings."""
    key = (id(engine), id(threaded))
    routed = _ROUTED.get(key)
    if routed is None or routed.engine is not engine or routed.threaded is not threaded:
        routed = _ROUTED[key] = SizeRoutedTransport(engine, threaded)
    return routed

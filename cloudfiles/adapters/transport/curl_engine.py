"""The libcurl engine behind the Transport port: many requests at once from one Python thread.

A `CurlBatch` drives one `pycurl.CurlMulti` with `perform`/`select`: libcurl does the I/O of
up to `concurrency` transfers at once, and Python only sets each request up and reads each
response back. Multi handles and their easy handles are kept by the transport in
`_Engine`s, lent to one batch (or one `send`) at a time, so the multi's connection cache
keeps connections alive per host across batches; concurrent users get engines of their own
(libcurl objects must not be used from two threads at once).

The read timeout is kept by the engine itself: a transfer that moved no byte for
`read_timeout` seconds fails, checked every quarter of the timeout (0.5 s at most) in
`collect`, after libcurl has read what arrived meanwhile (so a caller slow to come back does
not time out transfers whose bytes are waiting). libcurl's own low-speed check counts whole
seconds only. In a forked child, inherited multi and easy handles are kept but never used nor
closed: they hold the parent's sockets, and closing them would read from or write to them.
"""
from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import deque
from typing import Any

try:
    import pycurl
except ImportError:  # the requests engine is the fallback
    pycurl = None

from ...domain.errors import StorageError, TransientStorageError
from ...domain.ports import Batch, Completion, HttpRequest, HttpResponse, Transport
from .shared import SharedTransports

if pycurl is not None:
    from .curl_exchange import Exchange, curl_failure, outcome, prepare, read_timeout_error
    from .curl_settings import MIN_LIBCURL, ProxyTable, handle_options, libcurl_version

#: Inherited libcurl objects of a forked child: referenced forever so they are never closed.
_ABANDONED: list[Any] = []
#: Longest single wait inside collect (also how often the read timeout is checked at most).
_LONGEST_WAIT = 0.5
#: When the lowest free file descriptor is this high, libcurl's sockets may be past select()'s
#: FD_SETSIZE (1024), where select cannot see them: then waits are kept short.
_CROWDED_FD = 768


def curl_available() -> bool:
    """Whether the libcurl engine can run here: pycurl importable on a recent enough libcurl."""
    return pycurl is not None and libcurl_version() >= MIN_LIBCURL


def _fds_crowded() -> bool:
    """Whether new sockets would get descriptors near select()'s limit."""
    for standard in (0, 1, 2):
        try:
            probe = os.dup(standard)
        except OSError:
            continue
        os.close(probe)
        return probe >= _CROWDED_FD
    return False


class _Engine:
    """One multi handle and its idle easy handles: the connections of one user at a time."""

    __slots__ = ("idle", "maxconnects", "multi", "pid")

    def __init__(self, maxconnects: int):
        self.multi = pycurl.CurlMulti()
        self.maxconnects = maxconnects
        self.multi.setopt(pycurl.M_MAXCONNECTS, maxconnects)
        self.idle: list[pycurl.Curl] = []
        self.pid = os.getpid()

    def ensure_cache(self, connections: int) -> None:
        """Keep at least `connections` idle connections alive between transfers."""
        if connections > self.maxconnects:
            self.maxconnects = connections
            self.multi.setopt(pycurl.M_MAXCONNECTS, connections)

    def close(self) -> None:
        """Close the handles and their connections (in the process that made them only)."""
        if self.pid != os.getpid():
            _ABANDONED.append(self)
            return
        for handle in self.idle:
            handle.close()
        self.idle = []
        self.multi.close()


class CurlTransport(Transport):
    """Keep-alive connections per host on libcurl; batches run up to `concurrency` requests
    at once from the calling thread. Thread-safe: each concurrent caller gets its own engine.
    """

    name = "curl"

    def __init__(self, maxsize: int = 20, connect_timeout: float = 10.0,
                 read_timeout: float = 60.0):
        if not curl_available():
            raise StorageError("The curl engine needs pycurl on libcurl "
                               f"{'.'.join(map(str, MIN_LIBCURL))} or newer.")
        self.maxsize = max(1, maxsize)
        self.timeout = (connect_timeout, read_timeout)
        self.read_timeout = read_timeout
        self._options = handle_options(connect_timeout)
        self.proxies = ProxyTable()
        self._lock = threading.Lock()
        self._engines: list[_Engine] = []
        _SHARED.track(self)

    def new_handle(self) -> pycurl.Curl:
        """An easy handle with this transport's standing options."""
        handle = pycurl.Curl()
        for option, value in self._options:
            handle.setopt(option, value)
        return handle

    def lend_engine(self, concurrency: int) -> _Engine:
        """An engine for one user (the most recently returned, whose connections are warm)."""
        with self._lock:
            engine = self._engines.pop() if self._engines else None
        if engine is not None and engine.pid != os.getpid():  # missed by the fork hook
            self.forget_connections()
            _ABANDONED.append(engine)
            engine = None
        if engine is None:
            engine = _Engine(max(64, 4 * self.maxsize))
        engine.ensure_cache(2 * concurrency)
        return engine

    def take_back(self, engine: _Engine) -> None:
        """Return a lent engine, kept for the next user (up to 64 idle engines)."""
        if engine.pid == os.getpid():
            with self._lock:
                if len(self._engines) < 64:
                    self._engines.append(engine)
                    return
        engine.close()

    def send(self, request: HttpRequest) -> HttpResponse:
        batch = CurlBatch(self, 1)
        try:
            batch.submit(None, request)
            while True:
                for _, result in batch.collect():
                    if isinstance(result, Exception):
                        raise result
                    return result
        finally:
            batch.close()

    def batch(self, concurrency: int) -> CurlBatch:
        return CurlBatch(self, concurrency)

    def forget_connections(self) -> None:
        """Start over with no engine, leaving the old ones untouched (after a fork)."""
        self._lock = threading.Lock()  # another thread may have held it at the fork
        _ABANDONED.extend(self._engines)
        self._engines = []

    def close(self) -> None:
        with self._lock:
            engines, self._engines = self._engines, []
        for engine in engines:
            engine.close()


class CurlBatch(Batch):
    """Requests queued, in flight on one CurlMulti, and finished, for one caller.

    Driven from one thread at a time. The transport's engine is borrowed while transfers run
    and handed back whenever none does, so an idle batch holds no connection.
    """

    def __init__(self, transport: CurlTransport, concurrency: int):
        self._transport = transport
        self._concurrency = max(1, concurrency)
        self._queue: deque[tuple[Any, HttpRequest]] = deque()
        self._running: dict[pycurl.Curl, Exchange] = {}
        self._done: list[Completion] = []
        self._engine: _Engine | None = None
        self._pid = os.getpid()
        read_timeout = transport.read_timeout
        self._read_timeout = read_timeout if read_timeout and read_timeout > 0 else None
        self._tick = _LONGEST_WAIT if self._read_timeout is None else \
            min(_LONGEST_WAIT, max(0.01, self._read_timeout / 4))
        self._next_watch = 0.0
        #: True when libcurl was given its turn since sockets last woke and handles were
        #: added: then nothing can move until a socket is ready, so collect waits first.
        self._settled = False

    @property
    def in_flight(self) -> int:
        return len(self._queue) + len(self._running) + len(self._done)

    def submit(self, tag: Any, request: HttpRequest) -> None:
        self._queue.append((tag, request))

    def collect(self, timeout: float | None = None) -> list[Completion]:
        if self._pid != os.getpid():
            self._abandon_parent_transfers()
        if not self.in_flight:
            return []
        now = time.monotonic()
        deadline = None if timeout is None else now + max(0.0, timeout)
        if timeout is not None and timeout <= 0:
            self._settled = False  # no time to wait: give libcurl one turn at least
        longest = 0.002 if _fds_crowded() else self._tick
        while True:
            performed = self._start_queued() or not self._settled
            if performed:
                self._perform()
            if self._done or not self._running:
                break
            now = time.monotonic()
            if performed and self._read_timeout is not None and now >= self._next_watch:
                self._watch(now)  # only right after libcurl read what had arrived
                if self._done:
                    break
            wait = longest if deadline is None else min(longest, deadline - now)
            if wait <= 0:
                break
            self._wait(wait)
            self._settled = False
        done, self._done = self._done, []
        if not self._running:
            self._hand_back_engine()
        return done

    def close(self) -> None:
        if self._pid != os.getpid():
            self._abandon_parent_transfers()
        for handle, exchange in list(self._running.items()):
            self._detach(handle, exchange)
        self._hand_back_engine()
        self._queue.clear()
        self._done = []

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # at interpreter exit pycurl may be gone
            self.close()

    # -- driving libcurl --------------------------------------------------------------------

    def _start_queued(self) -> bool:
        """Hand queued requests to libcurl while fewer than `concurrency` run; whether any
        was."""
        if not self._queue or len(self._running) >= self._concurrency:
            return False
        engine = self._engine
        if engine is None:
            engine = self._engine = self._transport.lend_engine(self._concurrency)
        transport, now = self._transport, time.monotonic()
        while self._queue and len(self._running) < self._concurrency:
            tag, request = self._queue.popleft()
            exchange = Exchange(tag, request)
            handle = engine.idle.pop() if engine.idle else transport.new_handle()
            try:
                prepare(handle, exchange, transport.proxies.proxy_for(request.url))
            except (StorageError, TypeError, ValueError, pycurl.error) as error:
                engine.idle.append(handle)
                self._done.append((tag, error if isinstance(error, StorageError) else
                                   StorageError(f"{request.method} {request.url}: cannot be "
                                                f"sent: {type(error).__name__}: {error}")))
                continue
            exchange.moved = now
            engine.multi.add_handle(handle)
            self._running[handle] = exchange
        return True

    def _perform(self) -> None:
        """Let libcurl move bytes; collect what finished, and start what the freed slots
        allow (so new requests are on the wire while the caller reads the results)."""
        multi = self._engine.multi if self._engine is not None else None
        while multi is not None:
            while multi.perform()[0] == pycurl.E_CALL_MULTI_PERFORM:
                pass
            finished = False
            while True:
                queued, succeeded, failed = multi.info_read()
                for handle in succeeded:
                    exchange = self._running[handle]
                    self._finish(handle, exchange, outcome(handle, exchange))
                for handle, code, message in failed:
                    exchange = self._running[handle]
                    self._finish(handle, exchange, curl_failure(exchange.request, code, message))
                finished = finished or bool(succeeded or failed)
                if not queued:
                    break
            if not (finished and self._queue):
                self._settled = True
                return
            self._start_queued()

    def _wait(self, seconds: float) -> None:
        """Sleep until a socket of a transfer is ready, libcurl's next timer, or `seconds`."""
        multi = self._engine.multi
        timer = multi.timeout()
        if timer >= 0:
            seconds = min(seconds, timer / 1000)
        if seconds <= 0:
            return
        start = time.monotonic()
        if multi.select(seconds) <= 0:
            elapsed = time.monotonic() - start
            if elapsed < seconds / 2:  # nothing select could wait on: don't spin
                time.sleep(min(seconds - elapsed, 0.002))

    def _watch(self, now: float) -> None:
        """Fail transfers that moved no byte for the read timeout (connecting ones excepted:
        the connect timeout is libcurl's)."""
        self._next_watch = now + self._tick
        for handle, exchange in list(self._running.items()):
            if handle.getinfo(pycurl.PRETRANSFER_TIME_T) == 0:
                continue
            seen = handle.getinfo(pycurl.SIZE_DOWNLOAD_T) + \
                handle.getinfo(pycurl.SIZE_UPLOAD_T) + handle.getinfo(pycurl.HEADER_SIZE)
            if seen != exchange.seen:
                exchange.seen, exchange.moved = seen, now
            elif now - exchange.moved >= self._read_timeout:
                self._finish(handle, exchange,
                             read_timeout_error(exchange.request, self._read_timeout))

    def _finish(self, handle: pycurl.Curl, exchange: Exchange,
                result: HttpResponse | Exception) -> None:
        self._detach(handle, exchange)
        self._done.append((exchange.tag, result))

    def _detach(self, handle: pycurl.Curl, exchange: Exchange) -> None:
        """Take a handle off the multi (closing its connection if mid-transfer), reuse it."""
        del self._running[handle]
        engine = self._engine
        engine.multi.remove_handle(handle)
        exchange.release(handle)
        engine.idle.append(handle)

    def _hand_back_engine(self) -> None:
        if self._engine is not None:
            engine, self._engine = self._engine, None
            self._transport.take_back(engine)

    def _abandon_parent_transfers(self) -> None:
        """In a forked child: the transfers in flight were the parent's; report them as
        interrupted and leave their handles alone. Queued requests will run here."""
        if self._engine is not None:
            _ABANDONED.append((self._engine, list(self._running)))
        for exchange in self._running.values():
            self._done.append((exchange.tag, TransientStorageError(
                f"{exchange.request.method} {exchange.request.url}: interrupted by a fork")))
        self._running = {}
        self._engine = None
        self._pid = os.getpid()


_SHARED: SharedTransports[CurlTransport] = SharedTransports()


def shared_curl_transport(maxsize: int, connect_timeout: float = 10.0,
                          read_timeout: float = 60.0) -> CurlTransport:
    """A process-wide curl transport, reused across CloudFiles objects with the same settings.

    `maxsize` (the concurrency) sizes the connection caches; the timeouts are in seconds.
    """
    key = (max(1, maxsize), connect_timeout, read_timeout)
    return _SHARED.get(key, lambda: CurlTransport(*key))


def reset_shared_curl_transports() -> None:
    """Close every pooled connection of this process; later requests open new ones."""
    _SHARED.reset()

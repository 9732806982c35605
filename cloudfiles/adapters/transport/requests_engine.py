"""The one pooled HTTP transport every network adapter sends through.

It hands requests straight to a requests `HTTPAdapter` (its urllib3 pool), skipping the
Session layer, whose per-request merging of settings costs about as much as the request.
Proxies and the CA bundle are resolved the way requests does, once per origin.

Pools are per (scheme, host, port) inside a transport, `maxsize` connections each (the
thread count), and transports are shared process-wide by settings, so every CloudFiles on a
host reuses the same keep-alive connections. In a forked child every transport starts over
with empty pools (it must not share its parent's sockets), and code that monkey-patched
sockets with gevent after a transport was made gets new transports (old connections would
block the gevent hub).
"""
from __future__ import annotations

import http.client
import os
import ssl
import sys

import requests
import requests.utils
import urllib3
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

from ...domain.errors import StorageError, TransientStorageError
from ...domain.ports import Batch, HttpRequest, HttpResponse, Transport
from .shared import SharedTransports
from .thread_batch import ThreadBatch


def _ca_bundle() -> str | bool:
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True


def _is_permanent(error: BaseException) -> bool:
    """A malformed URL/header or a refused certificate: sending again cannot help."""
    if isinstance(error, (ValueError, requests.exceptions.URLRequired)):
        return True
    pending, seen = [error], 0
    while pending and seen < 20:  # walk the causes: requests wraps urllib3 wraps ssl
        current = pending.pop()
        seen += 1
        if isinstance(current, ssl.SSLCertVerificationError):
            return True
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None),
                  *current.args]
        pending.extend(e for e in linked if isinstance(e, BaseException))
    return False


def _network_error(request: HttpRequest, error: BaseException) -> Exception:
    """The domain error for a failure to send or receive: transient unless it cannot pass."""
    detail = f"{request.method} {request.url}: {type(error).__name__}: {error}"
    if _is_permanent(error):
        return StorageError(detail)
    return TransientStorageError(detail)


def _check_length(request: HttpRequest, status: int, headers, content: bytes,
                  received: int | None) -> None:
    """Raise TransientStorageError when fewer bytes arrived than the Content-Length announced
    (`received` counts a body written into the request's sink)."""
    expected = headers.get("Content-Length")
    if request.method == "HEAD" or status in (204, 304) or not expected:
        return
    got = len(content) if received is None else received
    if expected.isdigit() and int(expected) != got:
        raise TransientStorageError(
            f"{request.method} {request.url}: truncated body, {got} of {expected} bytes")


#: Bytes read at once from a body going into a sink.
_SINK_CHUNK = 1 << 20


def _drain(raw, request: HttpRequest, status: int) -> tuple[bytes, int]:
    """(error body, bytes received): a successful body is read into the request's sink a
    chunk at a time; an error's body (status 300 or more) is read into memory."""
    if status >= 300:
        content = raw.read(decode_content=False) or b""
        return content, len(content)
    received = 0
    while chunk := raw.read(_SINK_CHUNK, decode_content=False):
        request.sink.write(chunk)
        received += len(chunk)
    return b"", received


class PooledTransport(Transport):
    """Keep-alive connections per (scheme, host, port), `maxsize` each; safe under threads."""

    name = "requests"

    def __init__(self, maxsize: int = 20, connect_timeout: float = 10.0,
                 read_timeout: float = 60.0):
        self.maxsize = max(1, maxsize)
        self.timeout = (connect_timeout, read_timeout)
        self._adapter = self._new_adapter()
        self._proxies: dict[str, dict[str, str]] = {}
        self._pools: dict[str, object] = {}
        self._verify = _ca_bundle()
        self._urllib3_timeout = urllib3.Timeout(connect=connect_timeout, read=read_timeout)
        _SHARED.track(self)

    def _new_adapter(self) -> HTTPAdapter:
        return HTTPAdapter(pool_connections=64, pool_maxsize=self.maxsize, max_retries=0)

    def forget_connections(self) -> None:
        """Start over with empty pools, leaving the old connections alone (after a fork)."""
        self._adapter = self._new_adapter()
        self._pools = {}

    def _proxies_for(self, url: str) -> dict[str, str]:
        origin = "/".join(url.split("/", 3)[:3])
        proxies = self._proxies.get(origin)
        if proxies is None:
            proxies = self._proxies[origin] = requests.utils.get_environ_proxies(url)
        return proxies

    def send(self, request: HttpRequest) -> HttpResponse:
        if not _is_original(requests.Session.send, "requests.sessions", "Session.send"):
            return self._send_adapter(request, self._session_send)
        if _adapter_send_is_original() and not self._proxies_for(request.url):
            pool = self._direct_pool(request.url)
            if pool is not None:
                return self._send_direct(pool, request)
        return self._send_adapter(request, self._adapter.send)

    def _session_send(self, prepared: requests.PreparedRequest, **kwargs):
        """Through a requests Session, while something intercepts Session.send
        (requests-mock): users' test doubles must see our requests."""
        with requests.Session() as session:
            return session.send(prepared, allow_redirects=False, **kwargs)

    def _direct_pool(self, url: str):
        """The adapter's urllib3 pool for url's origin, set up as requests would (TLS, CA
        bundle), looked up once per origin; None where requests cannot tell us (old versions).
        """
        origin = "/".join(url.split("/", 3)[:3])
        pool = self._pools.get(origin)
        if pool is not None and pool.pool is not None:  # evicted pools are closed
            return pool
        attributes = getattr(self._adapter, "build_connection_pool_key_attributes", None)
        if attributes is None:
            return None
        probe = requests.PreparedRequest()
        probe.prepare(method="GET", url=origin + "/")
        host_params, pool_kwargs = attributes(probe, self._verify, None)
        pool = self._adapter.poolmanager.connection_from_host(**host_params,
                                                               pool_kwargs=pool_kwargs)
        self._pools[origin] = pool
        return pool

    def _send_direct(self, pool, request: HttpRequest) -> HttpResponse:
        """One request on the urllib3 pool itself: what HTTPAdapter.send does minus the
        requests objects (PreparedRequest, Response, cookie jar, header dicts) around it."""
        headers = dict(request.headers)
        if request.body is not None:
            headers["Content-Length"] = str(len(request.body))
        target = "/" + request.url.split("/", 3)[3] if request.url.count("/") >= 3 else "/"
        try:
            response = pool.urlopen(
                request.method, target, body=request.body, headers=headers, retries=False,
                redirect=False, assert_same_host=False, timeout=self._urllib3_timeout,
                preload_content=request.sink is None, decode_content=False,
            )
            if request.sink is None:
                content, received = response.data or b"", None
            else:
                try:
                    content, received = _drain(response, request, response.status)
                except BaseException:
                    response.close()  # cut short: the connection must not be reused
                    raise
                response.release_conn()
        except (urllib3.exceptions.HTTPError, OSError, http.client.HTTPException) as error:
            raise _network_error(request, error) from error
        _check_length(request, response.status, response.headers, content, received)
        return HttpResponse(response.status, dict(response.headers), content)

    def _send_adapter(self, request: HttpRequest, sender) -> HttpResponse:
        """Through requests' HTTPAdapter.send (or a Session's send): when something
        intercepts it (the `responses` library, moto's mock_aws, requests-mock) or a proxy
        is configured."""
        prepared = requests.PreparedRequest()
        prepared.method = request.method
        prepared.url = request.url
        prepared.headers = CaseInsensitiveDict(request.headers)
        prepared.body = request.body
        if request.body is not None:
            prepared.headers["Content-Length"] = str(len(request.body))
        prepared.hooks = {"response": []}
        prepared._cookies = None
        try:
            response = sender(
                prepared, stream=True, timeout=self.timeout, verify=self._verify,
                proxies=self._proxies_for(request.url),
            )
        except (requests.RequestException, OSError, http.client.HTTPException) as error:
            raise _network_error(request, error) from error
        received = None
        try:
            if request.sink is None:
                content = response.raw.read(decode_content=False) or b""
            else:
                content, received = _drain(response.raw, request, response.status_code)
        except Exception as error:  # reset, timeout, truncation (urllib3 IncompleteRead)
            response.close()  # the connection is in an unknown state: never reuse it
            if isinstance(error, (OSError, http.client.HTTPException)) or \
                    type(error).__module__.startswith("urllib3"):
                raise _network_error(request, error) from error
            raise
        # Fully read: urllib3 has returned the connection to the pool already (keep-alive);
        # closing the requests Response here would close that connection instead.
        response.raw.release_conn()
        _check_length(request, response.status_code, response.headers, content, received)
        return HttpResponse(response.status_code, dict(response.headers), content)

    def batch(self, concurrency: int) -> Batch:
        """Up to `concurrency` requests at once, each on a thread of the batch."""
        return ThreadBatch(self, concurrency)

    def pool(self, url: str):
        """The urllib3 connection pool serving url's origin (diagnostics and tests)."""
        return self._adapter.poolmanager.connection_from_url(url)

    def close(self) -> None:
        self._adapter.close()


def _is_original(function, module: str, qualname: str) -> bool:
    """Whether a requests function is requests' own, not a test double's patch. Judged by
    where the function was defined, not by identity, so it holds even if this module was
    first imported mid-mock."""
    return getattr(function, "__module__", None) == module and \
        getattr(function, "__qualname__", None) == qualname


def _adapter_send_is_original() -> bool:
    """False while something (the `responses` library, moto's mock_aws) intercepts
    HTTPAdapter.send: then requests must go through it."""
    return _is_original(HTTPAdapter.send, "requests.adapters", "HTTPAdapter.send")

_SHARED: SharedTransports[PooledTransport] = SharedTransports()


def _sockets_green() -> bool:
    """Whether gevent has monkey-patched the socket module (checked without importing gevent)."""
    monkey = sys.modules.get("gevent.monkey")
    return bool(monkey is not None and monkey.is_module_patched("socket"))


def shared_transport(maxsize: int, connect_timeout: float = 10.0,
                     read_timeout: float = 60.0) -> PooledTransport:
    """A process-wide transport, reused across CloudFiles objects with the same settings.

    `maxsize` (the thread count) sizes each per-host pool; the timeouts are in seconds.
    """
    settings = (max(1, maxsize), connect_timeout, read_timeout)
    key = (*settings, _sockets_green())
    return _SHARED.get(key, lambda: PooledTransport(*settings))


def reset_shared_transports() -> None:
    """Close every pooled connection of this process; later requests open new ones."""
    _SHARED.reset(also=_INTERCEPTING.clear)


class InterceptingTransport(Transport):
    """A fast engine that steps aside for test doubles: while responses, requests-mock or
    moto's mock_aws intercepts requests, every call goes through the requests engine."""

    def __init__(self, engine: Transport, fallback: Transport):
        self.engine = engine
        self.fallback = fallback
        self.name = engine.name

    def _current(self) -> Transport:
        return self.fallback if interception_active() else self.engine

    def send(self, request: HttpRequest) -> HttpResponse:
        return self._current().send(request)

    def batch(self, concurrency: int) -> Batch:
        return self._current().batch(concurrency)

    def close(self) -> None:
        self.engine.close()
        self.fallback.close()


_INTERCEPTING: dict[tuple[int, int], InterceptingTransport] = {}


def intercepting_transport(engine: Transport, fallback: Transport) -> Transport:
    """`engine`, except while a test double intercepts requests (then `fallback`); one per
    pair of shared engines, so CloudFiles with the same settings share it too."""
    key = (id(engine), id(fallback))
    with _SHARED.lock:
        found = _INTERCEPTING.get(key)
        if found is None or found.engine is not engine or found.fallback is not fallback:
            found = _INTERCEPTING[key] = InterceptingTransport(engine, fallback)
        return found


def interception_active() -> bool:
    """Whether responses / mock_aws (HTTPAdapter.send) or requests-mock (Session.send) is on."""
    return not _adapter_send_is_original() or \
        not _is_original(requests.Session.send, "requests.sessions", "Session.send")

"""The one pooled HTTP transport every network adapter sends through.

It hands requests straight to a requests `HTTPAdapter` (its urllib3 pool), skipping the
Session layer, whose per-request merging of settings costs about as much as the request.
Proxies and the CA bundle are resolved the way requests does, once per origin.
"""
from __future__ import annotations

import os
import threading

import requests
import requests.utils
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

from ..domain.errors import TransientStorageError
from ..domain.ports import HttpRequest, HttpResponse, Transport


def _ca_bundle() -> str | bool:
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True


class PooledTransport(Transport):
    """Keep-alive connections per (scheme, host, port), `maxsize` each; safe under threads."""

    def __init__(self, maxsize: int = 20, connect_timeout: float = 10.0,
                 read_timeout: float = 60.0):
        self.maxsize = max(1, maxsize)
        self.timeout = (connect_timeout, read_timeout)
        self._adapter = HTTPAdapter(pool_connections=64, pool_maxsize=self.maxsize, max_retries=0)
        self._proxies: dict[str, dict[str, str]] = {}
        self._verify = _ca_bundle()

    def _proxies_for(self, url: str) -> dict[str, str]:
        origin = "/".join(url.split("/", 3)[:3])
        proxies = self._proxies.get(origin)
        if proxies is None:
            proxies = self._proxies[origin] = requests.utils.get_environ_proxies(url)
        return proxies

    def send(self, request: HttpRequest) -> HttpResponse:
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
            response = self._adapter.send(
                prepared, stream=True, timeout=self.timeout, verify=self._verify,
                proxies=self._proxies_for(request.url),
            )
            try:
                content = b"" if request.method == "HEAD" else response.raw.read(decode_content=False)
            finally:
                response.close()
        except (requests.RequestException, OSError) as error:
            raise TransientStorageError(
                f"{request.method} {request.url}: {type(error).__name__}: {error}"
            ) from error
        except Exception as error:  # urllib3 protocol errors surfacing from raw.read()
            if type(error).__module__.startswith("urllib3"):
                raise TransientStorageError(
                    f"{request.method} {request.url}: {type(error).__name__}: {error}"
                ) from error
            raise
        expected = response.headers.get("Content-Length")
        if request.method != "HEAD" and expected and expected.isdigit():
            if int(expected) != len(content):
                raise TransientStorageError(
                    f"{request.method} {request.url}: truncated body, "
                    f"{len(content)} of {expected} bytes"
                )
        return HttpResponse(response.status_code, dict(response.headers), content)

    def close(self) -> None:
        self._adapter.close()


_SHARED: dict[tuple, PooledTransport] = {}
_SHARED_LOCK = threading.Lock()


def shared_transport(maxsize: int, connect_timeout: float = 10.0,
                     read_timeout: float = 60.0) -> PooledTransport:
    """A process-wide transport, reused across CloudFiles objects with the same settings."""
    key = (max(1, maxsize), connect_timeout, read_timeout)
    with _SHARED_LOCK:
        transport = _SHARED.get(key)
        if transport is None:
            transport = _SHARED[key] = PooledTransport(*key)
        return transport

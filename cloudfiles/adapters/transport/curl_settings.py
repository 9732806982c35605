"""What every libcurl easy handle of a transport is set up with: timeouts, CA bundle, protocol,
and the proxy for each origin, resolved from the environment the way requests does."""
from __future__ import annotations

import math
import os
from typing import Any

import pycurl
import requests.utils

#: The oldest libcurl we trust: shares, CONNECTTIMEOUT_MS, PATH_AS_IS, *_T infos (Ubuntu 20.04).
MIN_LIBCURL = (7, 68, 0)
#: Bytes libcurl receives at once (CURLOPT_BUFFERSIZE).
RECEIVE_BUFFER = 512 * 1024


def libcurl_version() -> tuple[int, int, int]:
    """The version of the libcurl pycurl runs on."""
    number = pycurl.version_info()[2]
    return number >> 16, (number >> 8) & 0xFF, number & 0xFF


def _ca_options() -> list[tuple[int, Any]]:
    """The CA bundle requests would verify with: REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE, else
    certifi's (the path compiled into a pycurl wheel's libcurl may not exist here)."""
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if not bundle:
        try:
            import certifi
        except ImportError:
            return []  # libcurl's own default
        bundle = certifi.where()
    if os.path.isdir(bundle):
        return [(pycurl.CAPATH, bundle), (pycurl.PROXY_CAPATH, bundle)]
    return [(pycurl.CAINFO, bundle), (pycurl.PROXY_CAINFO, bundle)]


def handle_options(connect_timeout: float) -> list[tuple[int, Any]]:
    """Options set once on each new easy handle (the read timeout is the engine's own)."""
    return [
        (pycurl.NOSIGNAL, 1),  # no SIGALRM for timeouts: we run beside other threads
        (pycurl.CONNECTTIMEOUT_MS, max(1, math.ceil(connect_timeout * 1000))),
        (pycurl.HTTP_VERSION, pycurl.CURL_HTTP_VERSION_1_1),  # as the requests engine
        (pycurl.PATH_AS_IS, 1),  # send "/../" and "/./" in keys as they are (signed paths)
        (pycurl.PROTOCOLS, pycurl.PROTO_HTTP | pycurl.PROTO_HTTPS),
        (pycurl.FOLLOWLOCATION, 0),  # the adapters handle redirects
        (pycurl.HTTP_CONTENT_DECODING, 0),  # stored bytes, never decoded
        (pycurl.TCP_NODELAY, 1),
        # Receive into 512 KiB (libcurl's most before 7.88): one buffer per multi handle, so
        # it costs nothing per transfer, and large bodies arrive in fewer, larger chunks.
        (pycurl.BUFFERSIZE, RECEIVE_BUFFER),
        *_ca_options(),
    ]


class ProxyTable:
    """The proxy URL for each origin ("" for none), from HTTP(S)_PROXY, ALL_PROXY and
    NO_PROXY (either case), looked up once per origin, as requests does."""

    def __init__(self) -> None:
        self._by_origin: dict[str, str] = {}

    def proxy_for(self, url: str) -> str:
        """The proxy to reach url through; "" means directly (env proxies ignored)."""
        origin = url.split("/", 3)[:3]
        key = "/".join(origin)
        proxy = self._by_origin.get(key)
        if proxy is None:
            try:
                proxies = requests.utils.get_environ_proxies(url)
            except ValueError:  # a malformed URL: libcurl will say so
                return ""
            scheme = origin[0].rstrip(":").lower()
            proxy = self._by_origin[key] = proxies.get(scheme) or proxies.get("all") or ""
        return proxy

"""Signs S3 REST requests with AWS Signature Version 4, through botocore's own signer.

Signing is on the hot path of every small read, so what does not change between two
signatures is worked out once: the body's hash once per request (a re-send reuses it), the
host once per endpoint (given to the signer instead of re-parsed from each URL, twice), the
signed headers once per signature (botocore derives them twice), and the signer object and
its signing key once per set of keys, region and day.
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from botocore.auth import EMPTY_SHA256_HASH, UNSIGNED_PAYLOAD, S3SigV4Auth
from botocore.awsrequest import AWSRequest

_PAYLOAD = "cloudfiles_payload_hash"
_SIGNED = "cloudfiles_headers_to_sign"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def payload_hash(body: bytes | None, unsigned: bool = False) -> str:
    """X-Amz-Content-SHA256 of a request: the body's SHA-256, or UNSIGNED-PAYLOAD.

    `unsigned` is for bodies S3 lets go unhashed: sent over https with a Content-MD5
    header (PutObject, UploadPart), as botocore decides for its own client.
    """
    if unsigned:
        return UNSIGNED_PAYLOAD
    return hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256_HASH


def host_of(url: str) -> str:
    """The Host header SigV4 signs for a URL: lowercase, without a default port."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{parts.port}"
    return host


class _S3SigV4(S3SigV4Auth):
    """botocore's S3 signer, given the payload hash, keeping its signing key for the day and
    deriving the signed headers once per signature."""

    def __init__(self, credentials: Any, region: str):
        super().__init__(credentials, "s3", region)
        self._day_key: tuple[str, bytes] = ("", b"")

    def payload(self, request: AWSRequest) -> str:
        given = request.context.get(_PAYLOAD)
        return super().payload(request) if given is None else given

    def headers_to_sign(self, request: AWSRequest):
        found = request.context.get(_SIGNED)
        if found is None:
            found = request.context[_SIGNED] = super().headers_to_sign(request)
        return found

    def signature(self, string_to_sign: str, request: AWSRequest) -> str:
        day = request.context["timestamp"][:8]
        known_day, key = self._day_key
        if known_day != day:
            key = self._sign(f"AWS4{self.credentials.secret_key}".encode(), day)
            for part in (self._region_name, self._service_name, "aws4_request"):
                key = self._sign(key, part)
            self._day_key = (day, key)
        return self._sign(key, string_to_sign, hex=True)


class S3Signer:
    """Signs requests with one set of AWS keys (botocore Credentials, which may refresh).

    Keys are frozen per signature, so a refresh takes effect at the next request; the
    signer made for the current keys and region is kept until either changes. Safe under
    threads.
    """

    def __init__(self, keys: Any):
        self.keys = keys
        self._lock = threading.Lock()
        self._current: tuple[Any, str, _S3SigV4] | None = None

    def _signer(self, region: str) -> _S3SigV4:
        frozen = self.keys.get_frozen_credentials()
        current = self._current
        if current is not None and current[0] == frozen and current[1] == region:
            return current[2]
        with self._lock:
            signer = _S3SigV4(frozen, region)
            self._current = (frozen, region, signer)
        return signer

    def sign(self, method: str, url: str, headers: Mapping[str, str], body: bytes | None,
             region: str, host: str, payload: str) -> dict[str, str]:
        """The request's headers plus X-Amz-Date, X-Amz-Content-SHA256, Authorization (and
        X-Amz-Security-Token for temporary keys).

        `url` must be percent-encoded exactly as it will be sent (S3 signs the path as is);
        `host` is host_of(url) and `payload` is payload_hash(body, ...), both worked out by
        the caller once.
        """
        request = AWSRequest(method=method, url=url, headers=headers, data=body)
        request.headers["host"] = host
        request.context[_PAYLOAD] = payload
        self._signer(region).add_auth(request)
        signed = dict(request.headers.items())
        del signed["host"]  # the engine sends it from the URL
        return signed


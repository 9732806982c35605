"""The GCS JSON API as gs:// uses it: endpoints, URLs, authorised requests and their errors
(built and read here, sent by whoever drives the operations)."""
from __future__ import annotations

import json
import os
import re
from typing import Any
from urllib.parse import quote

from ...domain.errors import CRC32CIntegrityError, MD5IntegrityError, TransientStorageError
from ...domain.objects import StorageConfig
from ...domain.ops import Op
from ...domain.paths import ExtractedPath
from ...domain.ports import HttpRequest, HttpResponse
from ..http_errors import raise_for_status
from .credentials import GcsAuth

DEFAULT_ENDPOINT = "https://storage.googleapis.com"
EMULATOR_ENV = "STORAGE_EMULATOR_HOST"


def resolve_endpoint(location: ExtractedPath, config: StorageConfig) -> tuple[str, bool]:
    """(endpoint URL, whether it came from STORAGE_EMULATOR_HOST).

    Precedence: a host in the path (gs://http://host:port/bucket), `endpoint=`, the
    STORAGE_EMULATOR_HOST variable ('host:port' or a URL), then the public endpoint.
    """
    if location.host:
        return location.host.rstrip("/"), False
    if config.endpoint:
        return config.endpoint.rstrip("/"), False
    emulator = os.environ.get(EMULATOR_ENV, "").strip()
    if emulator:
        url = emulator if "://" in emulator else f"http://{emulator}"
        return url.rstrip("/"), True
    return DEFAULT_ENDPOINT, False


def quote_name(name: str) -> str:
    """An object name as one URL path segment: every reserved character escaped, '/' too."""
    if _PLAIN_NAME(name):  # the common case, four times faster than quote()
        return name.replace("/", "%2F")
    return quote(name, safe="")


_PLAIN_NAME = re.compile(r"[A-Za-z0-9_.~/-]*\Z").match


def error_details(response: HttpResponse) -> tuple[str | None, str | None]:
    """(reason, message) of a GCS JSON error body, or (None, short text) for other bodies."""
    try:
        error = json.loads(response.content.decode("utf8"))["error"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        text = response.content[:200].decode("utf8", "replace").strip()
        return None, text or None
    if not isinstance(error, dict):
        return None, str(error)
    errors = error.get("errors") or [{}]
    reason = errors[0].get("reason") if isinstance(errors[0], dict) else None
    return reason, error.get("message")


class GcsClient:
    """Builds authorised JSON API requests about one bucket and reads their responses; it
    sends nothing (operations yield its requests, see domain.ops)."""

    def __init__(self, endpoint: str, bucket: str, auth: GcsAuth,
                 user_project: str | None = None):
        self.endpoint = endpoint
        self.bucket = bucket
        self.auth = auth
        self.user_project = user_project
        bucket_part = quote_name(bucket)
        self._bucket_url = f"{endpoint}/storage/v1/b/{bucket_part}"
        self._upload_url = f"{endpoint}/upload/storage/v1/b/{bucket_part}/o"
        self._plain_query = self._query({})  # built once: the hot paths use these two
        self._media_query = self._query({"alt": "media"})

    def _query(self, params: dict[str, Any]) -> str:
        if self.user_project:
            params = {**params, "userProject": self.user_project}
        given = [f"{quote(name, safe='')}={quote(str(value), safe='')}"
                 for name, value in params.items() if value is not None]
        return "?" + "&".join(given) if given else ""

    def object_url(self, name: str, **params: Any) -> str:
        """URL of an object's resource (its metadata)."""
        query = self._query(params) if params else self._plain_query
        return f"{self._bucket_url}/o/{quote_name(name)}{query}"

    def media_url(self, name: str) -> str:
        """URL of an object's bytes."""
        return f"{self._bucket_url}/o/{quote_name(name)}{self._media_query}"

    def bucket_url(self, **params: Any) -> str:
        """URL of the bucket's own resource (its metadata)."""
        return self._bucket_url + self._query(params)

    def objects_url(self, **params: Any) -> str:
        """URL of the bucket's object collection (listing)."""
        return f"{self._bucket_url}/o" + self._query(params)

    def upload_url(self, **params: Any) -> str:
        """URL that uploads create objects at."""
        return self._upload_url + self._query(params)

    def rewrite_url(self, source_bucket: str, source: str, name: str, **params: Any) -> str:
        """URL of a server-side copy of source_bucket/source into this bucket's name."""
        return (f"{self.endpoint}/storage/v1/b/{quote_name(source_bucket)}/o/"
                f"{quote_name(source)}/rewriteTo/b/{quote_name(self.bucket)}/o/"
                f"{quote_name(name)}" + self._query(params))

    def batch_url(self) -> str:
        """URL of the batch endpoint."""
        return f"{self.endpoint}/batch/storage/v1"

    def uri(self, name: str = "") -> str:
        """gs://bucket/name, for messages."""
        return f"gs://{self.bucket}/{name}"

    def request(self, method: str, url: str, headers: dict[str, str] | None = None,
                body: bytes | None = None) -> HttpRequest:
        """A request carrying the Authorization header (when there are credentials)."""
        auth = self.auth.headers(self.bucket)
        return HttpRequest(method, url, {**headers, **auth} if headers else dict(auth), body)

    def received(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """response to request, once its token was judged: a refused token is dropped and the
        request worth a retry (TransientStorageError), unless a fresh token was refused too."""
        if response.status == 401:
            headers = request.headers
            token = headers.get("authorization") or headers.get("Authorization")
            if self.auth.reject(token):
                raise TransientStorageError(
                    f"{request.method} {self.uri()}: HTTP 401, the access token was refused; "
                    "retrying with a fresh one", 401)
        else:
            self.auth.confirm()
        return response

    def exchange(self, method: str, url: str, headers: dict[str, str] | None = None,
                 body: bytes | None = None) -> Op[HttpResponse]:
        """Operation: one authorised request and its (judged) response."""
        request = self.request(method, url, headers, body)
        return self.received(request, (yield request))

    def check(self, response: HttpResponse, what: str) -> None:
        """Raise the domain error of a failed response (integrity refusals are retryable)."""
        if response.status < 400:
            return
        reason, message = error_details(response)
        if response.status == 400 and message and "match" in message:
            if "MD5" in message.upper() and "CRC32C" not in message.upper():
                raise MD5IntegrityError(f"{what}: {message}")
            if "CRC32C" in message.upper():
                raise CRC32CIntegrityError(f"{what}: {message}")
        raise_for_status(response, what, reason, message, self.auth.describe(self.bucket))

    def json(self, response: HttpResponse, what: str) -> dict[str, Any]:
        """The JSON body of a successful response."""
        self.check(response, what)
        try:
            return json.loads(response.content.decode("utf8")) if response.content else {}
        except (ValueError, UnicodeDecodeError) as error:
            raise TransientStorageError(f"{what}: unreadable JSON response: {error}") from error

"""The GCS JSON API as gs:// uses it: endpoints, URLs, authorised requests and their errors."""
from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import quote, urlencode

from ..domain.errors import CRC32CIntegrityError, MD5IntegrityError, TransientStorageError
from ..domain.objects import StorageConfig
from ..domain.paths import ExtractedPath
from ..domain.ports import HttpRequest, HttpResponse, Transport
from .gcs_credentials import GcsAuth
from .http_errors import raise_for_status

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
    return quote(name, safe="")


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
    """Sends authorised JSON API requests about one bucket through a shared transport."""

    def __init__(self, endpoint: str, bucket: str, transport: Transport, auth: GcsAuth,
                 user_project: str | None = None):
        self.endpoint = endpoint
        self.bucket = bucket
        self.transport = transport
        self.auth = auth
        self.user_project = user_project

    def _query(self, params: dict[str, Any]) -> str:
        if self.user_project:
            params = {**params, "userProject": self.user_project}
        given = {k: v for k, v in params.items() if v is not None}
        return "?" + urlencode(given, quote_via=quote, safe="") if given else ""

    def object_url(self, name: str, **params: Any) -> str:
        """URL of an object's resource (add alt='media' for its bytes)."""
        return (f"{self.endpoint}/storage/v1/b/{quote_name(self.bucket)}/o/{quote_name(name)}"
                + self._query(params))

    def bucket_url(self, **params: Any) -> str:
        """URL of the bucket's own resource (its metadata)."""
        return f"{self.endpoint}/storage/v1/b/{quote_name(self.bucket)}" + self._query(params)

    def objects_url(self, **params: Any) -> str:
        """URL of the bucket's object collection (listing)."""
        return f"{self.endpoint}/storage/v1/b/{quote_name(self.bucket)}/o" + self._query(params)

    def upload_url(self, **params: Any) -> str:
        """URL that uploads create objects at."""
        return (f"{self.endpoint}/upload/storage/v1/b/{quote_name(self.bucket)}/o"
                + self._query(params))

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

    def send(self, method: str, url: str, headers: dict[str, str] | None = None,
             body: bytes | None = None) -> HttpResponse:
        """Send one request with the Authorization header (when there are credentials)."""
        all_headers = dict(headers or {})
        self.auth.authorize(all_headers, self.bucket)
        response = self.transport.send(HttpRequest(method, url, all_headers, body))
        if response.status == 401:
            token = all_headers.get("authorization") or all_headers.get("Authorization")
            if self.auth.reject(token):
                raise TransientStorageError(
                    f"{method} {self.uri()}: HTTP 401, the access token was refused; "
                    "retrying with a fresh one", 401)
        else:
            self.auth.confirm()
        return response

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

"""Sends signed REST requests to one S3 bucket and turns failures into domain errors."""
from __future__ import annotations

from collections.abc import Mapping

from ..domain.errors import MD5IntegrityError, StorageError, TransientStorageError
from ..domain.ports import HttpRequest, HttpResponse, Transport
from .aws_credentials import AwsCredentials
from .aws_signing import sign_s3_request
from .http_errors import raise_for_status
from .s3_endpoint import Query, S3Endpoint
from .s3_xml import parse_error

#: Error codes that may pass on a second try even though S3 sent them with a 2xx/4xx status.
TRANSIENT_CODES = frozenset({"InternalError", "SlowDown", "ServiceUnavailable", "RequestTimeout",
                             "OperationAborted"})


class S3Client:
    """One bucket's requests: addressed, signed (unless anonymous) and sent on the transport."""

    def __init__(self, endpoint: S3Endpoint, credentials: AwsCredentials, transport: Transport,
                 request_payer: str | None = None, protocol: str = "s3"):
        self.endpoint = endpoint
        self.credentials = credentials
        self.transport = transport
        self.request_payer = request_payer
        self.protocol = protocol

    def describe(self, method: str, key: str | None = None) -> str:
        """`GET s3://bucket/key`, naming a request in error messages."""
        return f"{method} {self.protocol}://{self.endpoint.bucket}/{key or ''}"

    def send(self, method: str, key: str | None = None, query: Query = (),
             headers: Mapping[str, str] | None = None, body: bytes | None = None,
             unsigned_payload: bool = False) -> HttpResponse:
        """Send one request; follows a wrong-region answer once by re-signing for the right one."""
        query = list(query)
        for attempt in range(2):
            endpoint = self.endpoint
            url = endpoint.url(key, query)
            sent = dict(headers or {})
            if self.request_payer:
                sent["x-amz-request-payer"] = self.request_payer
            if not self.credentials.anonymous:
                sent = sign_s3_request(method, url, sent, body, self.credentials.frozen_keys(),
                                       endpoint.region, unsigned_payload and url.startswith("https"))
            response = self.transport.send(HttpRequest(method, url, sent, body))
            region = _redirected_region(response, endpoint)
            if region is None or attempt:
                return response
            self.endpoint = endpoint.in_region(region)
        return response  # pragma: no cover - the loop always returns

    def check(self, response: HttpResponse, what: str) -> None:
        """Raise the domain error for a failed response (nothing for 2xx)."""
        status = response.status
        if status < 300:
            return
        error = parse_error(response.content)
        bucket = self.endpoint.bucket
        if error.code == "NoSuchBucket":
            raise StorageError(
                f"{what}: the bucket {bucket!r} does not exist at {self.endpoint.describe()}.",
                status, error.code,
            )
        if error.code == "BadDigest":
            raise MD5IntegrityError(f"{what}: the server received corrupted bytes "
                                    f"({error.message or 'Content-MD5 mismatch'}).")
        if status < 400:
            raise StorageError(
                f"{what}: HTTP {status} {error.code or ''}: {error.message or 'redirected'} "
                f"(is bucket {bucket!r} in another region? set AWS_DEFAULT_REGION).",
                status, error.code,
            )
        if error.code in TRANSIENT_CODES:
            raise TransientStorageError(f"{what}: HTTP {status} {error.code}: {error.message}",
                                        status)
        raise_for_status(response, what, error.code, error.message,
                         self.credentials.describe(bucket))

    def check_body(self, response: HttpResponse, what: str) -> None:
        """Raise for an <Error> document sent with status 200 (CopyObject, multipart complete)."""
        error = parse_error(response.content)
        if error.code is None:
            return
        detail = f"{what}: {error.code}: {error.message}"
        if error.code in TRANSIENT_CODES:
            raise TransientStorageError(detail, response.status)
        raise StorageError(detail, response.status, error.code)


def _redirected_region(response: HttpResponse, endpoint: S3Endpoint) -> str | None:
    """The bucket's real region when S3 refused the request for being signed for another."""
    if response.status not in (301, 307, 400):
        return None
    region = response.header("x-amz-bucket-region")
    if not region and response.status == 400:
        error = parse_error(response.content)
        region = error.region if error.code == "AuthorizationHeaderMalformed" else None
    return region if region and region != endpoint.region else None

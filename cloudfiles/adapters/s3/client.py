"""The REST requests of one S3 bucket: built, signed and read here, sent by whoever drives them.

An S3Call is a request before addressing and signing: what stays the same whatever the
region it goes to or the time it is signed at (its body hash is computed once). `signed`
turns it into an HttpRequest for the current endpoint; `exchange` is the operation that
sends it and follows a wrong-region answer once.
"""
from __future__ import annotations

from collections.abc import Mapping

from attrs import frozen

from ...domain.errors import MD5IntegrityError, StorageError, TransientStorageError
from ...domain.ops import Op
from ...domain.ports import HttpRequest, HttpResponse
from ..http_errors import raise_for_status
from .credentials import AwsCredentials
from .endpoint import Query, S3Endpoint, object_url, query_string
from .signing import S3Signer, host_of, payload_hash
from .xml_bodies import parse_error

#: Error codes that may pass on a second try even though S3 sent them with a 2xx/4xx status.
TRANSIENT_CODES = frozenset({"InternalError", "SlowDown", "ServiceUnavailable", "RequestTimeout",
                             "OperationAborted"})


@frozen
class S3Call:
    """One request to the bucket, before it is addressed and signed."""

    method: str
    key: str | None  # None: the bucket itself
    query: str  # encoded query string, '' for none
    headers: Mapping[str, str]
    body: bytes | None
    payload: str  # X-Amz-Content-SHA256


@frozen
class _Target:
    """Where requests go now: the endpoint, its bucket URL and the host signed for it."""

    endpoint: S3Endpoint
    root: str
    host: str


def _target(endpoint: S3Endpoint) -> _Target:
    root = endpoint.bucket_url()
    return _Target(endpoint, root, host_of(root))


class S3Client:
    """One bucket's requests: addressed, signed (unless anonymous) and checked."""

    def __init__(self, endpoint: S3Endpoint, credentials: AwsCredentials,
                 request_payer: str | None = None, protocol: str = "s3"):
        self.credentials = credentials
        self.request_payer = request_payer
        self.protocol = protocol
        self.signer = None if credentials.anonymous else S3Signer(credentials.keys)
        self._target = _target(endpoint)

    @property
    def endpoint(self) -> S3Endpoint:
        """Where the bucket's requests go (its region may change once: see `exchange`)."""
        return self._target.endpoint

    def describe(self, method: str, key: str | None = None) -> str:
        """`GET s3://bucket/key`, naming a request in error messages."""
        return f"{method} {self.protocol}://{self.endpoint.bucket}/{key or ''}"

    def call(self, method: str, key: str | None = None, query: Query = (),
             headers: Mapping[str, str] | None = None, body: bytes | None = None,
             unsigned_payload: bool = False) -> S3Call:
        """A request to key (the bucket when None). `unsigned_payload` leaves the body
        unhashed over https; give it only with a Content-MD5 header."""
        sent = dict(headers) if headers else {}
        if self.request_payer:
            sent["x-amz-request-payer"] = self.request_payer
        payload = ""
        if self.signer is not None:
            unsigned = unsigned_payload and self._target.root.startswith("https")
            payload = payload_hash(body, unsigned)
        return S3Call(method, key, query_string(query), sent, body, payload)

    def signed(self, call: S3Call) -> HttpRequest:
        """The call as sent now: addressed to the current endpoint and signed for its region."""
        target = self._target
        url = object_url(target.root, call.key, call.query)
        headers = call.headers
        if self.signer is not None:
            headers = self.signer.sign(call.method, url, headers, call.body,
                                       target.endpoint.region, target.host, call.payload)
        return HttpRequest(call.method, url, headers, call.body)

    def exchange(self, call: S3Call) -> Op[HttpResponse]:
        """Operation: send the call; when S3 answers that the bucket is in another region,
        the endpoint moves there (for every later request too) and the call is signed again
        and sent once more."""
        response = yield self.signed(call)
        target = self._target
        region = _redirected_region(response, target.endpoint)
        if region is None:
            return response
        if target is self._target:
            self._target = _target(target.endpoint.in_region(region))
        return (yield self.signed(call))

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

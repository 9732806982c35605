"""s3:// (Amazon S3 and any S3-compatible server) and its aliases over the raw REST API.

Requests are built here, signed with botocore's SigV4 signer and sent on the shared pooled
transport. Paths: `s3://bucket/dir` (AWS), `s3://https://host:9000/bucket/dir` or
`endpoint=` (any S3-compatible server, path-style addressing), and aliases of such servers
(`matrix://bucket/dir`, `tigerdata://`, user aliases), whose keys are read from
`{alias}-secret.json` instead of `aws-secret.json`.
Adapter options (CloudFiles(**kwargs)): `no_sign_request` (send every request unsigned and
look up no credentials), `multipart_threshold`, `multipart_part_size`, `multipart_threads`
(bytes, bytes, count) and `max_keys` (list page size, at most 1000).
"""
from __future__ import annotations

import base64
import hashlib
import heapq
from collections.abc import Iterable, Iterator
from email.utils import parsedate_to_datetime
from urllib.parse import quote

from ..domain.byteranges import ByteRange
from ..domain.encodings import encoding_from_header
from ..domain.errors import MD5IntegrityError, StorageError, TransientStorageError
from ..domain.objects import ObjectInfo, PutOptions, StorageConfig, StoredObject
from ..domain.paths import ExtractedPath
from ..domain.ports import HttpResponse, Storage
from .aws_credentials import find_credentials, unsigned
from .checksums import md5_base64
from .s3_client import TRANSIENT_CODES, S3Client
from .s3_endpoint import resolve_endpoint
from .s3_multipart import MiB, MultipartSettings, MultipartUpload
from .s3_xml import (
    delete_objects_body,
    is_xml_safe,
    parse_delete_failures,
    parse_error,
    parse_list_page,
)
from .transport import shared_transport

MAX_DELETE_BATCH = 1000
_MD5_ETAG_LENGTH = 32


def _int_option(options: dict, name: str, default: int) -> int:
    value = options.get(name)
    return default if value is None else int(value)


class S3Storage(Storage):
    """One bucket (and a key prefix in it) of Amazon S3 or of an S3-compatible server."""

    protocol = "s3"
    batch_delete = True
    OPTIONS = frozenset({"multipart_threshold", "multipart_part_size", "multipart_threads",
                         "max_keys"})

    def __init__(self, location: ExtractedPath, config: StorageConfig):
        super().__init__(location, config)
        if not location.bucket:
            raise StorageError(f"{self.protocol}:// paths need a bucket: {location!r}")
        if config.request_payer not in (None, "requester"):
            raise ValueError(f"request_payer must be 'requester' for {self.protocol}://, "
                             f"not {config.request_payer!r}.")
        self.bucket = location.bucket
        path = location.path or ""
        self._base = path.rstrip("/") + "/" if path.strip("/") else ""
        options = config.options
        #: The alias the path was written with (matrix, tigerdata...), None for s3://.
        self.alias: str | None = location.alias
        if options.get("no_sign_request"):
            self.credentials = unsigned()
        else:
            self.credentials = find_credentials(self.bucket, config.secrets,
                                                self.alias or "aws")
        endpoint = resolve_endpoint(self.bucket, self.credentials.region or "us-east-1",
                                    location.host, config.endpoint)
        transport = shared_transport(config.num_threads, config.connect_timeout,
                                     config.read_timeout)
        self.client = S3Client(endpoint, self.credentials, transport, config.request_payer,
                               self.alias or self.protocol)
        self.multipart = MultipartSettings(
            threshold=_int_option(options, "multipart_threshold", 100 * MiB),
            part_size=_int_option(options, "multipart_part_size", 8 * MiB),
            threads=_int_option(options, "multipart_threads", 4),
        )
        self.max_keys = max(1, min(1000, _int_option(options, "max_keys", 1000)))
        self._bucket_confirmed = False

    def _object_missing(self, response: HttpResponse, what: str) -> None:
        """Called on a 404 for an object: a missing object only if the bucket exists.

        A HEAD answer has no body to tell NoSuchKey from NoSuchBucket, so the bucket is
        asked about once per storage (HeadBucket); a missing bucket raises, naming it.
        """
        if parse_error(response.content).code == "NoSuchBucket":
            self.client.check(response, what)
        if self._bucket_confirmed:
            return
        answer = self.client.send("HEAD", None)
        if answer.status == 404:
            raise StorageError(
                f"{what}: the bucket {self.bucket!r} does not exist at "
                f"{self.client.endpoint.describe()}.", 404, "NoSuchBucket")
        self._bucket_confirmed = True

    def _key(self, key: str) -> str:
        return self._base + key

    # -- reading -----------------------------------------------------------------------------
    def get(self, key: str, byte_range: ByteRange | None = None) -> StoredObject | None:
        full = self._key(key)
        if byte_range is not None and byte_range.is_empty:
            return self._nothing_in_range(key)
        header = None if byte_range is None else byte_range.http_header()
        response = self.client.send("GET", full, headers={"Range": header} if header else None)
        what = self.client.describe("GET", full)
        if response.status == 404:
            self._object_missing(response, what)
            return None
        if response.status == 416:
            return self._nothing_in_range(key)
        self.client.check(response, what)
        content = response.content
        if response.status == 200:
            _check_md5(response, content, what)
        return StoredObject(content, _encoding(response), partial=response.status == 206,
                            content_type=response.header("Content-Type"))

    def _nothing_in_range(self, key: str) -> StoredObject | None:
        """A range past the end: empty, but the app needs the encoding to decode instead."""
        info = self.head(key)
        if info is None:
            return None
        return StoredObject(b"", info.encoding, partial=True, content_type=info.content_type)

    def head(self, key: str) -> ObjectInfo | None:
        full = self._key(key)
        response = self.client.send("HEAD", full)
        if response.status == 404:
            self._object_missing(response, self.client.describe("HEAD", full))
            return None
        self.client.check(response, self.client.describe("HEAD", full))
        etag = (response.header("ETag") or "").strip('"') or None
        modified = response.header("Last-Modified")
        return ObjectInfo(
            size=int(response.header("Content-Length") or 0),
            encoding=_encoding(response),
            content_type=response.header("Content-Type"),
            cache_control=response.header("Cache-Control"),
            storage_class=response.header("x-amz-storage-class") or "STANDARD",
            etag=etag,
            last_modified=parsedate_to_datetime(modified).timestamp() if modified else None,
        )

    def list(self, prefix: str = "", flat: bool = False) -> Iterator[str]:
        return self._list(prefix, flat)

    def _list(self, prefix: str, flat: bool) -> Iterator[str]:
        full_prefix = self._key(prefix)
        start = len(self._base)
        token = None
        while True:
            page = self.retry(self._list_page, full_prefix, flat, token)
            for name in heapq.merge(page.keys, page.prefixes):
                if name[start:]:
                    yield name[start:]
            token = page.next_token
            if token is None:
                return

    def _list_page(self, prefix: str, flat: bool, token: str | None):
        query = [("list-type", "2"), ("encoding-type", "url")]
        if prefix:
            query.append(("prefix", prefix))
        if flat:
            query.append(("delimiter", "/"))
        if self.max_keys != 1000:
            query.append(("max-keys", str(self.max_keys)))
        if token:
            query.append(("continuation-token", token))
        response = self.client.send("GET", None, query)
        what = self.client.describe("GET", prefix) + " (list)"
        self.client.check(response, what)
        try:
            return parse_list_page(response.content)
        except ValueError as error:  # a cut or garbled page: ask again
            raise TransientStorageError(f"{what}: {error}", response.status) from error

    # -- writing -----------------------------------------------------------------------------
    def put(self, key: str, content: bytes, options: PutOptions) -> None:
        full = self._key(key)
        headers = _object_headers(options)
        if len(content) > self.multipart.threshold:
            MultipartUpload(self.client, full, self.multipart, self.retry).run(content, headers)
            return
        digest = hashlib.md5(content)
        headers["Content-MD5"] = base64.b64encode(digest.digest()).decode("ascii")
        response = self.client.send("PUT", full, headers=headers, body=content,
                                    unsigned_payload=True)
        what = self.client.describe("PUT", full)
        self.client.check(response, what)
        etag = (response.header("ETag") or "").strip('"')
        if _is_md5(etag) and etag != digest.hexdigest():
            raise MD5IntegrityError(f"{what}: the server stored md5 {etag}, "
                                    f"we sent {digest.hexdigest()}.")

    def delete(self, key: str) -> None:
        full = self._key(key)
        response = self.client.send("DELETE", full)
        if response.status == 404:
            self._object_missing(response, self.client.describe("DELETE", full))
            return
        self.client.check(response, self.client.describe("DELETE", full))

    def delete_many(self, keys: Iterable[str]) -> None:
        """DeleteObjects, up to 1000 keys a request; keys XML cannot carry go one by one."""
        batch: list[str] = []
        for key in keys:
            if not is_xml_safe(self._key(key)):
                self.delete(key)
                continue
            batch.append(self._key(key))
            if len(batch) == MAX_DELETE_BATCH:
                self._delete_batch(batch)
                batch = []
        if batch:
            self._delete_batch(batch)

    def _delete_batch(self, full_keys: list[str]) -> None:
        body = delete_objects_body(full_keys)
        headers = {"Content-MD5": md5_base64(body), "Content-Type": "application/xml"}
        response = self.client.send("POST", None, [("delete", None)], headers, body)
        what = self.client.describe("POST", "") + f" (delete {len(full_keys)} objects)"
        self.client.check(response, what)
        failures = [f for f in parse_delete_failures(response.content) if f.code != "NoSuchKey"]
        if not failures:
            return
        shown = "; ".join(f"{f.key}: {f.code} {f.message}" for f in failures[:5])
        detail = f"{what}: {len(failures)} not deleted: {shown}"
        if any(f.code in TRANSIENT_CODES for f in failures):
            raise TransientStorageError(detail)
        raise StorageError(detail, response.status, failures[0].code)

    def copy_from(self, source: Storage, source_key: str, key: str) -> bool:
        """CopyObject when both ends are buckets of one service reached with the same keys."""
        if not isinstance(source, S3Storage) or not self._same_service(source):
            return False
        full = self._key(key)
        if source.bucket == self.bucket and source._key(source_key) == full:
            return True  # an object copied onto itself, unchanged: nothing to do
        copy_source = quote(f"/{source.bucket}/{source._key(source_key)}", safe="/")
        response = self.client.send("PUT", full, headers={"x-amz-copy-source": copy_source})
        if response.status == 404:
            return False  # missing source: the plain path reports it as such
        error = parse_error(response.content)
        if error.code == "InvalidRequest" and "copy source is larger" in (error.message or ""):
            return False  # over 5 GiB: CopyObject cannot, download + upload can
        what = f"{self.client.describe('PUT', full)} (copy from {source.bucket}/{source_key})"
        self.client.check(response, what)
        self.client.check_body(response, what)
        return True

    def _same_service(self, other: S3Storage) -> bool:
        return (self.client.endpoint.service_id == other.client.endpoint.service_id
                and self.credentials.access_key == other.credentials.access_key
                and self.client.request_payer == other.client.request_payer)


def _object_headers(options: PutOptions) -> dict[str, str]:
    headers = {"Content-Type": options.content_type or "application/octet-stream"}
    if options.encoding:
        headers["Content-Encoding"] = options.encoding
    if options.cache_control:
        headers["Cache-Control"] = options.cache_control
    if options.storage_class:
        headers["x-amz-storage-class"] = options.storage_class
    return headers


def _encoding(response: HttpResponse) -> str | None:
    return encoding_from_header(response.header("Content-Encoding"))


def _is_md5(etag: str) -> bool:
    return len(etag) == _MD5_ETAG_LENGTH and all(c in "0123456789abcdef" for c in etag.lower())


def _check_md5(response: HttpResponse, content: bytes, what: str) -> None:
    """Compare a whole body with an ETag that is its md5 (not multipart, not SSE-KMS/SSE-C)."""
    etag = (response.header("ETag") or "").strip('"')
    encrypted = response.header("x-amz-server-side-encryption") == "aws:kms" or \
        response.header("x-amz-server-side-encryption-customer-algorithm")
    if not _is_md5(etag) or encrypted:
        return
    actual = hashlib.md5(content).hexdigest()
    if actual != etag.lower():
        raise MD5IntegrityError(
            f"{what}: md5 of the {len(content)} bytes received is {actual}, the ETag says {etag}."
        )

"""s3:// (Amazon S3 and any S3-compatible server) and its aliases over the raw REST API.

Written sans-I/O (domain.op_storage): every call is an operation that yields requests, signed
with botocore's SigV4 signer, and reads the answers; the app sends them on the transport the
composition root chose. Paths: `s3://bucket/dir` (AWS), `s3://https://host:9000/bucket/dir`
or `endpoint=` (any S3-compatible server, path-style addressing), and aliases of such servers
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
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from urllib.parse import quote

from ...domain.byteranges import ByteRange
from ...domain.encodings import encoding_from_header
from ...domain.errors import MD5IntegrityError, StorageError, TransientStorageError
from ...domain.listing import key_prefix
from ...domain.objects import (
    DEFAULT_CONTENT_TYPE,
    ObjectInfo,
    PutOptions,
    StorageConfig,
    StoredObject,
)
from ...domain.op_storage import ListPage, OpStorage
from ...domain.ops import Op
from ...domain.paths import ExtractedPath
from ...domain.ports import HttpResponse, Storage, Transport
from ...domain.streams import STREAM_FROM, ByteSource, Digests, md5_of_etag
from ..checksums import md5_base64
from .client import TRANSIENT_CODES, S3Client
from .credentials import find_credentials, unsigned
from .endpoint import resolve_endpoint
from .multipart import MiB, MultipartSettings, upload_op
from .xml_bodies import (
    ListObjectsPage,
    delete_objects_body,
    is_xml_safe,
    parse_delete_failures,
    parse_error,
    parse_list_page,
)

MAX_DELETE_BATCH = 1000


def _int_option(options: dict, name: str, default: int) -> int:
    value = options.get(name)
    return default if value is None else int(value)


class S3Storage(OpStorage):
    """One bucket (and a key prefix in it) of Amazon S3 or of an S3-compatible server."""

    lists_sizes = True

    protocol = "s3"
    batch_delete = True
    OPTIONS = frozenset({"multipart_threshold", "multipart_part_size", "multipart_threads",
                         "max_keys"})

    def __init__(self, location: ExtractedPath, config: StorageConfig, transport: Transport):
        super().__init__(location, config, transport)
        if not location.bucket:
            raise StorageError(f"{self.protocol}:// paths need a bucket: {location!r}")
        if config.request_payer not in (None, "requester"):
            raise ValueError(f"request_payer must be 'requester' for {self.protocol}://, "
                             f"not {config.request_payer!r}.")
        self.bucket = location.bucket
        path = location.path or ""
        #: Where the root is inside the bucket: '' or a prefix ending in '/'.
        self.prefix = key_prefix(path)
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
        self.client = S3Client(endpoint, self.credentials, config.request_payer,
                               self.alias or self.protocol)
        self.multipart = MultipartSettings(
            threshold=_int_option(options, "multipart_threshold", 100 * MiB),
            part_size=_int_option(options, "multipart_part_size", 8 * MiB),
            threads=_int_option(options, "multipart_threads", 4),
        )
        self.max_keys = max(1, min(1000, _int_option(options, "max_keys", 1000)))
        self._bucket_confirmed = False

    def _key(self, key: str) -> str:
        return self.prefix + key

    def _object_missing_op(self, response: HttpResponse, what: str) -> Op[None]:
        """Operation, after a 404 for an object: a missing object only if the bucket exists.

        A HEAD answer has no body to tell NoSuchKey from NoSuchBucket, so the bucket is
        asked about once per storage (HeadBucket); a missing bucket raises, naming it.
        """
        if parse_error(response.content).code == "NoSuchBucket":
            self.client.check(response, what)
        if self._bucket_confirmed:
            return
        answer = yield from self.client.exchange(self.client.call("HEAD"))
        if answer.status == 404:
            raise StorageError(
                f"{what}: the bucket {self.bucket!r} does not exist at "
                f"{self.client.endpoint.describe()}.", 404, "NoSuchBucket")
        if answer.status < 500 and answer.status != 429:  # else: ask again next time
            self._bucket_confirmed = True

    # -- reading -----------------------------------------------------------------------------
    def get_op(self, key: str, byte_range: ByteRange | None = None) -> Op[StoredObject | None]:
        if byte_range is not None and byte_range.is_empty:
            return (yield from self._nothing_in_range_op(key))
        full = self._key(key)
        header = None if byte_range is None else byte_range.http_header()
        call = self.client.call("GET", full, headers={"Range": header} if header else None)
        response = yield from self.client.exchange(call)
        what = self.client.describe("GET", full)
        if response.status == 404:
            yield from self._object_missing_op(response, what)
            return None
        if response.status == 416:
            return (yield from self._nothing_in_range_op(key))
        self.client.check(response, what)
        content, header = response.content, response.header
        if response.status == 200 and not response.streamed:
            _check_md5(header, content, what)
        return StoredObject(content, encoding_from_header(header("content-encoding")),
                            partial=response.status == 206,
                            content_type=header("content-type"))

    def _nothing_in_range_op(self, key: str) -> Op[StoredObject | None]:
        """A range past the end: empty, but the app needs the encoding to decode instead."""
        info = yield from self.head_op(key)
        if info is None:
            return None
        return StoredObject(b"", info.encoding, partial=True, content_type=info.content_type)

    def head_op(self, key: str) -> Op[ObjectInfo | None]:
        full = self._key(key)
        response = yield from self.client.exchange(self.client.call("HEAD", full))
        what = self.client.describe("HEAD", full)
        if response.status == 404:
            yield from self._object_missing_op(response, what)
            return None
        self.client.check(response, what)
        header = response.header
        etag = (header("etag") or "").strip('"') or None
        modified = header("last-modified")
        return ObjectInfo(
            size=int(header("content-length") or 0),
            encoding=encoding_from_header(header("content-encoding")),
            content_type=header("content-type"),
            cache_control=header("cache-control"),
            storage_class=header("x-amz-storage-class") or "STANDARD",
            etag=etag,
            last_modified=parsedate_to_datetime(modified).timestamp() if modified else None,
            digests=Digests(md5=None if _encrypted(header) else md5_of_etag(etag)),
        )

    def list_page_op(self, prefix: str, flat: bool, token: str | None) -> Op[ListPage]:
        """Operation: one ListObjectsV2 page; sizes come with it, 'dir/' entries when flat."""
        full_prefix = self._key(prefix)
        query = [("list-type", "2"), ("encoding-type", "url")]
        if full_prefix:
            query.append(("prefix", full_prefix))
        if flat:
            query.append(("delimiter", "/"))
        if self.max_keys != 1000:
            query.append(("max-keys", str(self.max_keys)))
        if token:
            query.append(("continuation-token", token))
        response = yield from self.client.exchange(self.client.call("GET", None, query))
        what = self.client.describe("GET", full_prefix) + " (list)"
        self.client.check(response, what)
        try:
            page = parse_list_page(response.content)
        except ValueError as error:  # a cut or garbled page: ask again
            raise TransientStorageError(f"{what}: {error}", response.status) from error
        return self._relative(page)

    def _relative(self, page: ListObjectsPage) -> ListPage:
        """A listing page with names relative to the root, keys and 'dir/' in order, and
        the sizes when the server gave every key's."""
        start = len(self.prefix)
        named = heapq.merge(zip(page.keys, page.sizes), ((p, None) for p in page.prefixes),
                            key=lambda entry: entry[0])
        entries = [(name[start:], size) for name, size in named if name[start:]]
        sized = None not in page.sizes  # else the app asks for each size
        return ListPage(tuple(name for name, _ in entries), page.next_token,
                        tuple(size for _, size in entries) if sized else None)

    # -- writing -----------------------------------------------------------------------------
    def put_op(self, key: str, content: bytes, options: PutOptions) -> Op[None]:
        full = self._key(key)
        headers = _object_headers(options)
        if len(content) > self.multipart.threshold or _streamed(content):
            yield from upload_op(self.client, full, content, headers, self.multipart)
            return
        if isinstance(content, ByteSource):
            content = content.read_all()
        digest = hashlib.md5(content)
        headers["Content-MD5"] = base64.b64encode(digest.digest()).decode("ascii")
        call = self.client.call("PUT", full, headers=headers, body=content,
                                unsigned_payload=True)
        response = yield from self.client.exchange(call)
        what = self.client.describe("PUT", full)
        self.client.check(response, what)
        etag = (response.header("ETag") or "").strip('"')
        if _is_md5(etag) and etag != digest.hexdigest():
            raise MD5IntegrityError(f"{what}: the server stored md5 {etag}, "
                                    f"we sent {digest.hexdigest()}.")

    def delete_op(self, key: str) -> Op[None]:
        full = self._key(key)
        response = yield from self.client.exchange(self.client.call("DELETE", full))
        what = self.client.describe("DELETE", full)
        if response.status == 404:
            yield from self._object_missing_op(response, what)
            return
        self.client.check(response, what)

    def delete_many_op(self, keys: list[str]) -> Op[None]:
        """Operation: DeleteObjects, up to 1000 keys a request; keys XML cannot carry go one
        by one."""
        batch: list[str] = []
        for key in keys:
            if not is_xml_safe(self._key(key)):
                yield from self.delete_op(key)
                continue
            batch.append(self._key(key))
            if len(batch) == MAX_DELETE_BATCH:
                yield from self._delete_batch_op(batch)
                batch = []
        if batch:
            yield from self._delete_batch_op(batch)

    def _delete_batch_op(self, full_keys: list[str]) -> Op[None]:
        body = delete_objects_body(full_keys)
        headers = {"Content-MD5": md5_base64(body), "Content-Type": "application/xml"}
        call = self.client.call("POST", None, [("delete", None)], headers, body)
        response = yield from self.client.exchange(call)
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

    def copy_from_op(self, source: Storage, source_key: str, key: str) -> Op[bool]:
        """Operation: CopyObject when both ends are buckets of one service reached with the
        same keys; False otherwise (and for sources CopyObject cannot copy)."""
        if not isinstance(source, S3Storage) or not self._same_service(source):
            return False
        full = self._key(key)
        if source.bucket == self.bucket and source._key(source_key) == full:
            return True  # an object copied onto itself, unchanged: nothing to do
        copy_source = quote(f"/{source.bucket}/{source._key(source_key)}", safe="/")
        call = self.client.call("PUT", full, headers={"x-amz-copy-source": copy_source})
        response = yield from self.client.exchange(call)
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
    headers = {"Content-Type": options.content_type or DEFAULT_CONTENT_TYPE}
    if options.encoding:
        headers["Content-Encoding"] = options.encoding
    if options.cache_control:
        headers["Cache-Control"] = options.cache_control
    if options.storage_class:
        headers["x-amz-storage-class"] = options.storage_class
    return headers


def _is_md5(etag: str) -> bool:
    return md5_of_etag(etag) is not None


def _streamed(content: object) -> bool:
    """Whether content is a big local file, read a part at a time (whatever the threshold)."""
    return isinstance(content, ByteSource) and len(content) >= STREAM_FROM


def _encrypted(header: Callable[[str], str | None]) -> bool:
    """Whether the object is encrypted in a way that makes its ETag no md5 (SSE-KMS, SSE-C)."""
    return header("x-amz-server-side-encryption") == "aws:kms" or \
        bool(header("x-amz-server-side-encryption-customer-algorithm"))


def _check_md5(header: Callable[[str], str | None], content: bytes, what: str) -> None:
    """Compare a whole body with an ETag that is its md5 (not multipart, not SSE-KMS/SSE-C);
    `header(name)` reads a response header, any case."""
    etag = (header("etag") or "").strip('"')
    if not _is_md5(etag) or _encrypted(header):
        return
    actual = hashlib.md5(content).hexdigest()
    if actual != etag.lower():
        raise MD5IntegrityError(
            f"{what}: md5 of the {len(content)} bytes received is {actual}, the ETag says {etag}."
        )

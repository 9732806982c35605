"""gs://: Google Cloud Storage through its JSON API, as sans-I/O operations."""
from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from ...domain.byteranges import ByteRange
from ...domain.encodings import encoding_from_header
from ...domain.errors import InvalidKeyError, StorageError
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
from ...domain.ports import HttpRequest, HttpResponse, Storage, Transport
from ...domain.streams import STREAM_FROM, ByteSource, Digests
from ..checksums import crc32c_base64, digests_of, md5_base64, parse_goog_hash, verify
from . import batch as gcs_batch
from . import resumable as gcs_resumable
from .api import GcsClient, resolve_endpoint
from .credentials import find_credentials

DEFAULT_PAGE_SIZE = 1000
_MAX_NAME_BYTES = 1024
#: Batch requests one delete_many operation has in flight at once (100 deletions each).
PARALLEL_BATCHES = 4


def _epoch(timestamp: str | None) -> float | None:
    if not timestamp:
        return None
    try:
        return datetime.fromisoformat(timestamp).timestamp()
    except ValueError:
        return None


def object_info(resource: dict[str, Any]) -> ObjectInfo:
    """ObjectInfo of a GCS object resource."""
    generation = resource.get("generation")
    return ObjectInfo(
        size=int(resource.get("size") or 0),
        encoding=encoding_from_header(resource.get("contentEncoding")),
        content_type=resource.get("contentType"),
        cache_control=resource.get("cacheControl"),
        storage_class=resource.get("storageClass"),
        etag=resource.get("etag"),
        last_modified=_epoch(resource.get("updated") or resource.get("timeCreated")),
        metadata={
            "Content-Md5": resource.get("md5Hash"),
            "Content-Crc32c": resource.get("crc32c"),
            "Generation": int(generation) if generation else None,
            "Component-Count": resource.get("componentCount"),
            "Custom-Time": resource.get("customTime"),
            "Metadata": resource.get("metadata"),
        },
        digests=Digests(resource.get("md5Hash"), resource.get("crc32c")),
    )


def listing_page(page: dict[str, Any], base: str) -> ListPage:
    """The ListPage of a JSON listing page: names below base made relative to it, in order,
    'dir/' prefixes of flat listings with them; sizes when every object states one."""
    found: list[tuple[str, int | None]] = []
    sized = True
    for item in page.get("items") or []:
        size = item.get("size")
        sized = sized and size is not None
        found.append((item["name"], None if size is None else int(size)))
    found.extend((name, None) for name in page.get("prefixes") or [])
    found.sort(key=lambda pair: pair[0])
    start = len(base)
    kept = [(name[start:], size) for name, size in found
            if name.startswith(base) and name != base]
    return ListPage(tuple(name for name, _ in kept), page.get("nextPageToken") or None,
                    tuple(size for _, size in kept) if sized else None)


def multipart_body(metadata: dict[str, Any], content: bytes,
                   content_type: str) -> tuple[str, bytes]:
    """(Content-Type, body) of a multipart upload: JSON metadata then the bytes."""
    boundary = f"cloudfiles_{secrets.token_hex(16)}"
    while boundary.encode() in content:
        boundary = f"cloudfiles_{secrets.token_hex(16)}"
    head = (
        f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n"
        f"{json.dumps(metadata)}\r\n--{boundary}\r\nContent-Type: {content_type}\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return f"multipart/related; boundary={boundary}", head + content + tail


class GcsStorage(OpStorage):
    """A bucket (and path prefix in it) of Google Cloud Storage or a compatible emulator.

    Every call is an operation (domain.ops): requests are built here, sent by the transport
    the composition root hands in. Adapter options (CloudFiles keyword arguments):
    `resumable_threshold` (bytes, default 100 MiB) and `resumable_chunk_size` (multiple of
    256 KiB), `max_results` (list page size).
    """

    lists_sizes = True

    protocol = "gs"
    OPTIONS = frozenset({"resumable_threshold", "resumable_chunk_size", "max_results"})
    batch_delete = True

    def __init__(self, location: ExtractedPath, config: StorageConfig, transport: Transport):
        super().__init__(location, config, transport)
        if not location.bucket:
            raise InvalidKeyError(f"A gs:// path needs a bucket: {location!r}.")
        path = location.path or ""
        self._base = key_prefix(path)
        endpoint, emulator = resolve_endpoint(location, config)
        auth = find_credentials(location.bucket, config.secrets, emulator)
        self.client = GcsClient(endpoint, location.bucket, auth, config.request_payer)
        options = config.options
        self.resumable_threshold = int(options.get("resumable_threshold",
                                                   gcs_resumable.DEFAULT_THRESHOLD))
        self.resumable_chunk_size = gcs_resumable.chunk_size(options.get("resumable_chunk_size"))
        self.page_size = int(options.get("max_results", DEFAULT_PAGE_SIZE))
        self._bucket_confirmed = False

    # -- names -------------------------------------------------------------------------------
    def _name(self, key: str) -> str:
        """The object name of a key; names GCS cannot hold are refused."""
        name = self._base + key
        if not key or name in (".", "..") or "\r" in name or "\n" in name:
            raise InvalidKeyError(f"Key {key!r} cannot be a Google Cloud Storage object name.")
        try:
            size = len(name.encode("utf8"))
        except UnicodeEncodeError as error:
            raise InvalidKeyError(f"Key {key!r} is not valid UTF-8: {error}.") from error
        if size > _MAX_NAME_BYTES:
            raise InvalidKeyError(f"Key {key!r} makes an object name over 1024 bytes.")
        return name

    def _object_missing(self, what: str) -> Op[None]:
        """Operation, after a 404 for an object: a missing object only if the bucket exists.

        The bucket is asked about once per storage; a missing bucket raises, naming it.
        """
        if self._bucket_confirmed:
            return
        response = yield from self.client.exchange("GET", self.client.bucket_url(fields="name"))
        if response.status == 404:
            raise StorageError(f"{what}: the bucket {self.client.bucket!r} does not exist.",
                               404, "NoSuchBucket")
        self._bucket_confirmed = True

    # -- reads -------------------------------------------------------------------------------
    def _resource(self, name: str) -> Op[dict[str, Any] | None]:
        what = f"HEAD {self.client.uri(name)}"
        response = yield from self.client.exchange("GET", self.client.object_url(name))
        if response.status == 404:
            yield from self._object_missing(what)
            return None
        return self.client.json(response, what)

    def head_op(self, key: str) -> Op[ObjectInfo | None]:
        resource = yield from self._resource(self._name(key))
        return None if resource is None else object_info(resource)

    def get_op(self, key: str, byte_range: ByteRange | None = None) -> Op[StoredObject | None]:
        name = self._name(key)
        if byte_range is not None and byte_range.is_whole:
            byte_range = None
        if byte_range is not None and byte_range.is_empty:
            info = yield from self.head_op(key)
            return None if info is None else info.nothing_in_range()
        headers = {"Accept-Encoding": "gzip"}  # stored bytes: no decompressive transcoding
        if byte_range is not None:
            headers["Range"] = byte_range.http_header() or ""
        what = f"GET {self.client.uri(name)}"
        response = yield from self.client.exchange(
            "GET", self.client.media_url(name), headers)
        if response.status == 404:
            yield from self._object_missing(what)
            return None
        if response.status == 416:  # starts past the end: whole object, the app slices
            return (yield from self.get_op(key, None))
        self.client.check(response, what)
        stored = yield from self._stored_encoding(response, name)
        if stored is None:
            return None  # deleted between the two requests of an emulator
        encoding, transcoded = stored
        partial = response.status == 206
        if not partial and not transcoded and not response.streamed:
            verify(response.content, parse_goog_hash(response.header("x-goog-hash")), what)
        return StoredObject(response.content, None if transcoded else encoding, partial,
                            response.header("Content-Type"))

    def _stored_encoding(self, response: HttpResponse,
                         name: str) -> Op[tuple[str | None, bool] | None]:
        """Operation: (stored Content-Encoding, whether the server decoded the bytes it sent).

        GCS states the stored encoding in x-goog-stored-content-encoding; servers that do not
        (emulators) are asked for the object's metadata instead.
        """
        served = encoding_from_header(response.header("Content-Encoding"))
        stated = response.header("x-goog-stored-content-encoding")
        if stated is not None:
            stored = encoding_from_header(stated)
            return stored, stored is not None and served != stored
        if served is not None:
            return served, False
        resource = yield from self._resource(name)
        if resource is None:
            return None
        return encoding_from_header(resource.get("contentEncoding")), False

    # -- writes ------------------------------------------------------------------------------
    def put_op(self, key: str, content: bytes, options: PutOptions) -> Op[None]:
        name = self._name(key)
        content_type = options.content_type or DEFAULT_CONTENT_TYPE
        streamed = isinstance(content, ByteSource) and len(content) >= STREAM_FROM
        if isinstance(content, ByteSource) and not streamed and \
                len(content) < self.resumable_threshold:
            content = content.read_all()
        if isinstance(content, ByteSource):  # a big file: hashed, then sent, a chunk at a time
            digests = digests_of(content)
            md5, crc = digests.md5, digests.crc32c
        else:
            md5, crc = md5_base64(content), crc32c_base64(content)
        metadata: dict[str, Any] = {"name": name, "contentType": content_type,
                                    "md5Hash": md5, "crc32c": crc}
        if options.encoding:
            metadata["contentEncoding"] = options.encoding
        if options.cache_control:
            metadata["cacheControl"] = options.cache_control
        if options.storage_class:
            metadata["storageClass"] = options.storage_class
        if content and (streamed or len(content) >= self.resumable_threshold):
            yield from gcs_resumable.upload(self.client, name, content, metadata, content_type,
                                            self.resumable_chunk_size)
            return
        body_type, body = multipart_body(metadata, content, content_type)
        response = yield from self.client.exchange(
            "POST", self.client.upload_url(uploadType="multipart"), {"Content-Type": body_type},
            body)
        self.client.check(response, f"PUT {self.client.uri(name)}")

    def delete_op(self, key: str) -> Op[None]:
        name = self._name(key)
        request = self.client.request("DELETE", self.client.object_url(name))
        yield from self._deleted([name], request, (yield request))

    def delete_many_op(self, keys: list[str]) -> Op[None]:
        """Operation: delete every key, up to 100 per batch request, PARALLEL_BATCHES batch
        requests at once; the first failure found is raised once all were answered."""
        names = [self._name(key) for key in keys]
        blocks = [names[start:start + gcs_batch.MAX_CALLS]
                  for start in range(0, len(names), gcs_batch.MAX_CALLS)]
        for first in range(0, len(blocks), PARALLEL_BATCHES):
            group = blocks[first:first + PARALLEL_BATCHES]
            requests = tuple(self._delete_request(block) for block in group)
            answers = yield requests
            for block, request, answer in zip(group, requests, answers):
                yield from self._deleted(block, request, answer)

    def _delete_request(self, names: list[str]) -> HttpRequest:
        """One DELETE of a single name, else one batch request deleting every name."""
        if len(names) == 1:
            return self.client.request("DELETE", self.client.object_url(names[0]))
        headers, body = gcs_batch.delete_request(self.client, names)
        return self.client.request("POST", self.client.batch_url(), headers, body)

    def _deleted(self, names: list[str], request: HttpRequest,
                 answer: HttpResponse | Exception) -> Op[None]:
        """Operation: raise what went wrong in the deletion of names by request, if anything
        (a 404 of one name is a missing object, unless the bucket is missing)."""
        if isinstance(answer, Exception):
            raise answer
        response = self.client.received(request, answer)
        if len(names) == 1:
            what = f"DELETE {self.client.uri(names[0])}"
            if response.status == 404:
                yield from self._object_missing(what)
            else:
                self.client.check(response, what)
            return
        what = f"batch DELETE of {len(names)} objects in {self.client.uri()}"
        self.client.check(response, what)
        failure = gcs_batch.first_failure(names, gcs_batch.part_responses(response, len(names)))
        if failure is not None:
            name, part, count = failure
            self.client.check(part, f"DELETE {self.client.uri(name)} ({count} of {what} failed)")

    def copy_from_op(self, source: Storage, source_key: str, key: str) -> Op[bool]:
        """Operation: server-side copy (objects.rewrite, repeated while the service says it
        is not done) when source is gs:// on the same endpoint; False otherwise."""
        if not isinstance(source, GcsStorage) or source.client.endpoint != self.client.endpoint:
            return False
        source_name, name = source._name(source_key), self._name(key)
        what = f"COPY {source.client.uri(source_name)} to {self.client.uri(name)}"
        token = None
        while True:
            url = self.client.rewrite_url(source.client.bucket, source_name, name,
                                          rewriteToken=token)
            response = yield from self.client.exchange("POST", url, {}, b"")
            if response.status == 404:
                return False  # missing source: the caller's fallback reports it
            result = self.client.json(response, what)
            if result.get("done", True):
                return True
            token = result.get("rewriteToken")

    # -- listing -----------------------------------------------------------------------------
    def list_page_op(self, prefix: str, flat: bool, token: str | None) -> Op[ListPage]:
        full_prefix = self._base + prefix
        url = self.client.objects_url(
            prefix=full_prefix or None, delimiter="/" if flat else None, pageToken=token,
            maxResults=self.page_size, fields="items(name,size),prefixes,nextPageToken",
        )
        response = yield from self.client.exchange("GET", url)
        page = self.client.json(response, f"LIST {self.client.uri(full_prefix)}")
        return listing_page(page, self._base)

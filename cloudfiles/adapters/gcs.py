"""gs://: Google Cloud Storage through its JSON API, over the shared pooled transport."""
from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from ..domain.byteranges import ByteRange
from ..domain.encodings import encoding_from_header
from ..domain.errors import InvalidKeyError, StorageError
from ..domain.objects import ObjectInfo, PutOptions, StorageConfig, StoredObject
from ..domain.paths import ExtractedPath
from ..domain.ports import HttpResponse, Storage
from . import gcs_batch, gcs_resumable
from .checksums import crc32c_base64, md5_base64, parse_goog_hash, verify
from .gcs_api import GcsClient, resolve_endpoint
from .gcs_credentials import find_credentials
from .transport import shared_transport

DEFAULT_CONTENT_TYPE = "application/octet-stream"
DEFAULT_PAGE_SIZE = 1000
_MAX_NAME_BYTES = 1024




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
    )


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


class GcsStorage(Storage):
    """A bucket (and path prefix in it) of Google Cloud Storage or a compatible emulator.

    Adapter options (CloudFiles keyword arguments): `resumable_threshold` (bytes, default
    100 MiB) and `resumable_chunk_size` (multiple of 256 KiB), `max_results` (list page size).
    """

    protocol = "gs"
    OPTIONS = frozenset({"resumable_threshold", "resumable_chunk_size", "max_results"})
    batch_delete = True

    def __init__(self, location: ExtractedPath, config: StorageConfig):
        super().__init__(location, config)
        if not location.bucket:
            raise InvalidKeyError(f"A gs:// path needs a bucket: {location!r}.")
        path = location.path or ""
        self._base = path.rstrip("/") + "/" if path.strip("/") else ""
        endpoint, emulator = resolve_endpoint(location, config)
        auth = find_credentials(location.bucket, config.secrets, emulator)
        transport = shared_transport(config.num_threads, config.connect_timeout,
                                     config.read_timeout)
        self.client = GcsClient(endpoint, location.bucket, transport, auth,
                                config.request_payer)
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

    def _object_missing(self, what: str) -> None:
        """Called on a 404 for an object: a missing object only if the bucket exists.

        The bucket is asked about once per storage; a missing bucket raises, naming it.
        """
        if self._bucket_confirmed:
            return
        if self.client.send("GET", self.client.bucket_url(fields="name")).status == 404:
            raise StorageError(f"{what}: the bucket {self.client.bucket!r} does not exist.",
                               404, "NoSuchBucket")
        self._bucket_confirmed = True

    # -- reads -------------------------------------------------------------------------------
    def _resource(self, name: str) -> dict[str, Any] | None:
        response = self.client.send("GET", self.client.object_url(name))
        if response.status == 404:
            self._object_missing(f"HEAD {self.client.uri(name)}")
            return None
        return self.client.json(response, f"HEAD {self.client.uri(name)}")

    def head(self, key: str) -> ObjectInfo | None:
        resource = self._resource(self._name(key))
        return None if resource is None else object_info(resource)

    def get(self, key: str, byte_range: ByteRange | None = None) -> StoredObject | None:
        name = self._name(key)
        if byte_range is not None and byte_range.is_whole:
            byte_range = None
        if byte_range is not None and byte_range.is_empty:
            info = self.head(key)
            if info is None:
                return None
            return StoredObject(b"", info.encoding, partial=True, content_type=info.content_type)
        headers = {"Accept-Encoding": "gzip"}  # stored bytes: no decompressive transcoding
        if byte_range is not None:
            headers["Range"] = byte_range.http_header() or ""
        what = f"GET {self.client.uri(name)}"
        response = self.client.send("GET", self.client.object_url(name, alt="media"), headers)
        if response.status == 404:
            self._object_missing(what)
            return None
        if response.status == 416:  # starts past the end: whole object, the app slices
            return self.get(key, None)
        self.client.check(response, what)
        stored = self._stored_encoding(response, name)
        if stored is None:
            return None  # deleted between the two requests of an emulator
        encoding, transcoded = stored
        partial = response.status == 206
        if not partial and not transcoded:
            verify(response.content, parse_goog_hash(response.header("x-goog-hash")), what)
        return StoredObject(response.content, None if transcoded else encoding, partial,
                            response.header("Content-Type"))

    def _stored_encoding(self, response: HttpResponse,
                         name: str) -> tuple[str | None, bool] | None:
        """(stored Content-Encoding, whether the server decoded the bytes it sent).

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
        resource = self._resource(name)
        if resource is None:
            return None
        return encoding_from_header(resource.get("contentEncoding")), False

    def exists(self, key: str) -> bool:
        return self._resource(self._name(key)) is not None

    # -- writes ------------------------------------------------------------------------------
    def put(self, key: str, content: bytes, options: PutOptions) -> None:
        name = self._name(key)
        content_type = options.content_type or DEFAULT_CONTENT_TYPE
        metadata: dict[str, Any] = {
            "name": name,
            "contentType": content_type,
            "md5Hash": md5_base64(content),
            "crc32c": crc32c_base64(content),
        }
        if options.encoding:
            metadata["contentEncoding"] = options.encoding
        if options.cache_control:
            metadata["cacheControl"] = options.cache_control
        if options.storage_class:
            metadata["storageClass"] = options.storage_class
        if content and len(content) >= self.resumable_threshold:
            gcs_resumable.upload(self.client, name, content, metadata, content_type,
                                 self.resumable_chunk_size)
            return
        body_type, body = multipart_body(metadata, content, content_type)
        response = self.client.send("POST", self.client.upload_url(uploadType="multipart"),
                                    {"Content-Type": body_type}, body)
        self.client.check(response, f"PUT {self.client.uri(name)}")

    def delete(self, key: str) -> None:
        self._delete_name(self._name(key))

    def _delete_name(self, name: str) -> None:
        response = self.client.send("DELETE", self.client.object_url(name))
        if response.status == 404:
            self._object_missing(f"DELETE {self.client.uri(name)}")
        else:
            self.client.check(response, f"DELETE {self.client.uri(name)}")

    def delete_many(self, keys: Iterable[str]) -> None:
        names = [self._name(key) for key in keys]
        for start in range(0, len(names), gcs_batch.MAX_CALLS):
            self._delete_batch(names[start:start + gcs_batch.MAX_CALLS])

    def _delete_batch(self, names: list[str]) -> None:
        if len(names) == 1:
            self._delete_name(names[0])
            return
        headers, body = gcs_batch.delete_request(self.client, names)
        response = self.client.send("POST", self.client.batch_url(), headers, body)
        what = f"batch DELETE of {len(names)} objects in {self.client.uri()}"
        self.client.check(response, what)
        failure = gcs_batch.first_failure(names, gcs_batch.part_responses(response, len(names)))
        if failure is not None:
            name, part, count = failure
            self.client.check(part, f"DELETE {self.client.uri(name)} ({count} of {what} failed)")

    def copy_from(self, source: Storage, source_key: str, key: str) -> bool:
        """Server-side copy (objects.rewrite) when source is gs:// on the same endpoint."""
        if not isinstance(source, GcsStorage) or source.client.endpoint != self.client.endpoint:
            return False
        source_name, name = source._name(source_key), self._name(key)
        what = f"COPY {source.client.uri(source_name)} to {self.client.uri(name)}"
        token = None
        while True:
            url = self.client.rewrite_url(source.client.bucket, source_name, name,
                                          rewriteToken=token)
            response = self.client.send("POST", url, {}, b"")
            if response.status == 404:
                return False  # missing source: the caller's fallback reports it
            result = self.client.json(response, what)
            if result.get("done", True):
                return True
            token = result.get("rewriteToken")

    # -- listing -----------------------------------------------------------------------------
    def list(self, prefix: str = "", flat: bool = False) -> Iterator[str]:
        return self._list(self._base + prefix, flat)

    def _list(self, full_prefix: str, flat: bool) -> Iterator[str]:
        token = None
        start = len(self._base)
        while True:
            page = self.retry(self._list_page, full_prefix, flat, token)
            names = [item["name"] for item in page.get("items") or []]
            names.extend(page.get("prefixes") or [])
            for name in sorted(names):
                if name.startswith(self._base) and name != self._base:
                    yield name[start:]
            token = page.get("nextPageToken")
            if not token:
                return

    def _list_page(self, full_prefix: str, flat: bool, token: str | None) -> dict[str, Any]:
        url = self.client.objects_url(
            prefix=full_prefix or None, delimiter="/" if flat else None, pageToken=token,
            maxResults=self.page_size, fields="items(name),prefixes,nextPageToken",
        )
        what = f"LIST {self.client.uri(full_prefix)}"
        return self.client.json(self.client.send("GET", url), what)

"""http:// and https://: read-only access to files on any web server (and public buckets).

Keys are URL-quoted below the root URL (host + path). GET honours byte ranges, HEAD answers
exists/size/head; stored Content-Encodings are reported, never decoded here. Where the URL
is a known object store's public endpoint, listing goes through that store's listing API
(see public_listing); elsewhere listing, writing and deleting are unsupported.
`middleauth+https://` and `ngauth+https://` read the same way with `Authorization: Bearer`
and the server's token (see bearer_token); a redirect to another host does not carry it.
Sans-I/O: every call is an operation (domain.ops) the app drives over the transport handed in
by the composition root, with its retries; this module raises the retryable domain errors and
never sends or sleeps.
"""
from __future__ import annotations

import re
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urljoin, urlsplit

from requests.utils import requote_uri

from ...domain.byteranges import ByteRange
from ...domain.encodings import encoding_from_header
from ...domain.errors import (
    StorageError,
    UnsupportedOperationError,
)
from ...domain.objects import ObjectInfo, PutOptions, StorageConfig, StoredObject, ranged_answer
from ...domain.op_storage import ListPage, OpStorage
from ...domain.ops import Op
from ...domain.paths import ExtractedPath
from ...domain.ports import HttpRequest, HttpResponse, Transport
from ...domain.streams import Digests
from ..checksums import parse_goog_hash, verify
from ..codecs.registry import available_codecs
from ..http_errors import raise_for_status
from .bearer_token import find_token
from .public_listing import ListingTarget, is_s3_host, listing_target, page_op

REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)


def _accept_encoding() -> str:
    """The stored encodings we can decode, so servers send stored bytes unaltered."""
    names = [name for name in ("gzip", "br", "zstd") if name in available_codecs().codecs]
    return ", ".join(names) or "identity"


def _encoding(response: HttpResponse) -> str | None:
    """The canonical Content-Encoding of a response."""
    return encoding_from_header(response.header("Content-Encoding"))


def _timestamp(value: str | None) -> float | None:
    try:
        return parsedate_to_datetime(value).timestamp() if value else None
    except (TypeError, ValueError, IndexError):
        return None


class HttpStorage(OpStorage):
    """Files below one http(s) URL; read-only. Listing only on GCS/S3 public endpoints.

    config.options: `listing` ('gcs'/'s3'/'none': force or disable a listing API),
    `listing_endpoint` (base URL of that API), `listing_page_size` (keys per page),
    `forbidden_is_missing` (treat 403 as a missing file; default on S3 hosts, which answer
    403 for missing keys to readers not allowed to list the bucket).
    """

    protocol = "http"
    OPTIONS = frozenset({"listing", "listing_endpoint", "listing_page_size",
                         "forbidden_is_missing"})

    def __init__(self, location: ExtractedPath, config: StorageConfig, transport: Transport):
        super().__init__(location, config, transport)
        host = (location.host or "").rstrip("/")
        path = location.path.strip("/")
        self.root = requote_uri(f"{host}/{path}/" if path else f"{host}/")
        self._headers = {"Accept-Encoding": _accept_encoding()}
        #: Which credentials requests carry, in words for refusals ("" when none).
        self.credentials_hint = ""
        self._listing: ListingTarget | None = listing_target(host, path, config.options)
        forbidden = config.options.get("forbidden_is_missing")
        self._missing_statuses = {404, 410}
        if forbidden or (forbidden is None and is_s3_host(host)):
            self._missing_statuses.add(403)

    # -- requests ----------------------------------------------------------------------------
    def url(self, key: str) -> str:
        """The URL of key: the root URL plus the quoted key ('/' kept)."""
        return self.root + quote(key, safe="/~")

    def _exchange(self, method: str, url: str, headers: dict[str, str]) -> Op[HttpResponse]:
        """Operation: one request, following redirects like a browser would (a few hops)."""
        for _ in range(MAX_REDIRECTS + 1):
            response = yield HttpRequest(method, url, headers)
            location = response.header("Location")
            if response.status not in REDIRECTS or not location:
                return response
            url, headers = _redirected(url, urljoin(url, location), headers)
        raise StorageError(f"{method} {self.url('')}: more than {MAX_REDIRECTS} redirects, "
                           f"last to {url}", response.status)

    def _missing(self, response: HttpResponse) -> bool:
        return response.status in self._missing_statuses

    # -- reading -------------------------------------------------------------------------------
    def get_op(self, key: str, byte_range: ByteRange | None = None) -> Op[StoredObject | None]:
        url = self.url(key)
        if byte_range is not None and byte_range.is_empty:
            return (yield from self._nothing_in_range(key))
        ranged = byte_range is not None and not byte_range.is_whole
        headers = dict(self._headers)
        if ranged:
            headers["Range"] = byte_range.http_header()
        response = yield from self._exchange("GET", url, headers)
        if self._missing(response):
            return None
        if response.status == 416 and ranged:
            return (yield from self._nothing_in_range(key))
        raise_for_status(response, f"GET {url}", credentials_hint=self.credentials_hint)
        encoding = _encoding(response)
        content_type = response.header("Content-Type")
        if response.status == 206:
            if not ranged:
                raise StorageError(f"GET {url}: partial content (206) to a whole read", 206)
            content = _asked_part(response, byte_range)
            if response.streamed and content is None:
                raise StorageError(f"GET {url}: the server sent another range than "
                                   f"{byte_range.http_header()}", 206)
            if content is None:  # the server sent another range than the one asked
                return (yield from self._whole_then_slice(key, byte_range))
            return StoredObject(content, encoding, partial=True, content_type=content_type)
        if not 200 <= response.status < 300:
            raise StorageError(f"GET {url}: unexpected HTTP {response.status}", response.status)
        if response.streamed:  # the whole body went into the sink, even if a range was asked
            return StoredObject(b"", encoding, False, content_type)
        _verify(response, url)
        return ranged_answer(response.content, encoding, byte_range, content_type)

    def _nothing_in_range(self, key: str) -> Op[StoredObject | None]:
        """No stored bytes in the range: empty and partial, with the object's encoding so the
        app fetches an encoded object whole (its decoded bytes may reach into the range)."""
        info = yield from self.head_op(key)
        return None if info is None else info.nothing_in_range()

    def _whole_then_slice(self, key: str, byte_range: ByteRange) -> Op[StoredObject | None]:
        whole = yield from self.get_op(key, None)
        if whole is None:
            return None
        return ranged_answer(whole.content, whole.encoding, byte_range, whole.content_type)

    def head_op(self, key: str) -> Op[ObjectInfo | None]:
        url = self.url(key)
        response = yield from self._exchange("HEAD", url, dict(self._headers))
        if self._missing(response):
            return None
        if response.status in (405, 501):  # no HEAD here: a one-byte GET tells as much
            return (yield from self._head_by_get(url))
        raise_for_status(response, f"HEAD {url}", credentials_hint=self.credentials_hint)
        length = response.header("Content-Length")
        if length is None or not length.isdigit():
            return (yield from self._head_by_get(url))
        return _info(response, int(length))

    def _head_by_get(self, url: str) -> Op[ObjectInfo | None]:
        response = yield from self._exchange("GET", url, {**self._headers, "Range": "bytes=0-0"})
        if self._missing(response):
            return None
        if response.status == 416:  # an empty object
            return _info(response, 0)
        raise_for_status(response, f"GET {url}", credentials_hint=self.credentials_hint)
        match = _CONTENT_RANGE.match(response.header("Content-Range") or "")
        if response.status == 206 and match and match.group(3) != "*":
            return _info(response, int(match.group(3)))
        return _info(response, len(response.content))

    # -- listing ---------------------------------------------------------------------------------
    def check_listable(self) -> None:
        if self._listing is None:
            raise UnsupportedOperationError(
                f"{self.protocol}:// cannot list {self.root}: a web server offers no listing. "
                "Listing works on public GCS (storage.googleapis.com) and S3 (s3.amazonaws.com)"
                " URLs, or with CloudFiles(..., listing='gcs'|'s3') on a compatible server."
            )

    def list_page_op(self, prefix: str, flat: bool, token: str | None) -> Op[ListPage]:
        self.check_listable()
        page = yield from page_op(self._listing, prefix, flat, token)
        if page.next_token == token:  # a server repeating its token would list forever
            return ListPage(page.entries, None)
        return page

    # -- read-only -------------------------------------------------------------------------------
    def put_op(self, key: str, content: bytes, options: PutOptions) -> Op[None]:
        raise UnsupportedOperationError(
            f"{self.protocol}:// is read-only: cannot write {key!r} to {self.url(key)}. "
            "Write through the storage's own protocol (e.g. gs:// or s3://) instead."
        )

    def delete_op(self, key: str) -> Op[None]:
        raise UnsupportedOperationError(
            f"{self.protocol}:// is read-only: cannot delete {key!r} at {self.url(key)}."
        )


class HttpsStorage(HttpStorage):
    """https:// (the same adapter; registered under its own protocol name)."""

    protocol = "https"


class MiddleauthHttpsStorage(HttpsStorage):
    """middleauth+https://: https reads with the server's bearer token (CAVE middle_auth)."""

    protocol = "middleauth+https"

    def __init__(self, location: ExtractedPath, config: StorageConfig, transport: Transport):
        super().__init__(location, config, transport)
        token = find_token(location.host or "", config.secrets)
        self._headers.update(token.header())
        self.credentials_hint = f"bearer token from {token.source}"


class NgauthHttpsStorage(MiddleauthHttpsStorage):
    """ngauth+https://: the same bearer-token reads under neuroglancer's ngauth prefix."""

    protocol = "ngauth+https"


def _redirected(url: str, target: str, headers: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The next hop of a redirect; the Authorization header only goes back to the same host
    and never from https down to http."""
    before, after = urlsplit(url), urlsplit(target)
    if "Authorization" in headers and (
        before.hostname != after.hostname or (before.scheme, after.scheme) == ("https", "http")
    ):
        headers = {name: value for name, value in headers.items() if name != "Authorization"}
    return target, headers


def _info(response: HttpResponse, size: int) -> ObjectInfo:
    etag = response.header("ETag")
    return ObjectInfo(
        size=size,
        encoding=_encoding(response),
        content_type=response.header("Content-Type"),
        cache_control=response.header("Cache-Control"),
        storage_class=response.header("x-goog-storage-class")
        or response.header("x-amz-storage-class"),
        etag=etag.strip('"') if etag else None,
        last_modified=_timestamp(response.header("Last-Modified")),
        digests=_stated_digests(response),
    )


def _stated_digests(response: HttpResponse) -> Digests:
    """The whole object's checksums a GCS-style server states (x-goog-hash), when the bytes
    it serves are the stored ones."""
    hashes = parse_goog_hash(response.header("x-goog-hash"))
    stored = response.header("x-goog-stored-content-encoding")
    sent = response.header("Content-Encoding") or "identity"
    if not hashes or (stored is not None and stored.strip().lower() != sent.strip().lower()):
        return Digests()
    return Digests(hashes.get("md5"), hashes.get("crc32c"))


def _asked_part(response: HttpResponse, byte_range: ByteRange) -> bytes | None:
    """The asked bytes out of a 206 body, or None when the body does not cover them."""
    match = _CONTENT_RANGE.match(response.header("Content-Range") or "")
    if match is None:
        return response.content  # no Content-Range: trust the server sent what was asked
    first, last, total_text = int(match.group(1)), int(match.group(2)), match.group(3)
    content = response.content
    if response.streamed:  # the body went into a sink: it must start where asked
        return b"" if first == (byte_range.start or 0) else None
    if last - first + 1 != len(content):
        return None
    total = None if total_text == "*" else int(total_text)
    start, end = byte_range.start or 0, byte_range.end
    if start < 0:
        if total is None:
            return content
        start = max(0, total + start)
    if total is not None:
        end = total if end is None else min(end, total)
    elif end is None:
        end = last + 1
    if first <= start and end <= last + 1:
        return content[start - first:end - first]
    return None


def _verify(response: HttpResponse, url: str) -> None:
    """Check a whole body against the x-goog-hash a GCS-style server sent with it.

    Skipped when the server transcoded the object (then the hash is of other bytes).
    Plain web servers and S3 send no hash we can trust (S3 ETags are not always md5s).
    """
    hashes = parse_goog_hash(response.header("x-goog-hash"))
    if not hashes or response.streamed:  # a streamed body is checked where it was written
        return
    stored = response.header("x-goog-stored-content-encoding")
    sent = response.header("Content-Encoding") or "identity"
    if stored is not None and stored.strip().lower() != sent.strip().lower():
        return
    verify(response.content, hashes, f"GET {url}")

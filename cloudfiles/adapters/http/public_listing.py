"""Anonymous listing of public buckets over https: GCS's JSON API and S3's ListObjectsV2.

A plain web server cannot list a directory, but an https URL on a known object store's
public endpoint can be listed through that store's own listing API. `listing_target`
recognises such URLs; `page_op` is the operation that gets one page of keys (the app drives
it, with its retries).
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode, urlsplit
from xml.etree import ElementTree

from attrs import frozen

from ...domain.errors import StorageError, TransientStorageError
from ...domain.op_storage import ListPage
from ...domain.ops import Op
from ...domain.ports import HttpRequest, HttpResponse
from ..http_errors import raise_for_status

GCS, S3 = "gcs", "s3"
GCS_HOST = "storage.googleapis.com"
GCS_ENDPOINT = "https://storage.googleapis.com"
# s3.amazonaws.com, BUCKET.s3.amazonaws.com, s3.REGION.amazonaws.com, s3-REGION..., dualstack
_S3_HOST = re.compile(r"^(?:(?P<bucket>.+)\.)?s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com$")


@frozen
class ListingTarget:
    """Where and how to list one root: the API, its URL, and the root's prefix in the bucket."""

    api: str
    url: str
    base: str
    page_size: int | None = None

    def describe(self) -> str:
        """A short name for messages."""
        return f"{'GCS JSON API' if self.api == GCS else 'S3 ListObjectsV2'} at {self.url}"


def _as_prefix(path: str) -> str:
    path = path.strip("/")
    return path + "/" if path else ""


def _hostname(url: str) -> str:
    netloc = urlsplit(url).netloc.lower().rpartition("@")[2]
    return netloc if netloc.endswith("]") else netloc.partition(":")[0]


def is_s3_host(url: str) -> bool:
    """Whether url is on an Amazon S3 endpoint (path or virtual-host style)."""
    return _S3_HOST.match(_hostname(url)) is not None


def listing_target(host: str, path: str, options: Mapping[str, Any]) -> ListingTarget | None:
    """The listing API serving the root host/path, or None when there is none.

    options["listing"] forces "gcs" or "s3" on any host (or False/"none" to disable);
    options["listing_endpoint"] replaces the API's base URL (e.g. a local test server);
    options["listing_page_size"] sets the keys per page (the services' default is 1000).
    """
    forced = options.get("listing")
    if forced in (False, "none"):
        return None
    if forced not in (None, GCS, S3):
        raise ValueError(f"listing must be 'gcs', 's3' or 'none', not {forced!r}.")
    hostname = _hostname(host)
    bucket_in_host = None
    api = forced
    if api is None and hostname == GCS_HOST:
        api = GCS
    elif api is None and hostname.endswith("." + GCS_HOST):
        api, bucket_in_host = GCS, hostname[: -len(GCS_HOST) - 1]
    elif api is None and (match := _S3_HOST.match(hostname)):
        api, bucket_in_host = S3, match.group("bucket")
    if api is None:
        return None
    bucket, base = bucket_in_host, _as_prefix(path)
    if bucket is None:
        bucket, _, rest = path.strip("/").partition("/")
        base = _as_prefix(rest)
    if not bucket:
        return None
    endpoint = (options.get("listing_endpoint") or "").rstrip("/")
    if api == GCS:
        on_gcs = hostname == GCS_HOST or hostname.endswith("." + GCS_HOST)
        endpoint = endpoint or (GCS_ENDPOINT if on_gcs else host.rstrip("/"))
        url = f"{endpoint}/storage/v1/b/{quote(bucket, safe='')}/o"
    elif endpoint or bucket_in_host is None:
        url = f"{endpoint or host.rstrip('/')}/{quote(bucket, safe='')}"
    else:
        url = host.rstrip("/") + "/"
    page_size = options.get("listing_page_size")
    return ListingTarget(api, url, base, int(page_size) if page_size else None)


def page_op(target: ListingTarget, prefix: str, flat: bool, token: str | None) -> Op[ListPage]:
    """Operation: one page of keys under target.base + prefix, relative to the root."""
    params: dict[str, str] = {"prefix": target.base + prefix}
    if flat:
        params["delimiter"] = "/"
    if target.api == GCS:
        params["fields"] = "items(name),prefixes,nextPageToken"
        if target.page_size:
            params["maxResults"] = str(target.page_size)
        if token:
            params["pageToken"] = token
    else:
        params["list-type"] = "2"
        if target.page_size:
            params["max-keys"] = str(target.page_size)
        if token:
            params["continuation-token"] = token
    url = f"{target.url}?{urlencode(params, safe='~', quote_via=quote)}"
    response = yield HttpRequest("GET", url, {"Accept-Encoding": "identity"})
    parse = _parse_gcs if target.api == GCS else _parse_s3
    if response.status >= 300:
        code, message = _error_detail(response)
        raise_for_status(response, f"list {target.describe()}", code, message,
                         "the bucket does not allow anonymous listing")
        raise StorageError(f"list {target.describe()}: unexpected HTTP {response.status}",
                           response.status)
    try:
        names, next_token = parse(response.content)
    except (ValueError, ElementTree.ParseError, KeyError, TypeError) as error:
        raise TransientStorageError(  # most likely cut or mangled on the way
            f"list {target.describe()}: unreadable listing page: {error}"
        ) from error
    start = len(target.base)
    entries = sorted(name[start:] for name in names
                     if name.startswith(target.base) and len(name) > start)
    return ListPage(tuple(entries), next_token or None)


def _parse_gcs(content: bytes) -> tuple[list[str], str | None]:
    page = json.loads(content)
    names = [item["name"] for item in page.get("items", [])]
    return names + list(page.get("prefixes", [])), page.get("nextPageToken")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse_s3(content: bytes) -> tuple[list[str], str | None]:
    root = ElementTree.fromstring(content)
    if _local(root.tag) != "ListBucketResult":
        raise ValueError(f"expected ListBucketResult, got {_local(root.tag)}")
    names: list[str] = []
    truncated, token = False, None
    for child in root:
        tag = _local(child.tag)
        if tag in ("Contents", "CommonPrefixes"):
            wanted = "Key" if tag == "Contents" else "Prefix"
            names.extend(e.text or "" for e in child if _local(e.tag) == wanted)
        elif tag == "IsTruncated":
            truncated = (child.text or "").strip().lower() == "true"
        elif tag == "NextContinuationToken":
            token = child.text
    return names, token if truncated else None


def _error_detail(response: HttpResponse) -> tuple[str | None, str | None]:
    """(code, message) from an S3 XML or GCS JSON error body, when there is one."""
    try:
        if response.content.lstrip().startswith(b"<"):
            root = ElementTree.fromstring(response.content)
            found = {_local(e.tag): e.text for e in root}
            return found.get("Code"), found.get("Message")
        error = json.loads(response.content).get("error", {})
        return error.get("status") or str(error.get("code") or "") or None, error.get("message")
    except (ValueError, ElementTree.ParseError, AttributeError):
        return None, None

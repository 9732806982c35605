"""Where a bucket's requests go: AWS (virtual-hosted style) or any S3-compatible server."""
from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote

from attrs import evolve, frozen

_DNS_BUCKET = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")

Query = Iterable[tuple[str, "str | None"]]


def object_path(key: str) -> str:
    """A key percent-encoded for a URL path: literally, every byte but '/' and unreserved ones.

    S3 signs and reads the path as sent, so '..', '%', '+', '?', '#' and unicode round-trip.
    """
    return quote(key, safe="/")


def query_string(query: Query) -> str:
    """`a=1&b` from pairs; a None value gives a bare name (e.g. `?uploads`)."""
    parts = []
    for name, value in query:
        name = quote(name, safe="-_.~")
        parts.append(name if value is None else f"{name}={quote(str(value), safe='-_.~')}")
    return "&".join(parts)


def object_url(bucket_url: str, key: str | None, query: str = "") -> str:
    """URL of key (the bucket when None) under a bucket URL ending in '/', with an encoded
    query string ('' for none)."""
    url = bucket_url if key is None else bucket_url + object_path(key)
    return f"{url}?{query}" if query else url


def normalize_base(endpoint: str) -> str:
    """An endpoint URL without trailing '/', https:// assumed when no scheme is given."""
    endpoint = endpoint.strip()
    if "://" not in endpoint:
        endpoint = "https://" + endpoint
    return endpoint.rstrip("/")


@frozen
class S3Endpoint:
    """One bucket at one service; `base` None means Amazon S3 in `region`."""

    bucket: str
    region: str
    base: str | None = None

    @property
    def aws(self) -> bool:
        """Whether this is Amazon S3 itself."""
        return self.base is None

    @property
    def virtual_hosted(self) -> bool:
        """AWS with a DNS-safe bucket name: https://bucket.s3.amazonaws.com/key."""
        return self.aws and _DNS_BUCKET.match(self.bucket) is not None

    @property
    def service_id(self) -> str:
        """Equal for two endpoints between which S3 can copy server-side."""
        return "aws" if self.aws else self.base or ""

    def _aws_host(self) -> str:
        return "s3.amazonaws.com" if self.region == "us-east-1" else f"s3.{self.region}.amazonaws.com"

    def bucket_url(self) -> str:
        """URL of the bucket, ending in '/' (keys are appended to it)."""
        if self.virtual_hosted:
            return f"https://{self.bucket}.{self._aws_host()}/"
        base = f"https://{self._aws_host()}" if self.aws else self.base
        return f"{base}/{quote(self.bucket, safe='')}/"

    def url(self, key: str | None = None, query: Query = ()) -> str:
        """URL of an object (or of the bucket when key is None), with a query string."""
        return object_url(self.bucket_url(), key, query_string(query))

    def in_region(self, region: str) -> S3Endpoint:
        """The same bucket addressed (and signed) for another region."""
        return evolve(self, region=region)

    def describe(self) -> str:
        """Words for error messages."""
        return f"Amazon S3 ({self.region})" if self.aws else self.base or ""


def resolve_endpoint(bucket: str, region: str, *candidates: str | None) -> S3Endpoint:
    """The endpoint of the first given candidate URL, else Amazon S3."""
    for candidate in candidates:
        if candidate:
            return S3Endpoint(bucket, region, normalize_base(candidate))
    return S3Endpoint(bucket, region)

"""The XML of the S3 REST API: parsing responses and building request bodies (stdlib only)."""
from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote_plus
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from attrs import frozen

# Characters XML 1.0 can carry; keys with others cannot be named in a request body.
_XML_UNSAFE = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return [child for child in element if _local(child.tag) == name]


def _text(element: ElementTree.Element, name: str, default: str | None = None) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            return child.text or ""
    return default


def _root(body: bytes) -> ElementTree.Element | None:
    if not body or not body.lstrip().startswith(b"<"):
        return None
    try:
        return ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return None


@frozen
class S3ErrorBody:
    """The Code and Message of an S3 <Error> document (None when the body had none)."""

    code: str | None = None
    message: str | None = None
    region: str | None = None


def parse_error(body: bytes) -> S3ErrorBody:
    """The error a body describes; an empty S3ErrorBody when it is no <Error> document."""
    root = _root(body)
    if root is None or _local(root.tag) != "Error":
        return S3ErrorBody()
    return S3ErrorBody(_text(root, "Code"), _text(root, "Message"), _text(root, "Region"))


@frozen
class ListObjectsPage:
    """One page of ListObjectsV2: keys with their sizes (None where the server gave none),
    common prefixes ('dir/'), the next page's token."""

    keys: tuple[str, ...]
    sizes: tuple[int | None, ...]
    prefixes: tuple[str, ...]
    next_token: str | None


def _size(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() else None


def parse_list_page(body: bytes) -> ListObjectsPage:
    """A ListObjectsV2 result; url-encoded names (encoding-type=url) are decoded."""
    root = _root(body)
    if root is None or _local(root.tag) != "ListBucketResult":
        raise ValueError(f"not a ListObjectsV2 result: {body[:200]!r}")
    encoded = (_text(root, "EncodingType") or "").lower() == "url"

    def name(value: str | None) -> str:
        value = value or ""
        return unquote_plus(value) if encoded else value

    contents = _children(root, "Contents")
    keys = tuple(name(_text(item, "Key")) for item in contents)
    sizes = tuple(_size(_text(item, "Size")) for item in contents)
    prefixes = tuple(name(_text(item, "Prefix")) for item in _children(root, "CommonPrefixes"))
    truncated = (_text(root, "IsTruncated") or "false").lower() == "true"
    token = _text(root, "NextContinuationToken") if truncated else None
    return ListObjectsPage(keys, sizes, prefixes, token or None)


def parse_upload_id(body: bytes) -> str:
    """The UploadId of an InitiateMultipartUpload result."""
    root = _root(body)
    upload_id = None if root is None else _text(root, "UploadId")
    if not upload_id:
        raise ValueError(f"no UploadId in {body[:200]!r}")
    return upload_id


def complete_multipart_body(etags: Iterable[tuple[int, str]]) -> bytes:
    """The CompleteMultipartUpload document for (part number, ETag) pairs."""
    parts = "".join(
        f"<Part><PartNumber>{number}</PartNumber><ETag>{escape(etag)}</ETag></Part>"
        for number, etag in sorted(etags)
    )
    return f"<CompleteMultipartUpload>{parts}</CompleteMultipartUpload>".encode()


def is_xml_safe(key: str) -> bool:
    """Whether a key can be written in an XML request body."""
    return _XML_UNSAFE.search(key) is None


def delete_objects_body(keys: Iterable[str]) -> bytes:
    """A quiet DeleteObjects document (only failures are reported back)."""
    objects = "".join(f"<Object><Key>{escape(key)}</Key></Object>" for key in keys)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<Delete><Quiet>true</Quiet>{objects}</Delete>"
    ).encode()


@frozen
class DeleteFailure:
    """One key a DeleteObjects request could not remove."""

    key: str
    code: str
    message: str


def parse_delete_failures(body: bytes) -> list[DeleteFailure]:
    """The <Error> entries of a DeleteObjects result."""
    root = _root(body)
    if root is None:
        return []
    return [
        DeleteFailure(_text(e, "Key") or "", _text(e, "Code") or "", _text(e, "Message") or "")
        for e in _children(root, "Error")
    ]

"""Cloud paths: `[format://]protocol://bucket/path`, parsed and formatted without I/O."""
from __future__ import annotations

import os
import posixpath
import re
from typing import NamedTuple

from .errors import UnsupportedProtocolError

PROTOCOLS = ("gs", "s3", "file", "mem", "http", "https", "matrix")
FORMATS = ("precomputed", "graphene", "boss")
BUCKETED_PROTOCOLS = ("gs", "s3", "matrix")
HTTPS_ENDPOINTS = {
    "gs": "https://storage.googleapis.com",
    "s3": "https://s3.amazonaws.com",
    "matrix": "https://s3-hpcrc.rc.princeton.edu",
}

_FORMAT_RE = re.compile(r"^({})://".format("|".join(FORMATS)))
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_BUCKET_RE = re.compile(r"^[\w.\-~]+(?::\d+)?$")
_WINDOWS_RE = re.compile(r"^(?:/)?[A-Za-z]:[\\/]")
_HOST_RE = re.compile(r"^(https?://[^/]+)/?(.*)$", re.DOTALL)


class ExtractedPath(NamedTuple):
    """The parts of a cloud path; `host` is an endpoint like https://example.com or None."""

    format: str
    protocol: str
    bucket: str | None
    path: str
    host: str | None


def _error(cloudpath: str, why: str,
           protocols: tuple[str, ...] = PROTOCOLS) -> UnsupportedProtocolError:
    return UnsupportedProtocolError(
        f"{why}\nCloud path received: {cloudpath!r}\n"
        "A cloud path must look like [FORMAT://]PROTOCOL://BUCKET/PATH, e.g.\n"
        "  gs://bucket/dir   s3://bucket/dir   s3://https://host:9000/bucket/dir\n"
        "  file:///home/me/dir   mem://scratch/dir   https://example.com/dir   ./relative/dir\n"
        f"Formats: {', '.join(FORMATS)}. Protocols: {', '.join(protocols)}."
    )


def toabs(path: str) -> str:
    """Absolute posix form of a local path: expands `~`, resolves `.`/`..`, keeps Windows drives."""
    if _WINDOWS_RE.match(path):
        drive_path = path.lstrip("/").replace("\\", "/")
        return drive_path[:2] + posixpath.normpath(drive_path[2:])
    path = os.path.abspath(os.path.expanduser(path))
    return path.replace(os.sep, "/") if os.sep != "/" else path


def _split_host(cloudpath: str, rest: str) -> tuple[str, str]:
    match = _HOST_RE.match(rest)
    if not match:
        raise _error(cloudpath, "The endpoint is not a valid http(s) URL.")
    return match.group(1), match.group(2)


def extract(cloudpath: str, windows: bool | None = None,
            protocols: tuple[str, ...] | None = None) -> ExtractedPath:
    """Split a cloud path into an ExtractedPath; raise UnsupportedProtocolError if malformed.

    `protocols` widens the accepted protocols (e.g. with those of plugin adapters).
    """
    accepted = PROTOCOLS if protocols is None else tuple(protocols)
    if not isinstance(cloudpath, str):
        raise _error(repr(cloudpath), f"A cloud path must be a str, not {type(cloudpath).__name__}.")
    if cloudpath == "":
        return ExtractedPath("", "", "", "", "")
    rest = cloudpath
    fmt = "precomputed"
    match = _FORMAT_RE.match(rest)
    if match:
        fmt, rest = match.group(1), rest[match.end():]
    match = _SCHEME_RE.match(rest)
    if match is None:
        if windows is False or not _WINDOWS_RE.match(rest) and "://" in rest:
            raise _error(cloudpath, "No protocol could be read.")
        protocol = "file"
    else:
        protocol = match.group(1)
        if protocol not in accepted and protocol not in PROTOCOLS:
            raise _error(cloudpath, f"Unsupported protocol {protocol!r}.", accepted)
        rest = rest[match.end():]
    host = None
    if protocol in ("http", "https"):
        host, rest = _split_host(cloudpath, f"{protocol}://{rest}")
    elif protocol in BUCKETED_PROTOCOLS and rest.startswith(("http://", "https://")):
        host, rest = _split_host(cloudpath, rest)
    bucket = None
    if protocol in BUCKETED_PROTOCOLS:
        bucket, _, rest = rest.partition("/")
        if not _BUCKET_RE.match(bucket):
            raise _error(cloudpath, f"{bucket!r} is not a valid bucket name.")
    if _SCHEME_RE.match(rest):
        raise _error(cloudpath, "More than one protocol was given.")
    elif protocol == "file":
        trailing = "/" if rest.endswith(("/", "\\")) and len(rest) > 1 else ""
        rest = toabs(rest or ".") + trailing
        rest = rest.replace("//", "/")
    return ExtractedPath(fmt, protocol, bucket, rest, host)


def asprotocolpath(epath: ExtractedPath) -> str:
    """`protocol://[host/]bucket/path` of an ExtractedPath (no format prefix)."""
    parts = [p for p in (epath.host, epath.bucket, epath.path) if p]
    joined = ""
    for part in parts:
        joined = part if not joined else joined.rstrip("/") + "/" + part.lstrip("/")
    if epath.protocol == "file" and epath.path.startswith("/") and joined.startswith("/"):
        return "file://" + joined
    if epath.protocol in ("http", "https") and epath.host:
        return joined
    return f"{epath.protocol}://{joined}"


def ascloudpath(epath: ExtractedPath) -> str:
    """The full cloud path of an ExtractedPath, with its format prefix."""
    path = asprotocolpath(epath)
    return f"{epath.format}://{path}" if epath.format else path


def asbucketpath(cloudpath: str | ExtractedPath) -> str:
    """The cloud path of the bucket alone, without the path inside it."""
    epath = extract(cloudpath) if isinstance(cloudpath, str) else cloudpath
    if not isinstance(epath, ExtractedPath):
        raise TypeError(f"Expected a str or ExtractedPath, got {type(cloudpath).__name__}.")
    return ascloudpath(epath._replace(path=""))


def to_https_protocol(cloudpath: str | ExtractedPath) -> str | ExtractedPath:
    """Rewrite gs://, s3:// and matrix:// to their public https endpoints."""
    if isinstance(cloudpath, ExtractedPath):
        if cloudpath.protocol in BUCKETED_PROTOCOLS and cloudpath.host is None:
            return extract(to_https_protocol(ascloudpath(cloudpath)))
        return cloudpath
    for protocol, endpoint in HTTPS_ENDPOINTS.items():
        marker = f"{protocol}://"
        at = cloudpath.find(marker)
        if at == -1 or cloudpath[at + len(marker):].startswith(("http://", "https://")):
            continue
        if at == 0 or _FORMAT_RE.match(cloudpath[:at]):
            return cloudpath[:at] + endpoint + "/" + cloudpath[at + len(marker):]
    return cloudpath


def normalize(cloudpath: str) -> str:
    """The canonical protocol path: bare local paths become file:// absolute paths."""
    return asprotocolpath(extract(cloudpath))


def join(*parts: str) -> str:
    """Join key parts with '/', as object stores do, on every platform."""
    nonempty = [p for p in parts if p]
    return posixpath.join(*nonempty) if nonempty else ""


def get_protocol(cloudpath: str) -> str:
    """The protocol of a cloud path."""
    return extract(cloudpath).protocol

"""Cloud paths: `[FORMAT://]PROTOCOL://BUCKET/PATH` or `PROTOCOL://BUCKET/PATH|FORMAT:`.

Parsed and formatted without I/O. Functions that read a path take the protocols accepted
besides the built-in ones (`protocols`, e.g. plugins') and the aliases in force (`aliases`);
the defaults are the built-in protocols and the official aliases.
"""
from __future__ import annotations

import os
import posixpath
import re
from typing import NamedTuple

from .aliases import OFFICIAL_TABLE, Alias, AliasTable
from .errors import UnsupportedProtocolError
from .protocols import (
    BUCKETED_PROTOCOLS,
    DEFAULT_FORMAT,
    FORMATS,
    HTTPS_ENDPOINTS,
    PRECOMPUTED_TAIL,
    PROTOCOLS,
    SCHEME_PATTERN,
    WEB_PROTOCOLS,
    auth_prefix,
    web_scheme,
)

__all__ = [
    "BUCKETED_PROTOCOLS", "FORMATS", "HTTPS_ENDPOINTS", "PROTOCOLS", "ExtractedPath",
    "asbucketpath", "ascloudpath", "asfilepath", "asprotocolpath", "basename", "dirname",
    "extract", "get_protocol", "join", "normalize", "resolve_alias", "split_format",
    "to_https_protocol", "toabs",
]

# No '^' anchors: these are used with .match(text, pos), which anchors at pos.
_FORMAT_RE = re.compile(r"({})://".format("|".join(FORMATS)))
_TAIL_FORMAT_RE = re.compile(r"\|([\w\-]+):$")
_SCHEME_RE = re.compile(rf"({SCHEME_PATTERN})://")
_BUCKET_RE = re.compile(r"[\w.\-~]+(?::\d+)?")
_WINDOWS_RE = re.compile(r"/?[A-Za-z]:[\\/]")
_HOST_RE = re.compile(r"(https?://[^/]+)/?(.*)", re.DOTALL)


class ExtractedPath(NamedTuple):
    """The parts of a cloud path; `host` is an endpoint like https://example.com or None.

    `alias` is the alias the path was written with (e.g. 'matrix' for matrix://b/dir, whose
    protocol is 's3' and host the alias's endpoint), or None.
    """

    format: str
    protocol: str
    bucket: str | None
    path: str
    host: str | None
    alias: str | None = None


def _error(cloudpath: str, why: str, protocols: tuple[str, ...] = PROTOCOLS,
           aliases: AliasTable = OFFICIAL_TABLE) -> UnsupportedProtocolError:
    accepted = ", ".join(dict.fromkeys((*PROTOCOLS, *protocols, *aliases.names)))
    return UnsupportedProtocolError(
        f"{why}\nCloud path received: {cloudpath!r}\n"
        "A cloud path must look like [FORMAT://]PROTOCOL://BUCKET/PATH "
        "or PROTOCOL://BUCKET/PATH|FORMAT:, e.g.\n"
        "  gs://bucket/dir   s3://bucket/dir   s3://https://host:9000/bucket/dir\n"
        "  file:///home/me/dir   mem://scratch/dir   https://example.com/dir\n"
        "  matrix://bucket/dir   zarr2://gs://bucket/dir   gs://bucket/dir|zarr2:\n"
        f"Formats: {', '.join(FORMATS)}. Protocols: {accepted}."
    )


def _require_str(cloudpath: object) -> str:
    if not isinstance(cloudpath, str):
        raise _error(repr(cloudpath), f"A cloud path must be a str, not {type(cloudpath).__name__}.")
    return cloudpath


def _scheme_at(text: str, start: int) -> re.Match | None:
    return _SCHEME_RE.match(text, start)


def _format_end(cloudpath: str) -> int:
    """Where the front format prefix (`zarr2://`) ends; 0 without one."""
    match = _FORMAT_RE.match(cloudpath)
    return match.end() if match else 0


def toabs(path: str) -> str:
    """Absolute posix form of a local path: expands `~`, resolves `.`/`..`, keeps Windows drives."""
    if _WINDOWS_RE.match(path):
        drive_path = path.lstrip("/").replace("\\", "/")
        return drive_path[:2] + posixpath.normpath(drive_path[2:])
    path = os.path.abspath(os.path.expanduser(path))
    return path.replace(os.sep, "/") if os.sep != "/" else path


def _absolute(path: str) -> str:
    """toabs that keeps a trailing separator (it spells a directory)."""
    trailing = "/" if path.endswith(("/", "\\")) and len(path) > 1 else ""
    return (toabs(path or ".") + trailing).replace("//", "/")


def _local_path(path: str, windows: bool | None) -> str:
    """The path of a file:// path: absolute, except on Windows where it is kept as written."""
    if windows is None:
        windows = os.name == "nt"
    return path if windows else _absolute(path)


def split_format(cloudpath: str) -> tuple[str | None, str]:
    """The format a path names in front (`zarr2://...`) or behind (`...|zarr2:`), and the rest.

    The format is None when the path names none (`|neuroglancer-precomputed:` names none).
    """
    start = _format_end(cloudpath)
    fmt = cloudpath[: start - 3] if start else None
    rest = cloudpath[start:]
    tail = _TAIL_FORMAT_RE.search(rest)
    if tail is None:
        return fmt, rest
    named, rest = tail.group(1), rest[: tail.start()]
    if named == PRECOMPUTED_TAIL:
        return fmt, rest
    if named not in FORMATS:
        raise _error(cloudpath, f"Unknown format {named!r} in the '|{named}:' suffix.")
    if fmt not in (None, named):
        raise _error(cloudpath, f"Two formats were given: {fmt!r} and {named!r}.")
    return named, rest


def resolve_alias(cloudpath: str,
                  aliases: AliasTable = OFFICIAL_TABLE) -> tuple[str | None, str]:
    """(alias name, the path it stands for) when the path's protocol is an alias.

    (None, cloudpath) otherwise. A front format prefix is kept: `precomputed://matrix://b`
    gives ('matrix', 'precomputed://s3://https://s3-hpcrc.rc.princeton.edu/b').
    """
    start = _format_end(cloudpath)
    match = _scheme_at(cloudpath, start)
    alias: Alias | None = aliases.get(match.group(1)) if match else None
    if alias is None:
        return None, cloudpath
    return alias.name, cloudpath[:start] + alias.expand(cloudpath[match.end():])


def _split_host(rest: str, fail) -> tuple[str, str]:
    match = _HOST_RE.fullmatch(rest)
    if not match:
        raise fail("The endpoint is not a valid http(s) URL.")
    return match.group(1), match.group(2)


def extract(cloudpath: str, windows: bool | None = None,
            protocols: tuple[str, ...] | None = None,
            aliases: AliasTable = OFFICIAL_TABLE) -> ExtractedPath:
    """Split a cloud path into an ExtractedPath; UnsupportedProtocolError if malformed.

    A path must name its protocol: local paths are written file://... (see normalize).
    `windows` (default: whether this is Windows) keeps file:// paths as written instead of
    making them absolute. `protocols` widens the accepted protocols (e.g. with plugins').
    """
    accepted = PROTOCOLS if protocols is None else tuple(protocols)

    def fail(why: str) -> UnsupportedProtocolError:
        return _error(cloudpath, why, accepted, aliases)

    if _require_str(cloudpath) == "":
        return ExtractedPath("", "", "", "", "")
    fmt, rest = split_format(cloudpath)
    alias, rest = resolve_alias(rest, aliases)
    match = _scheme_at(rest, 0)
    if match is None:
        raise fail("No protocol was given (a local path is written file:///home/me/dir).")
    protocol, rest = match.group(1), rest[match.end():]
    if protocol not in accepted and protocol not in PROTOCOLS:
        raise fail(f"Unsupported protocol {protocol!r}.")
    host = None
    if protocol in WEB_PROTOCOLS:
        host, rest = _split_host(f"{web_scheme(protocol)}://{rest}", fail)
    elif protocol in BUCKETED_PROTOCOLS and rest.startswith(("http://", "https://")):
        host, rest = _split_host(rest, fail)
    bucket = None
    if protocol in BUCKETED_PROTOCOLS:
        bucket, _, rest = rest.partition("/")
        if not _BUCKET_RE.fullmatch(bucket):
            raise fail(f"{bucket!r} is not a valid bucket name.")
    if _scheme_at(rest, 0):
        raise fail("More than one protocol was given.")
    if protocol == "file":
        rest = _local_path(rest, windows)
    return ExtractedPath(fmt or DEFAULT_FORMAT, protocol, bucket, rest, host, alias)


def _joined(*parts: str | None) -> str:
    joined = ""
    for part in parts:
        if part:
            joined = part if not joined else joined.rstrip("/") + "/" + part.lstrip("/")
    return joined


def asprotocolpath(epath: ExtractedPath) -> str:
    """`protocol://[host/]bucket/path` of an ExtractedPath (no format prefix).

    A path extracted from an alias is written with it again: `matrix://bucket/path`.
    """
    if epath.alias:
        return f"{epath.alias}://{_joined(epath.bucket, epath.path)}"
    joined = _joined(epath.host, epath.bucket, epath.path)
    if epath.protocol in WEB_PROTOCOLS and epath.host:
        return auth_prefix(epath.protocol) + joined
    return f"{epath.protocol}://{joined}"


def ascloudpath(epath: ExtractedPath) -> str:
    """The full cloud path of an ExtractedPath, with its format prefix."""
    path = asprotocolpath(epath)
    return f"{epath.format}://{path}" if epath.format else path


def _as_epath(cloudpath: str | ExtractedPath, protocols: tuple[str, ...] | None,
              aliases: AliasTable) -> ExtractedPath:
    if isinstance(cloudpath, ExtractedPath):
        return cloudpath
    if isinstance(cloudpath, str):
        return extract(cloudpath, protocols=protocols, aliases=aliases)
    raise TypeError(f"Expected a str or ExtractedPath, got {type(cloudpath).__name__}.")


def asbucketpath(cloudpath: str | ExtractedPath, protocols: tuple[str, ...] | None = None,
                 aliases: AliasTable = OFFICIAL_TABLE) -> str:
    """The cloud path of the bucket alone, without the path inside it."""
    return ascloudpath(_as_epath(cloudpath, protocols, aliases)._replace(path=""))


def asfilepath(epath: str | ExtractedPath, protocols: tuple[str, ...] | None = None,
               aliases: AliasTable = OFFICIAL_TABLE) -> str:
    """The local file system path of a file:// path; ValueError for other protocols."""
    epath = _as_epath(epath, protocols, aliases)
    if epath.protocol != "file":
        raise ValueError(f'{epath.protocol} protocol must be "file".')
    parts = [part for part in (epath.bucket, epath.path) if part]
    return os.path.join(*parts) if parts else ""


def _https_of_alias(alias: Alias, rest: str) -> str | None:
    """The https form of `alias://rest`; None when the alias's store has none (mem://)."""
    if alias.protocol in WEB_PROTOCOLS:
        return alias.expand(rest)
    if alias.host and alias.protocol in BUCKETED_PROTOCOLS:
        return f"{alias.host}/{rest}"
    endpoint = HTTPS_ENDPOINTS.get(alias.protocol)
    return f"{endpoint}/{rest}" if endpoint else None


def to_https_protocol(cloudpath: str | ExtractedPath, protocols: tuple[str, ...] | None = None,
                      aliases: AliasTable = OFFICIAL_TABLE) -> str | ExtractedPath:
    """Rewrite gs://, s3:// and aliases to their public https endpoints.

    s3://https://host/... (an explicit endpoint) becomes that https URL, as cloud-files does;
    other protocols are returned unchanged.
    """
    if isinstance(cloudpath, ExtractedPath):
        if cloudpath.alias or cloudpath.protocol in BUCKETED_PROTOCOLS:
            converted = to_https_protocol(ascloudpath(cloudpath), protocols, aliases)
            return extract(converted, protocols=protocols, aliases=aliases)
        return cloudpath
    start = _format_end(_require_str(cloudpath))
    match = _scheme_at(cloudpath, start)
    if match is None:
        return cloudpath
    scheme, rest = match.group(1), cloudpath[match.end():]
    alias = aliases.get(scheme)
    converted = None
    if alias is not None:
        converted = _https_of_alias(alias, rest)
    elif scheme in HTTPS_ENDPOINTS:
        explicit = rest.startswith(("http://", "https://"))
        converted = rest if explicit else f"{HTTPS_ENDPOINTS[scheme]}/{rest}"
    return cloudpath if converted is None else cloudpath[:start] + converted


def normalize(cloudpath: str) -> str:
    """The path with a protocol: a bare local path becomes file:// + its absolute path.

    The format is kept as a front prefix (`gs://b/x|zarr2:` gives `zarr2://gs://b/x`);
    paths that name a protocol are otherwise returned as written, unvalidated.
    """
    fmt, rest = split_format(_require_str(cloudpath))
    if rest and not _scheme_at(rest, 0):
        rest = "file://" + _absolute(rest)
    return f"{fmt}://{rest}" if fmt else rest


def _written_protocol(cloudpath: str) -> str | None:
    match = _scheme_at(cloudpath, _format_end(cloudpath))
    return match.group(1) if match else None


def get_protocol(cloudpath: str, protocols: tuple[str, ...] | None = None,
                 aliases: AliasTable = OFFICIAL_TABLE) -> str | None:
    """The protocol a path is written with (an alias name for alias paths).

    None when it names none (a bare local path) or one that is not known.
    """
    written = _written_protocol(_require_str(cloudpath))
    if written in PROTOCOLS or written in (protocols or ()) or aliases.get(written or ""):
        return written
    return None


def _path_module(cloudpath: str):
    return os.path if _written_protocol(cloudpath) in (None, "file") else posixpath


def dirname(cloudpath: str) -> str:
    """The path without its last segment (os.path rules for local paths, '/' otherwise)."""
    return _path_module(cloudpath).dirname(cloudpath)


def basename(cloudpath: str) -> str:
    """The last segment of the path (os.path rules for local paths, '/' otherwise)."""
    return _path_module(cloudpath).basename(cloudpath)


def join(*parts: str) -> str:
    """Join key parts with '/', as object stores do, on every platform."""
    nonempty = [p for p in parts if p]
    return posixpath.join(*nonempty) if nonempty else ""

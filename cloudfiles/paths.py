"""Cloud path helpers under their cloud-files 3.x names (facade over cloudfiles.domain.paths).

Functions that read a path here accept the protocols of installed plugins and the aliases of
this process (official ones, the alias file's and those added with add_alias).
`ALLOWED_PROTOCOLS`, `ALIASES` and `ALIAS_FILE` are read when asked for, so they follow
aliases added or removed later.
"""
from __future__ import annotations

from typing import Any

from .domain import paths as _paths
from .domain.aliases import OFFICIAL_ALIASES
from .domain.paths import (
    ExtractedPath,
    ascloudpath,
    asprotocolpath,
    basename,
    dirname,
    join,
    normalize,
    toabs,
)
from .domain.protocols import FORMATS, PROTOCOLS
from .entrypoints.aliases import (
    add_alias,
    add_persistent_alias,
    alias_file,
    alias_table,
    remove_alias,
    remove_persistent_alias,
    resolve_alias,
    update_aliases_from_file,
)
from .entrypoints.registry import known_protocols

ALLOWED_FORMATS = list(FORMATS)
BASE_ALLOWED_PROTOCOLS = list(PROTOCOLS)


def _context() -> dict[str, Any]:
    """What paths may name in this process: plugin protocols and aliases."""
    return {"protocols": known_protocols(), "aliases": alias_table()}


def extract(cloudpath: str, windows: bool | None = None) -> ExtractedPath:
    """Split a cloud path into an ExtractedPath; UnsupportedProtocolError if malformed."""
    return _paths.extract(cloudpath, windows, **_context())


def asbucketpath(cloudpath: str | ExtractedPath) -> str:
    """The cloud path of the bucket alone, without the path inside it."""
    return _paths.asbucketpath(cloudpath, **_context())


def asfilepath(epath: str | ExtractedPath) -> str:
    """The local file system path of a file:// path; ValueError for other protocols."""
    return _paths.asfilepath(epath, **_context())


def to_https_protocol(cloudpath: str | ExtractedPath) -> str | ExtractedPath:
    """Rewrite gs://, s3:// and aliases (matrix://...) to their public https endpoints."""
    return _paths.to_https_protocol(cloudpath, **_context())


def get_protocol(cloudpath: str) -> str | None:
    """The protocol a path is written with; None for bare local paths or unknown protocols."""
    return _paths.get_protocol(cloudpath, **_context())


def __getattr__(name: str) -> Any:
    """ALLOWED_PROTOCOLS, ALIASES and ALIAS_FILE as they are now."""
    if name == "ALLOWED_PROTOCOLS":
        return list(dict.fromkeys((*known_protocols(), *alias_table().names)))
    if name == "ALIASES":
        return alias_table().targets()
    if name == "ALIAS_FILE":
        return alias_file()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ALLOWED_PROTOCOLS, ALIASES and ALIAS_FILE come from __getattr__ (not listed: not star-imported).
__all__ = [
    "ALLOWED_FORMATS", "BASE_ALLOWED_PROTOCOLS", "OFFICIAL_ALIASES", "ExtractedPath", "add_alias", "add_persistent_alias", "asbucketpath",
    "ascloudpath", "asfilepath", "asprotocolpath", "basename", "dirname", "extract",
    "get_protocol", "join", "normalize", "remove_alias", "remove_persistent_alias",
    "resolve_alias", "to_https_protocol", "toabs", "update_aliases_from_file",
]

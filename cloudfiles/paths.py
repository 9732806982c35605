"""Cloud path helpers under their cloud-files 3.x names (facade over cloudfiles.domain.paths)."""
from __future__ import annotations

from .domain.paths import FORMATS as ALLOWED_FORMATS
from .domain.paths import (
    ExtractedPath,
    asbucketpath,
    ascloudpath,
    asprotocolpath,
    get_protocol,
    join,
    normalize,
    to_https_protocol,
    toabs,
)
from .domain.paths import extract as _extract
from .entrypoints.registry import known_protocols


def extract(cloudpath: str, windows: bool | None = None) -> ExtractedPath:
    """Split a cloud path into an ExtractedPath; UnsupportedProtocolError if malformed."""
    return _extract(cloudpath, windows, protocols=known_protocols())


ALLOWED_PROTOCOLS = list(known_protocols())

__all__ = [
    "ALLOWED_FORMATS", "ALLOWED_PROTOCOLS", "ExtractedPath", "asbucketpath", "ascloudpath",
    "asprotocolpath", "extract", "get_protocol", "join", "normalize", "to_https_protocol", "toabs",
]

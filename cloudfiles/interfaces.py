"""Names that code written for cloud-files imports from `cloudfiles.interfaces`."""
from __future__ import annotations

from .domain.encodings import EXTENSIONS
from .entrypoints.resources import reset_connection_pools

#: The file:// suffixes of the encodings: ('.gz', '.br', '.zstd', '.bz2', '.xz').
COMPRESSION_EXTENSIONS: tuple[str, ...] = EXTENSIONS

__all__ = ["COMPRESSION_EXTENSIONS", "reset_connection_pools"]

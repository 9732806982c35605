"""Content encodings: naming, aliases and the file:// suffix convention.

This module is the one rule for encoding names: a `compress=` argument, a Content-Encoding
header and a file:// suffix all map to the canonical names below.
"""
from __future__ import annotations

from .errors import UnsupportedCompressionType

GZIP, BROTLI, ZSTD, BZIP2, XZ = "gzip", "br", "zstd", "bzip2", "xz"
#: Canonical encoding -> file:// suffix, in the order cloud-files lists its extensions.
SUFFIXES = {GZIP: ".gz", BROTLI: ".br", ZSTD: ".zstd", BZIP2: ".bz2", XZ: ".xz"}
ENCODINGS = tuple(SUFFIXES)
EXTENSIONS = tuple(SUFFIXES.values())
_ALIASES = {
    "gzip": GZIP, "gz": GZIP, "x-gzip": GZIP,
    "br": BROTLI, "brotli": BROTLI,
    "zstd": ZSTD, "zstandard": ZSTD,
    "bzip2": BZIP2, "bz2": BZIP2, "x-bzip2": BZIP2,
    "xz": XZ, "lzma": XZ, "x-xz": XZ,
}
#: Names meaning "not encoded"; 'raw' is the Neuroglancer spelling (sharding, N5 specs).
_IDENTITY_NAMES = ("", "identity", "none", "raw")


def normalize_encoding(method: object) -> str | None:
    """Canonical encoding name for a `compress=` argument or a Content-Encoding value.

    None, False, 0, '', 'identity', 'none', 'raw' -> None; True and 1 -> 'gzip';
    aliases (any case) -> canonical, e.g. 'gz' -> 'gzip', 'brotli' -> 'br', 'bz2' -> 'bzip2',
    'lzma' -> 'xz'. Anything else raises UnsupportedCompressionType.
    """
    if method is None:
        return None
    if isinstance(method, int) and method in (0, 1):  # bool is an int: False/True too
        return GZIP if method else None
    if isinstance(method, str):
        name = method.strip().lower()
        if name in _IDENTITY_NAMES:
            return None
        canonical = _ALIASES.get(name)
        if canonical:
            return canonical
    raise UnsupportedCompressionType(
        f"Unknown compression {method!r}. Use one of: None, True, "
        + ", ".join(repr(e) for e in ENCODINGS) + " (or an alias: "
        + ", ".join(repr(a) for a in _ALIASES if a not in ENCODINGS) + ")."
    )


def encoding_from_header(value: str | None) -> str | None:
    """Canonical name of a stored Content-Encoding header; unknown ones pass through lowercased.

    For reading what a server reports: an encoding we do not know is kept (so decoding it later
    fails naming it) rather than refused while listing or heading.
    """
    try:
        return normalize_encoding(value)
    except UnsupportedCompressionType:
        return value.strip().lower() if isinstance(value, str) else None


def suffix_of(encoding: str | None) -> str:
    """The on-disk suffix for a canonical encoding ('' for none)."""
    return SUFFIXES[encoding] if encoding else ""


def split_suffix(name: str) -> tuple[str, str | None]:
    """Split 'a/b.gz' into ('a/b', 'gzip'); names without a known suffix keep encoding None."""
    for encoding, suffix in SUFFIXES.items():
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], encoding
    return name, None
